"""Training event pages: who may open what, the event list, creating and editing events, sessions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.trainings.conftest import START, make_event, mark_all
from trainings import services
from trainings.models import Attendance, Event, Organiser, OrganiserStatus, Session, Speaker

NINE = datetime.datetime.fromisoformat("2024-05-06T09:00+07:00")
ROLES = ["anonymous", "coordinator", "viewer", "staff", "staff_other", "superuser"]


@pytest.fixture
def users(request, magelang):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


@pytest.fixture
def certified(staff, member_a):
    """The event named by the test (Magelang-only or joint), with member_a certified and one session."""

    def build(event):
        services.invite_members(event=event, members=[member_a], by=staff)
        participant = mark_all(event, member_a)
        services.issue_certificates(event=event)
        session = Session.objects.create(event=event, title="Etika PSM", starts_at=NINE)
        participant.refresh_from_db()
        return event, participant, session

    return build


def _url(page, event, participant, session):
    return {
        "list": reverse("trainings:list"),
        "create": reverse("trainings:create"),
        "detail": reverse("trainings:detail", args=[event.pk]),
        "edit": reverse("trainings:edit", args=[event.pk]),
        "invite": reverse("trainings:invite", args=[event.pk]),
        "attendance": reverse("trainings:attendance", args=[event.pk]),
        "attendance_all_present": reverse("trainings:attendance_all_present", args=[event.pk]),
        "scores": reverse("trainings:scores", args=[event.pk]),
        "certificate": reverse("trainings:certificate", args=[participant.pk]),
        "session_add": reverse("trainings:session_add", args=[event.pk]),
        "session_delete": reverse("trainings:session_delete", args=[session.pk]),
        "issue_certificates": reverse("trainings:issue_certificates", args=[event.pk]),
    }[page]


# Expected status of a GET per page and role, on an event Kota Magelang organises alone.
# fmt: off
EXPECTED_GET = {
    #              anon coord viewer staff other super
    "list":        (302, 403, 200, 200, 200, 200),
    "create":      (302, 403, 403, 200, 200, 200),
    "detail":      (302, 403, 200, 200, 404, 200),
    "edit":        (302, 403, 403, 200, 404, 200),
    "invite":      (302, 403, 403, 200, 404, 200),
    "attendance":  (302, 403, 403, 200, 404, 200),
    "scores":      (302, 403, 403, 200, 404, 200),
    "issue_certificates": (302, 403, 403, 200, 404, 200),
    "certificate": (302, 403, 200, 200, 404, 200),
}
# Writes: 302 back to the event (or, for attendance, to its page) when allowed.
EXPECTED_POST = {
    "session_delete":     (302, 403, 403, 302, 404, 302),
    "issue_certificates": (302, 403, 403, 302, 404, 302),
    "attendance_all_present": (302, 403, 403, 302, 404, 302),
}
# fmt: on


@pytest.mark.parametrize("page", EXPECTED_GET)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_get_access_on_a_single_region_event(client, users, certified, magelang_event, page, role_index):
    urls = certified(magelang_event)
    user = users(ROLES[role_index])
    if user:
        client.force_login(user)
    response = client.get(_url(page, *urls))
    expected = EXPECTED_GET[page][role_index]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", EXPECTED_GET)
def test_staff_of_either_organiser_opens_every_page_of_a_joint_event(
    as_user, staff_other, certified, joint_event, page
):
    assert as_user(staff_other).get(_url(page, *certified(joint_event))).status_code == 200


@pytest.mark.parametrize("page", EXPECTED_POST)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_post_access(client, users, certified, magelang_event, page, role_index):
    urls = certified(magelang_event)
    user = users(ROLES[role_index])
    if user:
        client.force_login(user)
    response = client.post(_url(page, *urls))
    expected = EXPECTED_POST[page][role_index]
    assert response.status_code == expected
    if expected == 302 and user is None:
        assert response["Location"].startswith(reverse("login"))
    elif expected == 302:
        back_to = "trainings:attendance" if page == "attendance_all_present" else "trainings:detail"
        assert response["Location"] == reverse(back_to, args=[magelang_event.pk])
    assert Session.objects.exists() == (page != "session_delete" or expected != 302 or user is None)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("coordinator", 403), ("viewer", 403), ("staff_other", 404), ("staff", 302), ("superuser", 302)],
)
def test_session_add_access(as_user, users, magelang_event, role, expected):
    response = as_user(users(role)).post(
        reverse("trainings:session_add", args=[magelang_event.pk]),
        {"title": "Etika PSM", "starts_at": "2024-05-06T09:00", "speaker_name": "Drs. Bambang"},
    )
    assert response.status_code == expected
    assert Session.objects.exists() == (expected == 302)


def test_session_delete_needs_post(as_user, staff, certified, magelang_event):
    _event, _participant, session = certified(magelang_event)
    url = reverse("trainings:session_delete", args=[session.pk])
    assert as_user(staff).get(url).status_code == 405


# --- The list -------------------------------------------------------------------------------------


def _titles(response):
    return [row.record.title for row in response.context["table"].page.object_list]


@pytest.fixture
def events(staff, staff_other, magelang):
    return [
        make_event(magelang["kota_magelang"], by=staff, title="Bimtek Dasar 2024"),
        make_event(
            magelang["kota_magelang"],
            by=staff,
            title="Sosialisasi Data PMKS",
            training_type="sosialisasi",
            starts_on=datetime.date(2023, 3, 1),
            ends_on=datetime.date(2023, 3, 1),
        ),
        make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, title="Bimtek Bersama"),
        make_event(magelang["temanggung"], by=staff_other, title="Bimtek Temanggung"),
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"Bimtek Dasar 2024", "Sosialisasi Data PMKS", "Bimtek Bersama"}),
        ({"cari": "bersama"}, {"Bimtek Bersama"}),
        ({"jenis": "sosialisasi"}, {"Sosialisasi Data PMKS"}),
        ({"tahun": "2023"}, {"Sosialisasi Data PMKS"}),
    ],
)
def test_list_filters_within_the_users_events(as_user, staff, events, params, expected):
    assert set(_titles(as_user(staff).get(reverse("trainings:list"), params))) == expected


def test_list_of_the_partner_region_shows_only_joint_and_own_events(as_user, staff_other, events):
    assert set(_titles(as_user(staff_other).get(reverse("trainings:list")))) == {
        "Bimtek Bersama",
        "Bimtek Temanggung",
    }


def test_list_sorts_and_paginates(as_user, staff, magelang):
    for n in range(30):
        make_event(magelang["kota_magelang"], by=staff, title=f"Pelatihan {n:02d}")
    client = as_user(staff)
    first = client.get(reverse("trainings:list"), {"urut": "title"})
    assert _titles(first)[:2] == ["Pelatihan 00", "Pelatihan 01"]
    assert len(_titles(first)) == 25
    assert len(_titles(client.get(reverse("trainings:list"), {"urut": "title", "halaman": 2}))) == 5
    assert _titles(client.get(reverse("trainings:list"), {"urut": "-title"}))[0] == "Pelatihan 29"


def test_list_is_newest_first_by_start_date(as_user, staff, magelang):
    dates = [
        ("Maret", "2024-03-01"),
        ("Juli", "2024-07-01"),
        ("Januari", "2025-01-15"),
        ("Juli 2", "2024-07-01"),
    ]
    for title, starts_on in dates:
        day = datetime.date.fromisoformat(starts_on)
        make_event(magelang["kota_magelang"], by=staff, title=title, starts_on=day, ends_on=day)
    response = as_user(staff).get(reverse("trainings:list"))
    assert _titles(response) == [
        "Januari",
        "Juli 2",
        "Juli",
        "Maret",
    ]  # the same day: the later entered first
    ascending = as_user(staff).get(reverse("trainings:list"), {"urut": "starts_on"})
    assert _titles(ascending) == ["Maret", "Juli", "Juli 2", "Januari"]
    content = response.content.decode()
    assert "Tanggal selesai" in content and "Akhiri" not in content


def test_list_shows_counts(as_user, staff, magelang_event, member_a, member_b):
    services.invite_members(event=magelang_event, members=[member_a, member_b], by=staff)
    mark_all(magelang_event, member_a)
    services.issue_certificates(event=magelang_event)
    row = as_user(staff).get(reverse("trainings:list")).context["table"].page.object_list[0].record
    assert (row.participant_count, row.certificate_count) == (2, 1)


def test_list_takes_a_constant_number_of_queries(as_user, staff, magelang, django_assert_num_queries):
    client = as_user(staff)
    make_event(magelang["kota_magelang"], by=staff)
    client.get(reverse("trainings:list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("trainings:list"))
    for n in range(8):
        make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, title=f"Bersama {n}")
    with django_assert_num_queries(len(few)):
        response = client.get(reverse("trainings:list"))
    assert len(_titles(response)) == 9


# --- Creating and editing -------------------------------------------------------------------------


def _event_data(**overrides):
    data = {
        "title": "Bimtek Lanjutan PSM",
        "training_type": "bimtek_lanjutan",
        "starts_on": "2024-07-01",
        "ends_on": "2024-07-03",
        "venue": "Hotel Atria Magelang",
        "budget": "15000000",
        "description": "Pendampingan kasus.",
        "organiser_regions": ["33.71"],
        "other_organisers": "LKS Sejahtera\n\n  Universitas Tidar  \nLKS Sejahtera",
    }
    data.update(overrides)
    return data


def test_create_form_offers_the_users_own_kabkota_by_default(as_user, staff):
    form = as_user(staff).get(reverse("trainings:create")).context["form"]
    assert form["organiser_regions"].value() == ["33.71"]
    assert set(form.fields["organiser_regions"].queryset.values_list("code", flat=True)) == {"33.71", "33.23"}


def test_staff_create_an_event_with_organisers(as_user, staff):
    response = as_user(staff).post(reverse("trainings:create"), _event_data())
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:detail", args=[event.pk])
    assert event.created_by == staff
    assert sorted(str(o) for o in event.organisers.all()) == [
        "Dinas Sosial Kota Magelang",
        "LKS Sejahtera",
        "Universitas Tidar",
    ]


def test_naming_another_office_only_invites_it(as_user, staff, staff_other):
    as_user(staff).post(reverse("trainings:create"), _event_data(organiser_regions=["33.71", "33.23"]))
    event = Event.objects.get()
    assert event.organiser_codes == ["33.71"]
    invitation = event.organisers.get(region_id="33.23")
    assert (invitation.status, invitation.invited_by) == (OrganiserStatus.INVITED, staff)
    assert not Event.objects.visible_to(staff_other).filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"organiser_regions": ["33.23"]}, "organiser_regions"),
        ({"organiser_regions": [], "other_organisers": "LKS Sejahtera"}, "organiser_regions"),
        ({"ends_on": "2024-06-30"}, "ends_on"),
        ({"budget": "-5"}, "budget"),
        ({"title": ""}, "title"),
    ],
)
def test_create_refuses_bad_input(as_user, staff, overrides, field):
    response = as_user(staff).post(reverse("trainings:create"), _event_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Event.objects.exists()


def test_superuser_may_create_an_event_without_own_region(as_user, superuser, magelang):
    as_user(superuser).post(reverse("trainings:create"), _event_data(organiser_regions=["33.23"]))
    assert Event.objects.get().organiser_codes == ["33.23"]


def test_edit_shows_current_organisers_and_shortening_drops_attendance_days(
    as_user, staff, magelang, member_a
):
    event = make_event(magelang["kota_magelang"], by=staff, days=3)
    Organiser.objects.create(event=event, institution_name="LKS Sejahtera")
    services.invite_members(event=event, members=[member_a], by=staff)
    client = as_user(staff)
    form = client.get(reverse("trainings:edit", args=[event.pk])).context["form"]
    assert form["organiser_regions"].value() == ["33.71"]
    assert form["other_organisers"].value() == "LKS Sejahtera"
    response = client.post(
        reverse("trainings:edit", args=[event.pk]),
        _event_data(starts_on=START.isoformat(), ends_on=START.isoformat(), other_organisers=""),
    )
    assert response.status_code == 302
    assert list(Attendance.objects.values_list("day", flat=True)) == [START]
    assert [str(o) for o in event.organisers.all()] == ["Dinas Sosial Kota Magelang"]


def test_partner_staff_edit_a_joint_event_and_may_leave_it_but_not_drop_the_other(
    as_user, staff, staff_other, joint_event
):
    client = as_user(staff_other)
    url = reverse("trainings:edit", args=[joint_event.pk])
    response = client.post(url, _event_data(organiser_regions=["33.23"]))
    assert response.status_code == 200
    assert response.context["form"].errors["organiser_regions"] == [
        "Hanya Dinas Sosial Kota Magelang sendiri yang dapat keluar dari kegiatan ini."
    ]
    assert client.post(url, _event_data(organiser_regions=["33.71", "33.23"])).status_code == 302
    joint_event.refresh_from_db()
    assert joint_event.title == "Bimtek Lanjutan PSM"
    # Temanggung leaves: the event stays Magelang's, out of Temanggung's sight.
    response = client.post(url, _event_data(organiser_regions=["33.71"]))
    assert response["Location"] == reverse("trainings:list")
    assert joint_event.organiser_codes == ["33.71"]
    assert client.get(reverse("trainings:detail", args=[joint_event.pk])).status_code == 404
    assert as_user(staff).get(reverse("trainings:detail", args=[joint_event.pk])).status_code == 200


# --- Detail and sessions --------------------------------------------------------------------------


def test_add_a_session_with_a_new_speaker_from_the_registry(as_user, staff, magelang_event, member_a):
    response = as_user(staff).post(
        reverse("trainings:session_add", args=[magelang_event.pk]),
        {
            "title": "Pendampingan lansia",
            "starts_at": "2024-05-07T13:00",
            "ends_at": "2024-05-07T15:00",
            "speaker_title": "Ketua IPSM",
            "speaker_member": member_a.kta_number,
        },
    )
    assert response.status_code == 302
    session = Session.objects.select_related("speaker").get()
    assert (session.speaker.name, session.speaker.member, session.speaker.title) == (
        member_a.full_name,
        member_a,
        "Ketua IPSM",
    )
    assert session.starts_at.date() == datetime.date(2024, 5, 7)


def test_add_a_session_with_an_existing_speaker(as_user, staff, magelang_event):
    speaker = Speaker.objects.create(name="Dr. Hartono", institution="Universitas Tidar")
    as_user(staff).post(
        reverse("trainings:session_add", args=[magelang_event.pk]),
        {"title": "Regulasi PSM", "starts_at": "2024-05-06T09:00", "speaker": speaker.pk},
    )
    assert Session.objects.get().speaker == speaker
    assert Speaker.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"starts_at": "2024-05-09T09:00", "speaker_name": "Budi"}, "starts_at"),
        ({"starts_at": "2024-05-06T09:00", "ends_at": "2024-05-06T08:00"}, "ends_at"),
        ({"starts_at": "2024-05-06T09:00", "speaker_title": "Kabid"}, "speaker_name"),
        ({"starts_at": "2024-05-06T09:00", "speaker_member": "TIDAK-ADA"}, "speaker_member"),
    ],
)
def test_add_session_refuses_bad_input(as_user, staff, magelang_event, data, field):
    response = as_user(staff).post(
        reverse("trainings:session_add", args=[magelang_event.pk]), {"title": "Materi", **data}
    )
    assert response.status_code == 400
    assert field in response.context["session_form"].errors
    assert not Session.objects.exists()
    assert not Speaker.objects.exists()


def test_add_session_refuses_both_existing_and_new_speaker(as_user, staff, magelang_event):
    speaker = Speaker.objects.create(name="Dr. Hartono")
    response = as_user(staff).post(
        reverse("trainings:session_add", args=[magelang_event.pk]),
        {"title": "Materi", "starts_at": "2024-05-06T09:00", "speaker": speaker.pk, "speaker_name": "Budi"},
    )
    assert "speaker" in response.context["session_form"].errors
    assert not Session.objects.exists()


def test_speaker_from_another_region_is_neither_offered_nor_accepted(
    as_user, staff, staff_other, magelang, magelang_event, member_temanggung
):
    other_event = make_event(magelang["temanggung"], by=staff_other)
    theirs = Speaker.objects.create(name="Narasumber Temanggung", member=member_temanggung)
    Session.objects.create(event=other_event, title="X", speaker=theirs, starts_at=NINE)
    client = as_user(staff)
    form = client.get(reverse("trainings:detail", args=[magelang_event.pk])).context["session_form"]
    assert theirs not in form.fields["speaker"].queryset
    response = client.post(
        reverse("trainings:session_add", args=[magelang_event.pk]),
        {"title": "Materi", "starts_at": "2024-05-06T09:00", "speaker_member": member_temanggung.kta_number},
    )
    assert "speaker_member" in response.context["session_form"].errors


def test_viewer_sees_the_event_without_forms(as_user, viewer, certified, magelang_event):
    certified(magelang_event)
    response = as_user(viewer).get(reverse("trainings:detail", args=[magelang_event.pk]))
    content = response.content.decode()
    assert response.context["session_form"] is None
    assert 'id="session-form"' not in content
    assert 'id="invite-link"' not in content
    assert 'id="issue-certificates"' not in content


def test_detail_lists_sessions_participants_and_counts(as_user, staff, certified, magelang_event, member_b):
    _event, participant, _session = certified(magelang_event)
    services.invite_members(event=magelang_event, members=[member_b], by=staff)
    response = as_user(staff).get(reverse("trainings:detail", args=[magelang_event.pk]))
    assert response.context["counts"] == {"invited": 2, "attended": 1, "certified": 1}
    content = response.content.decode()
    assert reverse("trainings:certificate", args=[participant.pk]) in content
    assert participant.certificate_number in content
    assert "Etika PSM" in content


@pytest.mark.parametrize(("language", "shown"), [("id", "Rp\u00a05.000.000"), ("en", "Rp\u00a05,000,000")])
def test_detail_shows_the_budget_in_the_pages_number_format(as_user, staff, magelang, language, shown):
    event = make_event(magelang["kota_magelang"], by=staff, budget=5_000_000)
    client = as_user(staff)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    content = client.get(reverse("trainings:detail", args=[event.pk])).content.decode()
    assert f'<span id="event-budget">{shown}</span>' in content


def test_detail_takes_a_constant_number_of_queries(
    as_user, staff, magelang, unit_a, unit_temanggung, django_assert_num_queries
):
    event = make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, days=3)
    client = as_user(staff)
    url = reverse("trainings:detail", args=[event.pk])

    def grow(n):
        members = factories.MemberFactory.create_batch(n, unit=unit_a) + factories.MemberFactory.create_batch(
            n, unit=unit_temanggung
        )
        services.invite_members(event=event, members=members, by=staff)
        for member in members:
            mark_all(event, member)
        for k in range(n):
            speaker = Speaker.objects.create(name=f"Narasumber {k}", member=members[k])
            Session.objects.create(event=event, title=f"Materi {k}", speaker=speaker, starts_at=NINE)
        services.issue_certificates(event=event)

    grow(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(5)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.context["counts"]["certified"] == 12
