"""Training services and QuerySet methods, tested directly."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from members.models import MemberStatus
from tests import factories
from tests.trainings.conftest import START, make_event, mark_all
from trainings import services
from trainings.models import Attendance, AttendanceStatus, Event, Participant, Session, Speaker

NINE = datetime.datetime.fromisoformat("2024-05-06T09:00+07:00")


def test_save_event_needs_an_organiser(staff):
    event = Event(title="X", training_type="lainnya", starts_on=START, ends_on=START, venue="Aula")
    with pytest.raises(ValidationError):
        services.save_event(event=event, organiser_regions=[], other_organisers=["  "], by=staff)
    assert not Event.objects.exists()


def test_save_event_sets_exactly_the_given_organisers(staff, magelang):
    event = make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff)
    services.save_event(
        event=event, organiser_regions=[magelang["temanggung"]], other_organisers=["LKS Sejahtera"], by=staff
    )
    assert sorted(str(o) for o in event.organisers.all()) == [
        "Dinas Sosial Kabupaten Temanggung",
        "LKS Sejahtera",
    ]


def test_invite_skips_inactive_and_already_invited(staff, magelang_event, member_a, unit_a):
    inactive = factories.MemberFactory(unit=unit_a, status=MemberStatus.NONAKTIF, status_reason="lainnya")
    assert services.invite_members(event=magelang_event, members=[member_a, inactive], by=staff) == 1
    assert services.invite_members(event=magelang_event, members=[member_a], by=staff) == 0
    assert Attendance.objects.count() == 2


def test_invite_candidates_cover_every_organising_region(
    staff, joint_event, magelang_event, member_a, member_temanggung, unit_b
):
    calon = factories.MemberFactory(unit=unit_b, status=MemberStatus.CALON)
    assert set(joint_event.invite_candidates()) == {member_a, member_temanggung, calon}
    assert set(magelang_event.invite_candidates()) == {member_a, calon}
    services.invite_members(event=joint_event, members=[member_a], by=staff)
    assert set(joint_event.invite_candidates()) == {member_temanggung, calon}


def test_event_of_other_institutions_only_has_no_candidates(superuser, member_a):
    event = Event(title="X", training_type="lainnya", starts_on=START, ends_on=START, venue="Aula")
    services.save_event(event=event, organiser_regions=[], other_organisers=["Kemensos"], by=superuser)
    assert not event.invite_candidates().exists()


def test_record_attendance_refuses_an_unknown_status(staff, magelang_event, member_a):
    services.invite_members(event=magelang_event, members=[member_a], by=staff)
    participant = member_a.trainings.get()
    with pytest.raises(ValidationError):
        services.record_attendance(event=magelang_event, marks={(participant.pk, START): "bolos"})


def test_record_attendance_is_all_or_nothing(staff, magelang_event, member_a):
    services.invite_members(event=magelang_event, members=[member_a], by=staff)
    participant = member_a.trainings.get()
    for bad in ("bolos", None):
        day = magelang_event.ends_on if bad else magelang_event.ends_on + datetime.timedelta(days=1)
        with pytest.raises(ValidationError):
            services.record_attendance(
                event=magelang_event,
                marks={(participant.pk, START): "hadir", (participant.pk, day): bad or "hadir"},
            )
    assert not Attendance.objects.filter(status="hadir").exists()


def test_record_scores_only_touches_the_events_participants(
    staff, magelang, magelang_event, member_a, member_b
):
    other = make_event(magelang["kota_magelang"], by=staff, title="Lain")
    services.invite_members(event=magelang_event, members=[member_a], by=staff)
    services.invite_members(event=other, members=[member_b], by=staff)
    theirs = member_b.trainings.get()
    ours = member_a.trainings.get()
    changed = services.record_scores(
        event=magelang_event,
        scores={ours.pk: (Decimal("40"), Decimal("80")), theirs.pk: (Decimal("1"), None)},
    )
    assert changed == 1
    theirs.refresh_from_db()
    assert theirs.pre_test_score is None


def test_certificates_only_for_those_present_every_day_and_idempotent(staff, magelang_event, unit_a):
    present, half, absent = factories.MemberFactory.create_batch(3, unit=unit_a)
    services.invite_members(event=magelang_event, members=[present, half, absent], by=staff)
    mark_all(magelang_event, present)
    services.record_attendance(
        event=magelang_event,
        marks={(half.trainings.get().pk, START): AttendanceStatus.HADIR},
    )
    mark_all(magelang_event, absent, AttendanceStatus.IZIN)
    plan = services.issue_certificates(event=magelang_event)
    assert [p.member for p in plan.due] == [present]
    assert {p.member: why for p, why in plan.left_out} == {
        half: "kehadiran 1 hari belum dicatat",
        absent: "tidak hadir setiap hari: hadir 0 dari 2 hari",
    }
    assert services.issue_certificates(event=magelang_event).due == []
    numbers = dict(Participant.objects.values_list("member_id", "certificate_number"))
    assert numbers == {present.pk: f"IPSM/2024/{magelang_event.pk:04d}/001", half.pk: None, absent.pk: None}
    # Once the second day is marked, the next number follows on; the first stays as it was.
    mark_all(magelang_event, half)
    assert len(services.issue_certificates(event=magelang_event).due) == 1
    assert half.trainings.get().certificate_number == f"IPSM/2024/{magelang_event.pk:04d}/002"
    assert present.trainings.get().certificate_number.endswith("/001")


def test_participant_counts_in_one_query(staff, magelang_event, unit_a, django_assert_num_queries):
    members = factories.MemberFactory.create_batch(3, unit=unit_a)
    services.invite_members(event=magelang_event, members=members, by=staff)
    mark_all(magelang_event, members[0])
    mark_all(magelang_event, members[1])
    services.issue_certificates(event=magelang_event)
    mark_all(magelang_event, members[1], AttendanceStatus.TIDAK_HADIR)
    with django_assert_num_queries(1):
        counts = magelang_event.participants.counts()
    assert counts == {"invited": 3, "attended": 1, "certified": 2}


def test_add_session_with_a_new_speaker(staff, magelang_event, member_a):
    session = services.add_session(
        event=magelang_event,
        title="Etika PSM",
        starts_at=NINE,
        ends_at=None,
        new_speaker={"name": member_a.full_name, "title": "", "institution": "IPSM", "member": member_a},
        by=staff,
    )
    assert session.speaker.member == member_a


def test_add_session_refuses_two_speakers(staff, magelang_event):
    speaker = Speaker.objects.create(name="Dr. Hartono")
    with pytest.raises(ValidationError):
        services.add_session(
            event=magelang_event,
            title="X",
            starts_at=NINE,
            ends_at=None,
            speaker=speaker,
            new_speaker={"name": "Budi", "title": "", "institution": "", "member": None},
            by=staff,
        )
    assert not Session.objects.exists()
    assert Speaker.objects.count() == 1


def test_speakers_visible_to_staff(staff, staff_other, magelang, magelang_event, member_a, member_temanggung):
    theirs_event = make_event(magelang["temanggung"], by=staff_other)
    ours = factories.SessionFactory(event=magelang_event, speaker=factories.SpeakerFactory()).speaker
    theirs = factories.SessionFactory(event=theirs_event, speaker=factories.SpeakerFactory()).speaker
    free = factories.SpeakerFactory(name="Unbooked outsider")
    their_psm = factories.SpeakerFactory(name="Their PSM", member=member_temanggung)
    our_psm = factories.SpeakerFactory(name="Our PSM", member=member_a)
    assert set(Speaker.objects.visible_to(staff)) == {ours, free, our_psm}
    assert set(Speaker.objects.visible_to(staff_other)) == {theirs, free, their_psm}


def test_events_and_participants_visible_to_each_organiser(
    staff, staff_other, viewer, coordinator, joint_event, magelang_event, member_a
):
    services.invite_members(event=joint_event, members=[member_a], by=staff)
    services.invite_members(event=magelang_event, members=[member_a], by=staff)
    assert set(Event.objects.visible_to(staff)) == {joint_event, magelang_event}
    assert set(Event.objects.visible_to(viewer)) == {joint_event, magelang_event}
    assert set(Event.objects.visible_to(staff_other)) == {joint_event}
    assert not Event.objects.visible_to(coordinator).exists()
    assert [p.event for p in Participant.objects.visible_to(staff_other)] == [joint_event]


def test_certificate_numbers_never_repeat_after_a_participant_is_removed(staff, magelang_event, unit_a):
    members = factories.MemberFactory.create_batch(4, unit=unit_a)
    services.invite_members(event=magelang_event, members=members, by=staff)
    for member in members[:3]:
        mark_all(magelang_event, member)
    assert len(services.issue_certificates(event=magelang_event).due) == 3
    removed = magelang_event.participants.order_by("certificate_number").first()
    removed.delete()
    mark_all(magelang_event, members[3])
    assert len(services.issue_certificates(event=magelang_event).due) == 1
    numbers = list(magelang_event.participants.values_list("certificate_number", flat=True))
    assert len(set(numbers)) == 3
    assert removed.certificate_number not in numbers
