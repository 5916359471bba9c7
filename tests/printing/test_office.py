"""The office profile of a kab/kota (/kantor/<code>/): kept by its staff, read by its head, with a checked
logo in private storage; validated (NIP), with history; in the admin through the same checks."""

import pytest
from django.urls import reverse

from members.models import OfficeProfile
from tests.printing.conftest import HEAD_NIP, ROLES, make_office_profile
from tests.printing.pictures import SECRET_TEXT, logo_png, opened, phone_photo, picture, upload

URL = reverse("members:office", args=["33.71"])
LOGO_URL = reverse("members:office_logo", args=["33.71"])


def _form(**changes) -> dict:
    data = {
        "name": "Dinas Sosial Kota Magelang",
        "address": "Jl. Veteran No. 7, Magelang 56117",
        "head_name": "Drs. Bambang Sutrisno, M.Si.",
        "head_nip": "19700315 199503 1 002",
        "head_title": "Kepala Dinas Sosial",
        "signing_city": "Magelang",
        "card_validity_years": "5",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# fmt: off
GET = {"anonymous": 302, "coordinator": 403, "coordinator_b": 403, "viewer": 200, "staff": 200,
       "staff_other": 404, "superuser": 200}
POST = {"anonymous": 302, "coordinator": 403, "coordinator_b": 403, "viewer": 403, "staff": 302,
        "staff_other": 404, "superuser": 302}
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_and_save_the_office_page(client, users, role):
    user = users(role)
    if user:
        client.force_login(user)
    assert client.get(URL).status_code == GET[role]
    response = client.post(URL, _form())
    assert response.status_code == POST[role]
    assert OfficeProfile.objects.exists() is (POST[role] == 302 and role != "anonymous")


def test_viewer_reads_the_profile_without_a_form(as_user, viewer, staff, magelang):
    make_office_profile(magelang["kota_magelang"], by=staff)
    html = as_user(viewer).get(URL).content.decode()
    assert "Drs. Bambang Sutrisno, M.Si." in html and "19700315 199503 1 002" in html
    assert 'id="office-form"' not in html
    assert 'id="office-logo"' in html


def test_staff_fill_in_the_profile_with_a_logo(as_user, staff, magelang, django_capture_on_commit_callbacks):
    client = as_user(staff)
    assert "Dinas Sosial Kota Magelang" in client.get(URL).content.decode()  # the name proposed
    data = _form(logo_upload=upload(logo_png(), name="logo.png", content_type="image/png"))
    response = client.post(URL, data, follow=True)
    assert "Profil kantor disimpan." in response.content.decode()
    profile = OfficeProfile.objects.get()
    assert profile.head_nip == HEAD_NIP  # typed with spaces, stored as digits
    assert profile.head_nip_display == "19700315 199503 1 002"
    assert profile.card_validity_years == 5 and profile.head_title == "Kepala Dinas Sosial"
    stored = profile.logo.read()
    image = opened(stored)
    assert image.format == "PNG" and max(image.size) == 400
    assert SECRET_TEXT.encode() not in stored
    assert profile.logo.name.startswith("logos/") and "logo" not in profile.logo.name.removeprefix("logos/")
    # History: who saved, kept by django-simple-history.
    assert profile.history.get().history_user == staff


def test_logo_is_served_privately_to_whoever_prints_for_the_office(
    client, users, staff, magelang, unit_a, unit_b, settings
):
    profile = make_office_profile(magelang["kota_magelang"], by=staff)
    path = settings.PRIVATE_MEDIA_ROOT / profile.logo.name
    assert path.exists()
    assert not str(path).startswith(str(settings.STATIC_ROOT))
    expected = {"coordinator": 200, "coordinator_b": 200, "viewer": 200, "staff": 200, "staff_other": 404}
    for role, status in expected.items():
        client.force_login(users(role))
        response = client.get(LOGO_URL)
        assert response.status_code == status, role
        if status == 200:
            assert response["Content-Type"] == "image/png"
            assert response["Cache-Control"] == "private, no-store"
            assert b"".join(response.streaming_content) == path.read_bytes()
    client.logout()
    assert client.get(LOGO_URL).status_code == 302


def test_no_logo_gives_404(as_user, staff, magelang):
    make_office_profile(magelang["kota_magelang"], by=staff, logo=False)
    assert as_user(staff).get(LOGO_URL).status_code == 404


@pytest.mark.parametrize(
    ("nip", "message"),
    [
        ("1970031519950310", "NIP terdiri atas 18 angka"),
        ("19701315 199503 1 002", "8 angka pertama NIP adalah tanggal lahir"),
        ("19700315 199513 1 002", "Angka ke-9 sampai ke-14"),
        ("19700315 199503 3 002", "Angka ke-15 NIP adalah 1 (laki-laki) atau 2 (perempuan)"),
        ("19700315 199503 1 000", "nomor urut mulai 001"),
        ("1970O315 199503 1 002", "NIP terdiri atas 18 angka"),
    ],
)
def test_wrong_nip_is_refused_with_its_reason(as_user, staff, magelang, nip, message):
    response = as_user(staff).post(URL, _form(head_nip=nip))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OfficeProfile.objects.exists()


@pytest.mark.parametrize("years", ["0", "11", "-1"])
def test_card_validity_is_one_to_ten_years(as_user, staff, magelang, years):
    assert as_user(staff).post(URL, _form(card_validity_years=years)).status_code == 200
    assert not OfficeProfile.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (picture("GIF", mode="P"), "logo.gif", "bukan gambar JPEG, PNG, atau WebP"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png", "bukan gambar JPEG, PNG, atau WebP"),
        (logo_png()[:300], "logo.png", "Gambar tidak dapat dibaca"),
    ],
)
def test_bad_logo_is_refused_and_nothing_is_saved(
    as_user, staff, magelang, settings, tmp_path, data, name, message
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    response = as_user(staff).post(URL, _form(logo_upload=upload(data, name=name)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OfficeProfile.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_logo_over_the_size_limit_is_refused(as_user, staff, magelang, settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 20_000
    response = as_user(staff).post(URL, _form(logo_upload=upload(phone_photo(), name="logo.jpg")))
    assert (
        "lebih besar dari 0.019 MB" in response.content.decode()
        or "lebih besar dari" in response.content.decode()
    )
    assert not OfficeProfile.objects.exists()


def test_replacing_and_removing_the_logo_deletes_the_old_file(
    as_user, staff, magelang, settings, django_capture_on_commit_callbacks
):
    profile = make_office_profile(magelang["kota_magelang"], by=staff)
    first = settings.PRIVATE_MEDIA_ROOT / profile.logo.name
    client = as_user(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _form(logo_upload=upload(picture("JPEG"), name="baru.jpg")))
    profile.refresh_from_db()
    second = settings.PRIVATE_MEDIA_ROOT / profile.logo.name
    assert second.exists() and not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, _form(remove_logo="on"))
    profile.refresh_from_db()
    assert not profile.logo and not second.exists()
    assert [record.history_type for record in profile.history.order_by("history_id")] == ["+", "~", "~"]


def test_page_shows_the_history_to_staff(as_user, staff, magelang):
    make_office_profile(magelang["kota_magelang"], by=staff)
    as_user(staff).post(URL, _form(head_name="Dra. Sri Wahyuni"))
    html = as_user(staff).get(URL).content.decode()
    assert "Dra. Sri Wahyuni" in html.split("Riwayat perubahan")[1]


def test_only_a_kabkota_has_an_office_page(as_user, staff, magelang):
    for code in ("33.71.03", "33.71.03.1003", "33", "x", "33.99"):
        assert as_user(staff).get(reverse("members:office", args=[code])).status_code == 404


def test_region_page_links_to_the_office_page(as_user, staff, viewer, coordinator, magelang):
    region = reverse("members:region", args=["33.71"])
    assert f'href="{URL}"' in as_user(staff).get(region).content.decode()
    assert f'href="{URL}"' in as_user(viewer).get(region).content.decode()
    kecamatan = reverse("members:region", args=["33.71.03"])
    assert "office-link" not in as_user(staff).get(kecamatan).content.decode()
    assert (
        "office-link"
        not in as_user(coordinator).get(reverse("members:region", args=["33.71.03.1003"])).content.decode()
    )


def test_admin_saves_through_the_same_checks(as_user, superuser, magelang):
    client = as_user(superuser)
    add = reverse("admin:members_officeprofile_add")
    assert client.get(add).status_code == 200
    data = _form(region="33.71", logo_upload=upload(phone_photo(), name="logo.jpg"))
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = OfficeProfile.objects.get()
    assert profile.head_nip == HEAD_NIP
    stored = profile.logo.read()
    assert opened(stored).format == "PNG" and b"Exif" not in stored
    # A kecamatan cannot have a profile.
    response = client.post(add, _form(region="33.71.03"))
    assert response.status_code == 200
    assert OfficeProfile.objects.count() == 1
