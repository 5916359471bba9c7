"""The institution's pages on a phone (390 px) in Chromium: a coordinator's unit meetings and a meeting, and
staff's legality page, partner directory, partner page, contribution page and targets page. None scrolls
sideways, every link and button is a 24 px target at least (PAGE_PROBLEMS), and axe-core finds no serious
or critical WCAG 2.1 A/AA violation."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from members import meetings, partners
from members.models import BoardRole, Meeting, Partner
from tests import factories
from tests.browser.test_field_journey import PAGE_PROBLEMS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = (
    "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},"
    " resultTypes: ['violations']})"
)
LONG_NAME = "Raden Ajeng Sri Wahyuningsih Kusumawardhani"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE, "bypass_csp": True}  # axe is injected


def _problems(page) -> list[str]:
    page.wait_for_load_state("load")
    found = list(page.evaluate(PAGE_PROBLEMS))
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(AXE_RUN)
    found += [
        f"axe {violation['id']}: {violation['nodes'][0]['target']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    return found


@pytest.fixture
def institution(staff, coordinator, unit_a, unit_b, magelang):
    """Unit A with long names, a board, a meeting with decisions, follow-ups and SK gaps; partners with
    long names and contributions (more than a page of them), targets untouched."""
    today = datetime.date.today()
    members = [factories.MemberFactory(unit=unit_a, full_name=f"{LONG_NAME} {n}") for n in range(6)]
    factories.MemberFactory(unit=unit_b, birth_date=datetime.date(1950, 1, 1))
    factories.BoardPositionFactory(member=members[0], role=BoardRole.KETUA)
    meeting = Meeting(unit=unit_a, region=unit_a.region, kind="rutin", held_on=today)
    meeting.place = "Balai Kelurahan Rejowinangun Utara, Jl. Jenderal Sudirman Gang Mawar No. 12"
    meeting.agenda = "Pembagian wilayah kunjungan lansia terlantar dan penyandang disabilitas berat"
    meeting = meetings.create_meeting(meeting=meeting, by=coordinator)
    meetings.mark_all_present(meeting=meeting, by=coordinator)
    decision = meetings.add_decision(
        meeting=meeting, text="Setiap PSM mengunjungi lima lansia per bulan", by=coordinator
    )
    meetings.add_follow_up(
        meeting=meeting,
        task="Mendata lansia terlantar RW 03 dan RW 04 beserta kebutuhannya",
        due_on=today - datetime.timedelta(days=3),
        responsible=members[1],
        decision=decision,
        by=coordinator,
    )
    region = magelang["kota_magelang"]
    partner = Partner.objects.create(
        region=region,
        name="Yayasan Kesejahteraan Sosial Bina Insan Mandiri Magelang",
        sector="lks",
        contact_name="Ibu Retno Wulandari",
        phone="0293 362 111",
        email="sekretariat.binainsanmandiri@example.org",
        mou_number="PKS/460/0123/DINSOS/2025",
        mou_ends_on=today + datetime.timedelta(days=30),
    )
    partner.kecamatan_served.set([magelang["magelang_tengah"], magelang["magelang_selatan"]])
    contribution = partners.record_contribution(
        partner=partner,
        kind="barang",
        value=Decimal(12_500_000),
        given_on=today,
        purpose="Kursi roda untuk lansia dan penyandang disabilitas",
        beneficiaries=12,
        unit=unit_a,
        by=staff,
    )
    for n in range(30):
        Partner.objects.create(
            region=region, name=f"PT Sido Rukun Sejahtera Abadi {n:02d}", sector="dunia_usaha"
        )
    return {"meeting": meeting, "partner": partner, "contribution": contribution}


def test_institution_pages_fit_a_phone(log_in, live_server, page, coordinator, staff, unit_a, institution):
    year = datetime.date.today().year
    coordinator_pages = {
        "unit meetings": reverse("meetings:unit_list", args=[unit_a.pk]),
        "meeting": reverse("meetings:detail", args=[institution["meeting"].pk]),
    }
    staff_pages = {
        "legality": reverse("legality:region", args=["33.71"]),
        "partners": reverse("partners:list"),
        "partners, page 2": reverse("partners:list") + "?sektor=dunia_usaha&halaman=2",
        "partner": reverse("partners:detail", args=[institution["partner"].pk]),
        "contribution": reverse("partners:contribution", args=[institution["contribution"].pk]),
        "contribution delete": reverse("partners:contribution_delete", args=[institution["contribution"].pk]),
        "targets": reverse("trainings:indicator_targets", args=["33.71", year]),
    }
    found = {}
    for user, pages in ((coordinator, coordinator_pages), (staff, staff_pages)):
        page.context.clear_cookies()
        log_in(user)
        for name, path in pages.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, name
            if problems := _problems(page):
                found[name] = problems
    assert found == {}
