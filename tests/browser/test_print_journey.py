"""Official print-outs in Chromium: staff upload a member's photo, then print the member card (on A4, to cut
out) and a certificate (A4 landscape). Each prints on exactly one page, and with print media the logo, the
photo and the signature block sit inside the printable area without overlapping anything."""

import datetime
import re
from itertools import combinations

import pytest
from playwright.sync_api import expect

from members.models import MemberPhoto
from tests import factories
from tests.printing.conftest import make_office_profile
from tests.printing.pictures import logo_png, phone_photo
from tests.trainings.conftest import make_event, mark_all
from trainings import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PX_PER_MM = 96 / 25.4
A4_POINTS = (595.92, 842.88)  # 210 × 297 mm in PDF points, as Chromium writes them


def _px(mm: float) -> int:
    return round(mm * PX_PER_MM)


def _pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """The size in points of each page of a PDF Chromium wrote (one /Type /Page object per page)."""
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    boxes = [
        (float(w), float(h))
        for w, h in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    ]
    assert len(boxes) == len(pages), "one MediaBox per page"
    return boxes


def _boxes(page, selectors: dict[str, str]) -> dict[str, dict]:
    boxes = {}
    for name, selector in selectors.items():
        box = page.locator(selector).bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, f"{name} is not laid out"
        boxes[name] = box
    return boxes


def _inside(inner: dict, outer: dict, slack: float = 0.5) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def _check_layout(page, frame: str, parts: dict[str, str], area: dict) -> None:
    boxes = _boxes(page, {"frame": frame, **parts})
    assert _inside(boxes["frame"], area), f"{boxes['frame']} leaves the printable area {area}"
    for name in parts:
        assert _inside(boxes[name], boxes["frame"]), f"{name} sticks out: {boxes[name]} {boxes['frame']}"
    for first, second in combinations(parts, 2):
        assert not _overlap(boxes[first], boxes[second]), f"{first} overlaps {second}"


def _image_loaded(page, selector: str) -> bool:
    """Whether the picture arrives and decodes (waited for: under load it may come after the page)."""
    page.wait_for_function(
        "selector => { const img = document.querySelector(selector);"
        " return img !== null && img.complete && img.naturalWidth > 0; }",
        arg=selector,
        timeout=20_000,
    )
    return True


def test_staff_upload_a_photo_and_print_the_member_card_on_a4(
    log_in, live_server, staff, magelang, unit_a, tmp_path
):
    make_office_profile(magelang["kota_magelang"], by=staff)
    member = factories.MemberFactory(
        unit=unit_a, full_name="Sri Wulandari Kusumaningrum", status_since=datetime.date(2024, 3, 1)
    )
    photo = tmp_path / "IMG_20240512_081500.jpg"
    photo.write_bytes(phone_photo())
    page = log_in(staff)

    page.goto(f"{live_server.url}/anggota/{member.pk}/")
    expect(page.locator("#member-photo-placeholder")).to_be_visible()
    page.set_input_files("#id_photo", str(photo))
    with page.expect_navigation():
        page.click("#photo-submit")
    expect(page.locator(".alert-success")).to_contain_text("Foto disimpan.")
    expect(page.locator("#member-photo")).to_be_visible()
    assert _image_loaded(page, "#member-photo")
    assert MemberPhoto.objects.get(member=member).uploaded_by == staff

    page.click("#card-print-link")
    page.click("#a4-link")
    expect(page.locator("#card-office")).to_have_text("Dinas Sosial Kota Magelang")
    expect(page.locator("#card-valid-until")).to_have_text("1 Maret 2029")
    for image in ("#card-logo", "#card-photo img"):
        expect(page.locator(image)).to_be_visible()
        assert _image_loaded(page, image), image

    page.emulate_media(media="print")
    # The printable area of the sheet: A4 portrait less the 15 mm margins of @page card-a4.
    page.set_viewport_size({"width": _px(210 - 30), "height": _px(297 - 30)})
    expect(page.locator(".print-toolbar")).to_be_hidden()
    area = {"x": 0, "y": 0, "width": _px(180), "height": _px(267)}
    parts = {
        "logo": "#card-logo",
        "office": ".kta-card-issuer",
        "photo": "#card-photo",
        "details": ".kta-card-details",
        "qr": "#card-qr",
        "footer": ".kta-card-footer",
    }
    _check_layout(page, "#kta-card", parts, area)
    card = page.locator("#kta-card").bounding_box()
    assert abs(card["width"] - 85.6 * PX_PER_MM) < 1.5 and abs(card["height"] - 54 * PX_PER_MM) < 1.5
    photo_box = page.locator("#card-photo").bounding_box()
    assert abs(photo_box["width"] / photo_box["height"] - 3 / 4) < 0.02  # a 3x4 pas foto

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = _pdf_pages(pdf)
    assert len(pages) == 1
    assert all(abs(a - b) < 2 for a, b in zip(pages[0], A4_POINTS, strict=True))

    # At card size, for a card printer: one page of 85.6 × 54 mm.
    page.goto(f"{live_server.url}/anggota/{member.pk}/kartu/")
    pages = _pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
    assert len(pages) == 1
    assert abs(pages[0][0] - 85.6 / 25.4 * 72) < 2 and abs(pages[0][1] - 54 / 25.4 * 72) < 2


def test_staff_fill_in_their_office_and_print_a_certificate_on_one_a4_page(
    log_in, live_server, staff, magelang, unit_a, tmp_path
):
    day = datetime.date(2024, 11, 13)
    event = make_event(
        magelang["kota_magelang"],
        magelang["temanggung"],
        by=staff,
        title="Peningkatan Kapasitas Pekerja Sosial Masyarakat (PSM) Kota Magelang dan Kabupaten Temanggung",
        starts_on=day,
        ends_on=day,
        venue="Trio Front One Resort Magelang",
    )
    member = factories.MemberFactory(unit=unit_a, full_name="Raden Ajeng Sri Wulandari Kusumaningrum")
    services.invite_members(event=event, members=[member], by=staff)
    participant = mark_all(event, member)
    services.issue_certificates(event=event)
    logo = tmp_path / "logo-dinsos.png"
    logo.write_bytes(logo_png())
    page = log_in(staff)

    # The office profile, from the registry's page of the kab/kota.
    page.goto(f"{live_server.url}/wilayah/33.71/")
    page.click("#office-link")
    page.fill("#id_address", "Jl. Veteran No. 7, Magelang 56117")
    page.fill("#id_head_name", "Drs. Bambang Sutrisno, M.Si.")
    page.fill("#id_head_nip", "19700315 199503 1 00")  # a digit short
    page.fill("#id_signing_city", "Magelang")
    page.set_input_files("#id_logo_upload", str(logo))
    with page.expect_navigation():
        page.locator("#office-form").get_by_role("button", name="Simpan").click()
    expect(page.locator("#office-form")).to_contain_text("NIP terdiri atas 18 angka")
    page.fill("#id_head_nip", "19700315 199503 1 002")
    page.set_input_files("#id_logo_upload", str(logo))  # a refused form does not keep the file
    with page.expect_navigation():
        page.locator("#office-form").get_by_role("button", name="Simpan").click()
    expect(page.locator(".alert-success")).to_contain_text("Profil kantor disimpan.")
    expect(page.locator("#office-head")).to_contain_text("NIP 19700315 199503 1 002")
    assert _image_loaded(page, "#office-logo")

    page.goto(f"{live_server.url}/peserta/{participant.pk}/sertifikat/")
    expect(page.locator("#certificate-place-date")).to_have_text("Magelang, 13 November 2024")
    expect(page.locator("#certificate-signatory")).to_have_text("Drs. Bambang Sutrisno, M.Si.")
    expect(page.locator("#certificate-nip")).to_have_text("NIP 19700315 199503 1 002")
    assert _image_loaded(page, "#certificate-logo")

    page.emulate_media(media="print")
    # A4 landscape less the 10 mm margins of @page certificate: 277 × 190 mm.
    page.set_viewport_size({"width": _px(277), "height": _px(190)})
    expect(page.locator(".certificate-toolbar")).to_be_hidden()
    area = {"x": 0, "y": 0, "width": _px(277), "height": _px(190)}
    parts = {
        "logo": "#certificate-logo",
        "office": ".certificate-office",
        "number": ".certificate-number",
        "body": ".certificate-body",
        "organisers": ".certificate-organisers",
        "signature": "#certificate-signature",
    }
    _check_layout(page, "#certificate", parts, area)
    # The signature block holds, top to bottom, place and date, title, space to sign, name and NIP.
    block = _boxes(
        page,
        {
            "place": "#certificate-place-date",
            "title": "#certificate-signatory-title",
            "space": ".certificate-signature-space",
            "name": "#certificate-signatory",
            "nip": "#certificate-nip",
        },
    )
    tops = [block[name]["y"] for name in ("place", "title", "space", "name", "nip")]
    assert tops == sorted(tops)
    assert block["space"]["height"] >= _px(18)  # room for a signature and a stamp

    pages = _pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
    assert len(pages) == 1
    assert all(abs(a - b) < 2 for a, b in zip(pages[0], reversed(A4_POINTS), strict=True))
