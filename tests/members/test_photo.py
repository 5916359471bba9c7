"""A member's photo: uploaded and removed on the member page by those who may edit the member, checked and
drawn anew (no EXIF, no GPS, at most 600 px), stored privately, shown only to those who see the member;
history kept; merged along with the record."""

import pytest
from django.urls import reverse

from members import office, services
from members.models import MemberPhoto
from tests import factories
from tests.printing.pictures import GPS_LATITUDE, MAKER, opened, phone_photo, picture, upload

ROLES = ["anonymous", "coordinator", "coordinator_b", "viewer", "staff", "staff_other", "superuser"]


@pytest.fixture
def users(request, magelang):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


def _urls(member) -> dict[str, str]:
    return {
        name: reverse(f"members:{name}", args=[member.pk])
        for name in ("photo", "photo_upload", "photo_remove")
    }


def _upload(client, member, data: bytes | None = None, name: str = "IMG_20240512.jpg"):
    data = phone_photo() if data is None else data
    return client.post(_urls(member)["photo_upload"], {"photo": upload(data, name=name)})


# fmt: off
SEE = {"anonymous": 302, "coordinator": 200, "coordinator_b": 404, "viewer": 200, "staff": 200,
       "staff_other": 404, "superuser": 200}
EDIT = {"anonymous": 302, "coordinator": 302, "coordinator_b": 404, "viewer": 403, "staff": 302,
        "staff_other": 404, "superuser": 302}
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_photo_is_seen_with_the_member_and_changed_by_its_editors(client, users, member_a, staff, role):
    office.set_member_photo(member=member_a, image=office.clean_photo(upload(phone_photo())), by=staff)
    user = users(role)
    if user:
        client.force_login(user)
    response = client.get(_urls(member_a)["photo"])
    assert response.status_code == SEE[role]
    if SEE[role] == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
    before = MemberPhoto.objects.get().image.name
    assert _upload(client, member_a, picture("PNG")).status_code == EDIT[role]
    assert (MemberPhoto.objects.get().image.name != before) is (EDIT[role] == 302 and user is not None)
    assert client.post(_urls(member_a)["photo_remove"]).status_code == EDIT[role]
    assert MemberPhoto.objects.exists() is not (EDIT[role] == 302 and user is not None)


def test_coordinator_uploads_a_phone_photo_stripped_and_shrunk(as_user, coordinator, member_a, settings):
    client = as_user(coordinator)
    response = _upload(client, member_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member_a.pk]) + "#photo"
    photo = MemberPhoto.objects.get(member=member_a)
    assert photo.uploaded_by == coordinator
    stored = (settings.PRIVATE_MEDIA_ROOT / photo.image.name).read_bytes()
    image = opened(stored)
    assert image.format == "JPEG" and (image.width, image.height) == (450, 600) == (photo.width, photo.height)
    assert not image.getexif()
    assert MAKER.encode() not in stored and b"GPS" not in stored
    assert str(GPS_LATITUDE[1]).encode() not in image.info.get("exif", b"")
    # Its name says nothing of the member or of the file uploaded.
    assert photo.image.name.startswith("photos/") and "IMG" not in photo.image.name
    assert member_a.kta_number not in photo.image.name
    # Served as stored, and shown on the member page.
    served = b"".join(client.get(reverse("members:photo", args=[member_a.pk])).streaming_content)
    assert served == stored
    page = client.get(reverse("members:detail", args=[member_a.pk])).content.decode()
    assert f'src="{reverse("members:photo", args=[member_a.pk])}"' in page
    assert "koordinator-a" in page.split('id="photo-uploaded"')[1].split("</p>")[0]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (picture("GIF", mode="P"), "foto.gif", "bukan gambar JPEG, PNG, atau WebP"),
        (b"%PDF-1.4 not a photo", "foto.jpg", "bukan gambar JPEG, PNG, atau WebP"),
        (phone_photo()[:5000], "foto.jpg", "Gambar tidak dapat dibaca: berkas rusak atau tidak lengkap"),
    ],
    # Named: the pictures' bytes may differ between two xdist workers' collections.
    ids=["gif", "pdf", "truncated-jpeg"],
)
def test_bad_file_gives_a_message_and_changes_nothing(
    as_user, staff, member_a, settings, tmp_path, data, name, message
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    response = as_user(staff).post(
        reverse("members:photo_upload", args=[member_a.pk]), {"photo": upload(data, name=name)}, follow=True
    )
    html = response.content.decode()
    assert "Foto tidak disimpan: " in html and message in html
    assert not MemberPhoto.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_file_over_the_limit_is_refused(as_user, staff, member_a, settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 10_000
    html = as_user(staff).post(
        reverse("members:photo_upload", args=[member_a.pk]), {"photo": upload(phone_photo())}, follow=True
    )
    assert "Berkas lebih besar dari" in html.content.decode()
    assert not MemberPhoto.objects.exists()


def test_no_file_gives_a_message(as_user, staff, member_a):
    response = as_user(staff).post(reverse("members:photo_upload", args=[member_a.pk]), follow=True)
    assert "Pilih foto yang akan diunggah." in response.content.decode()


def test_replacing_and_removing_delete_the_old_files_and_keep_history(
    as_user, staff, member_a, settings, django_capture_on_commit_callbacks
):
    client = as_user(staff)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, member_a)
    first = settings.PRIVATE_MEDIA_ROOT / MemberPhoto.objects.get().image.name
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, member_a, picture("WEBP"))
    second = settings.PRIVATE_MEDIA_ROOT / MemberPhoto.objects.get().image.name
    assert second.exists() and not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:photo_remove", args=[member_a.pk]), follow=True)
    assert "Foto dihapus." in response.content.decode()
    assert not second.exists() and not MemberPhoto.objects.exists()
    history = MemberPhoto.history.filter(member_id=member_a.pk).order_by("history_id")
    assert [(r.history_type, r.history_user) for r in history] == [("+", staff), ("~", staff), ("-", staff)]
    page = client.get(reverse("members:detail", args=[member_a.pk])).content.decode()
    listed = page.split('id="photo-history"')[1].split("</details>")[0]
    assert listed.count("<li>") == 3 and "dihapus" in listed and "diganti" in listed


def test_member_page_offers_upload_only_to_editors(as_user, viewer, coordinator, member_a):
    page = as_user(viewer).get(reverse("members:detail", args=[member_a.pk])).content.decode()
    assert 'id="photo-form"' not in page and 'id="photo-history"' not in page
    assert 'id="member-photo-placeholder"' in page
    page = as_user(coordinator).get(reverse("members:detail", args=[member_a.pk])).content.decode()
    assert 'id="photo-form"' in page and 'enctype="multipart/form-data"' in page
    assert 'accept="image/jpeg,image/png,image/webp"' in page
    assert 'id="photo-remove"' not in page  # nothing to remove yet


def test_member_without_photo_gives_404(as_user, staff, member_a):
    assert as_user(staff).get(reverse("members:photo", args=[member_a.pk])).status_code == 404


def test_merging_gives_the_survivor_the_photo_it_lacks(staff, unit_a):
    survivor, merged = factories.MemberFactory.create_batch(2, unit=unit_a)
    office.set_member_photo(member=merged, image=office.clean_photo(upload(phone_photo())), by=staff)
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    assert MemberPhoto.objects.get().member == survivor


def test_merging_keeps_the_survivors_own_photo(staff, unit_a):
    survivor, merged = factories.MemberFactory.create_batch(2, unit=unit_a)
    own = office.set_member_photo(member=survivor, image=office.clean_photo(upload(picture("PNG"))), by=staff)
    office.set_member_photo(member=merged, image=office.clean_photo(upload(phone_photo())), by=staff)
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    assert MemberPhoto.objects.get(member=survivor).pk == own.pk
    assert MemberPhoto.objects.filter(member=merged).exists()
