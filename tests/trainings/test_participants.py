"""Participants: inviting PSM of the organising regions, and what staff of a partner region see of a joint
event (attendance and scores: test_attendance.py; certificates: test_certificates.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import MemberStatus, Region
from tests import factories
from tests.trainings.conftest import make_event, mark_all
from trainings import services
from trainings.models import Attendance, AttendanceStatus, Participant


def _candidates(response):
    return {member.full_name for member in response.context["page"].object_list}


@pytest.fixture
def roster(unit_a, unit_b, unit_temanggung, magelang):
    unit_selatan = factories.UnitFactory(region=magelang["magersari"])
    return {
        "budi": factories.MemberFactory(unit=unit_a, full_name="Budi Santoso"),
        "siti": factories.MemberFactory(unit=unit_b, full_name="Siti Rahayu", status=MemberStatus.CALON),
        "agus": factories.MemberFactory(unit=unit_selatan, full_name="Agus Wibowo"),
        "eko": factories.MemberFactory(
            unit=unit_a, full_name="Eko Purnomo", status=MemberStatus.NONAKTIF, status_reason="lainnya"
        ),
        "wulan": factories.MemberFactory(unit=unit_temanggung, full_name="Wulan Lestari"),
    }


# --- Inviting -------------------------------------------------------------------------------------


def test_candidates_are_active_and_candidate_psm_of_the_organising_region(
    as_user, staff, magelang_event, roster
):
    response = as_user(staff).get(reverse("trainings:invite", args=[magelang_event.pk]))
    assert _candidates(response) == {"Budi Santoso", "Siti Rahayu", "Agus Wibowo"}


def test_joint_event_offers_both_regions_psm_to_either_staff(
    as_user, staff, staff_other, joint_event, roster
):
    expected = {"Budi Santoso", "Siti Rahayu", "Agus Wibowo", "Wulan Lestari"}
    url = reverse("trainings:invite", args=[joint_event.pk])
    assert _candidates(as_user(staff).get(url)) == expected
    assert _candidates(as_user(staff_other).get(url)) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kecamatan": "33.71.01"}, {"Agus Wibowo"}),
        ({"kecamatan": "33.71.03", "kelurahan": "33.71.03.1002"}, {"Siti Rahayu"}),
        ({"kecamatan": "33.23.11"}, {"Wulan Lestari"}),
        ({"cari": "rahayu"}, {"Siti Rahayu"}),
        ({"belum_dilatih": "1"}, {"Agus Wibowo", "Wulan Lestari"}),
        ({"belum_dilatih": "dasar"}, {"Siti Rahayu", "Agus Wibowo", "Wulan Lestari"}),
    ],
)
def test_invite_filters(as_user, staff, magelang, joint_event, roster, params, expected):
    # Budi attended a bimtek dasar; Siti attended only a sosialisasi; Agus was invited to one but stayed away.
    dasar = make_event(
        magelang["kota_magelang"], by=staff, title="Bimtek 2023", starts_on=datetime.date(2023, 1, 1)
    )
    sosialisasi = make_event(
        magelang["kota_magelang"], by=staff, training_type="sosialisasi", starts_on=datetime.date(2023, 2, 1)
    )
    services.invite_members(event=dasar, members=[roster["budi"], roster["agus"]], by=staff)
    services.invite_members(event=sosialisasi, members=[roster["siti"]], by=staff)
    mark_all(dasar, roster["budi"])
    mark_all(dasar, roster["agus"], AttendanceStatus.TIDAK_HADIR)
    mark_all(sosialisasi, roster["siti"])
    response = as_user(staff).get(reverse("trainings:invite", args=[joint_event.pk]), params)
    assert _candidates(response) == expected


def test_kecamatan_choices_are_those_of_the_organising_regions(as_user, staff, magelang_event, roster):
    form = as_user(staff).get(reverse("trainings:invite", args=[magelang_event.pk])).context["filter"].form
    assert set(form.fields["kecamatan"].queryset.values_list("code", flat=True)) == {"33.71.01", "33.71.03"}


def test_invite_in_bulk_gives_attendance_rows_for_every_day(as_user, staff, magelang_event, roster):
    url = reverse("trainings:invite", args=[magelang_event.pk])
    response = as_user(staff).post(url, {"member": [roster["budi"].pk, roster["siti"].pk]})
    assert response.status_code == 302
    assert response["Location"] == url
    participants = Participant.objects.filter(event=magelang_event)
    assert {p.member.full_name for p in participants} == {"Budi Santoso", "Siti Rahayu"}
    assert participants.first().invited_by == staff
    assert Attendance.objects.filter(participant__event=magelang_event).count() == 4
    assert _candidates(as_user(staff).get(url)) == {"Agus Wibowo"}


def test_invite_ignores_members_outside_the_candidates(as_user, staff, magelang, magelang_event, roster):
    """A PSM of a third kab/kota, an inactive PSM, or a partner's PSM on a one-region event: all ignored."""
    kabupaten = Region.objects.create(
        code="33.08", name="Kabupaten Magelang", level="kabupaten", parent=magelang["jateng"]
    )
    village = kabupaten.children.create(code="33.08.01", name="Salaman", level="kecamatan").children.create(
        code="33.08.01.2001", name="Salaman", level="desa"
    )
    stranger = factories.MemberFactory(unit=factories.UnitFactory(region=village))
    ids = [stranger.pk, roster["eko"].pk, roster["wulan"].pk, "x", roster["budi"].pk]
    as_user(staff).post(reverse("trainings:invite", args=[magelang_event.pk]), {"member": ids})
    assert list(Participant.objects.values_list("member__full_name", flat=True)) == ["Budi Santoso"]


def test_invite_returns_to_a_safe_next_url_only(as_user, staff, magelang_event, roster, unit_a):
    client = as_user(staff)
    url = reverse("trainings:invite", args=[magelang_event.pk])
    unit_page = reverse("members:unit_detail", args=[unit_a.pk])
    response = client.post(url, {"member": [roster["budi"].pk], "next": unit_page})
    assert response["Location"] == unit_page
    response = client.post(url, {"member": [roster["siti"].pk], "next": "https://evil.example/"})
    assert response["Location"] == url
    assert Participant.objects.count() == 2


def test_invite_list_is_paginated(as_user, staff, magelang_event, unit_a):
    factories.MemberFactory.create_batch(55, unit=unit_a)
    client = as_user(staff)
    url = reverse("trainings:invite", args=[magelang_event.pk])
    assert len(client.get(url).context["page"].object_list) == 50
    assert len(client.get(url, {"halaman": 2}).context["page"].object_list) == 5


def test_invite_list_takes_a_constant_number_of_queries(
    as_user, staff, joint_event, unit_a, unit_temanggung, django_assert_num_queries
):
    client = as_user(staff)
    url = reverse("trainings:invite", args=[joint_event.pk])
    factories.MemberFactory(unit=unit_a)
    client.get(url, {"belum_dilatih": "1"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"belum_dilatih": "1"})
    factories.MemberFactory.create_batch(6, unit=unit_a)
    factories.MemberFactory.create_batch(6, unit=unit_temanggung)
    with django_assert_num_queries(len(few)):
        response = client.get(url, {"belum_dilatih": "1"})
    assert len(response.context["page"].object_list) == 13


# --- Joint events: what the partner region sees ---------------------------------------------------


def test_partner_staff_see_joint_participants_but_not_their_member_pages(
    as_user, staff, staff_other, joint_event, member_a, member_temanggung
):
    services.invite_members(event=joint_event, members=[member_a, member_temanggung], by=staff)
    client = as_user(staff_other)
    content = client.get(reverse("trainings:detail", args=[joint_event.pk])).content.decode()
    assert member_a.full_name in content
    assert reverse("members:detail", args=[member_a.pk]) not in content
    assert reverse("members:detail", args=[member_temanggung.pk]) in content
    assert client.get(reverse("members:detail", args=[member_a.pk])).status_code == 404


def test_partner_staff_mark_attendance_and_print_certificates_of_the_other_region(
    as_user, staff, staff_other, joint_event, member_a
):
    services.invite_members(event=joint_event, members=[member_a], by=staff)
    participant = member_a.trainings.get()
    client = as_user(staff_other)
    url = reverse("trainings:attendance_all_present", args=[joint_event.pk])
    for day in joint_event.days:
        assert client.post(url, {"hari": day.isoformat()}).status_code == 302
    client.post(reverse("trainings:issue_certificates", args=[joint_event.pk]))
    assert client.get(reverse("trainings:certificate", args=[participant.pk])).status_code == 200


def test_partner_staff_see_nothing_of_the_other_regions_own_events(
    as_user, staff, staff_other, magelang_event, member_a
):
    services.invite_members(event=magelang_event, members=[member_a], by=staff)
    mark_all(magelang_event, member_a)
    services.issue_certificates(event=magelang_event)
    participant = member_a.trainings.get()
    client = as_user(staff_other)
    assert client.get(reverse("trainings:certificate", args=[participant.pk])).status_code == 404
    assert (
        client.post(reverse("trainings:invite", args=[magelang_event.pk]), {"member": [1]}).status_code == 404
    )


def test_invite_ignores_ids_that_are_not_plain_digits(as_user, staff, magelang_event, member_a):
    response = as_user(staff).post(f"/pelatihan/{magelang_event.pk}/undang/", {"member": ["²", "٣"]})
    assert response.status_code == 302
    assert not magelang_event.participants.exists()
