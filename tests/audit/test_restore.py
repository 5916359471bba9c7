"""Restoring an earlier version of a member's profile: what comes back, what never does, who may."""

import datetime

import pytest
from django.contrib.messages import ERROR, get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Member, MemberStatus
from tests import factories
from tests.audit.conftest import edit


@pytest.fixture
def edited(staff, member_a, unit_b, magelang):
    """member_a as registered (the first version), then edited, made inactive and transferred."""
    first = member_a.history.get()
    original = {name: getattr(member_a, name) for name in ("full_name", "address", "phone", "occupation")}
    edit(
        member_a,
        staff,
        full_name="Nama Sesudah Salah Ketik",
        address="Jl. Salah No. 9",
        phone="",
        occupation="Petani",
        kelurahan=magelang["cacaban"],
    )
    services.change_member_status(
        member=member_a,
        new_status=MemberStatus.NONAKTIF,
        reason="mengundurkan_diri",
        changed_on=datetime.date(2024, 5, 1),
        by=staff,
    )
    services.transfer_member(
        member=member_a, to_unit=unit_b, transferred_on=datetime.date(2024, 5, 2), by=staff
    )
    member_a.refresh_from_db()
    return member_a, first, original


def _url(member, version):
    return reverse("members:restore", args=[member.pk, version.history_id])


def test_confirmation_lists_what_would_change(as_user, staff, edited):
    member, first, original = edited
    response = as_user(staff).get(_url(member, first))
    assert response.status_code == 200
    changes = {change.label: (change.old, change.new) for change in response.context["changes"]}
    assert changes == {
        "full name": ("Nama Sesudah Salah Ketik", original["full_name"]),
        "address": ("Jl. Salah No. 9", original["address"]),
        "mobile number": ("—", original["phone"]),
        "occupation": ("Petani", "—"),
        "kelurahan/desa of domicile": ("Kel. Cacaban", "Kel. Rejowinangun Utara"),
    }
    page = response.content.decode()
    assert "Status, IPSM unit and KTA number stay as they are" in page
    member.refresh_from_db()
    assert member.full_name == "Nama Sesudah Salah Ketik"  # a GET changes nothing


def test_restore_brings_back_the_profile_but_not_status_unit_or_kta(as_user, staff, edited, unit_b):
    member, first, original = edited
    kta = member.kta_number
    response = as_user(staff).post(_url(member, first))
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[member.pk])
    member.refresh_from_db()
    assert {name: getattr(member, name) for name in original} == original
    assert member.kelurahan_id == "33.71.03.1003"
    assert (member.status, member.status_reason, member.unit, member.kta_number) == (
        MemberStatus.NONAKTIF,
        "mengundurkan_diri",
        unit_b,
        kta,
    )
    record = member.history.first()
    when = timezone.localtime(first.history_date).strftime("%d/%m/%Y %H:%M")
    assert record.history_user == staff
    assert record.history_change_reason == f"Restored from the version of {when}"


def test_restore_is_recorded_in_the_readable_history(as_user, staff, edited):
    member, first, original = edited
    client = as_user(staff)
    client.post(_url(member, first))
    newest = client.get(reverse("members:detail", args=[member.pk])).context["history"][0]
    assert newest.reason.startswith("Restored from the version of")
    assert ("full name", "Nama Sesudah Salah Ketik", original["full_name"]) in [
        (c.label, c.old, c.new) for c in newest.changes
    ]


def test_member_page_offers_restore_on_earlier_versions_only(as_user, staff, viewer, edited):
    member, first, _original = edited
    history = as_user(staff).get(reverse("members:detail", args=[member.pk])).context["history"]
    assert history[0].restore_url == ""
    assert all(entry.restore_url for entry in history[1:])
    assert history[-1].restore_url == _url(member, first)
    page = as_user(staff).get(reverse("members:detail", args=[member.pk])).content.decode()
    assert _url(member, first) in page
    assert (
        _url(member, first)
        not in as_user(viewer).get(reverse("members:detail", args=[member.pk])).content.decode()
    )


def test_restore_refused_when_the_nik_now_belongs_to_another_member(as_user, staff, member_a, unit_a):
    old_nik = member_a.nik
    first = member_a.history.get()
    edit(member_a, staff, nik="3371030101800009", full_name="Nama Baru")
    other = factories.MemberFactory(unit=unit_a, nik=old_nik)
    response = as_user(staff).post(_url(member_a, first))
    assert response.status_code == 400
    messages = [(m.level, m.message) for m in get_messages(response.wsgi_request)]
    assert (
        ERROR,
        "The NIK of this version is now registered to another member: it cannot be restored.",
    ) in messages
    member_a.refresh_from_db()
    assert (member_a.nik, member_a.full_name) == ("3371030101800009", "Nama Baru")
    assert member_a.history.count() == 2
    other.refresh_from_db()
    assert other.nik == old_nik


def test_restore_refused_when_the_old_kelurahan_is_outside_the_current_kab_kota(
    staff, superuser, member_a, unit_temanggung, magelang
):
    first = member_a.history.get()
    services.transfer_member(
        member=member_a, to_unit=unit_temanggung, transferred_on=datetime.date(2024, 5, 2), by=superuser
    )
    member_a.refresh_from_db()
    edit(member_a, superuser, kelurahan=magelang["kowangan"])
    with pytest.raises(ValidationError) as refused:
        services.restore_member_version(member=member_a, history_id=first.history_id, by=superuser)
    assert refused.value.code == "kelurahan_elsewhere"
    member_a.refresh_from_db()
    assert member_a.kelurahan_id == "33.23.11.2001"


def test_restoring_the_current_version_changes_nothing(as_user, staff, member_a):
    current = member_a.history.get()
    response = as_user(staff).post(_url(member_a, current))
    assert response.status_code == 302
    assert member_a.history.count() == 1


def test_service_refuses_a_version_of_another_member(staff, member_a, member_b):
    with pytest.raises(ValidationError) as refused:
        services.restore_member_version(
            member=member_a, history_id=member_b.history.get().history_id, by=staff
        )
    assert refused.value.code == "unknown_version"


def test_version_of_another_member_is_not_found(as_user, staff, member_a, member_b):
    url = reverse("members:restore", args=[member_a.pk, member_b.history.get().history_id])
    assert as_user(staff).get(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("staff", 200),
        ("superuser", 200),
        ("coordinator", 200),
        ("viewer", 403),
        ("coordinator_b", 404),
        ("staff_other", 404),
    ],
)
def test_who_may_open_the_restore_page(request, as_user, member_a, who, expected):
    user = request.getfixturevalue(who)
    url = _url(member_a, member_a.history.get())
    assert as_user(user).get(url).status_code == expected


@pytest.mark.parametrize(("who", "expected"), [("viewer", 403), ("coordinator_b", 404), ("staff_other", 404)])
def test_others_cannot_restore(request, as_user, staff, member_a, who, expected):
    first = member_a.history.get()
    edit(member_a, staff, full_name="Nama Baru")
    user = request.getfixturevalue(who)
    assert as_user(user).post(_url(member_a, first)).status_code == expected
    assert Member.objects.get(pk=member_a.pk).full_name == "Nama Baru"


def test_coordinator_of_the_unit_may_restore(as_user, coordinator, staff, member_a):
    first = member_a.history.get()
    original = member_a.full_name
    edit(member_a, staff, full_name="Nama Baru")
    assert as_user(coordinator).post(_url(member_a, first)).status_code == 302
    member_a.refresh_from_db()
    assert member_a.full_name == original
    assert member_a.history.first().history_user == coordinator


def test_restore_needs_login(client, member_a):
    response = client.post(_url(member_a, member_a.history.get()))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
