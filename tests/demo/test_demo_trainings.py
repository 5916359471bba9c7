"""The demo loader's trainings: the joint event of 13 November 2024, earlier bimtek dasar, idempotent."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from ipsm.devtools.demo import SHOWCASE_VILLAGE
from members.models import Member, MemberStatus
from tests.demo.conftest import IN_DEMO_GROUP, load_demo_again
from trainings.models import (
    Attendance,
    AttendanceStatus,
    Event,
    Organiser,
    Participant,
    Session,
    Speaker,
    TrainingType,
    trained_members,
)

User = get_user_model()
JOINT_DAY = datetime.date(2024, 11, 13)
JOINT_TITLE = "Peningkatan Kapasitas Pekerja Sosial Masyarakat (PSM)"

pytestmark = IN_DEMO_GROUP


@pytest.fixture
def joint(demo) -> Event:
    return Event.objects.get(title=JOINT_TITLE, starts_on=JOINT_DAY)


def _snapshot() -> dict:
    models = (Event, Organiser, Speaker, Session, Participant, Attendance)
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "history": Event.history.count(),
        "events": list(Event.objects.order_by("pk").values_list("pk", "updated_at")),
        "participants": list(
            Participant.objects.order_by("pk").values_list(
                "pk", "pre_test_score", "post_test_score", "certificate_number"
            )
        ),
        "attendance": list(Attendance.objects.order_by("pk").values_list("pk", "status")),
    }


def test_joint_event_is_as_the_issue_describes(joint):
    assert joint.training_type == TrainingType.PENINGKATAN_KAPASITAS
    assert (joint.starts_on, joint.ends_on) == (JOINT_DAY, JOINT_DAY)
    assert joint.venue == "Trio Front One Resort Magelang"
    assert joint.budget > 0
    organisers = joint.organisers.all()
    assert sorted(o.region_id for o in organisers) == ["33.23", "33.71"]
    assert all(o.institution_name == "" for o in organisers)


def test_joint_event_has_the_three_materi_with_their_speakers(joint):
    sessions = list(joint.sessions.select_related("speaker__member__unit"))
    assert [s.title for s in sessions] == [
        "Dukungan Pilar-Pilar Sosial Dalam Pelayanan Publik di Kota Magelang",
        "Strategi dan Kemitraan Penanganan Pemerlu Pelayanan Kesejahteraan Sosial di Kecamatan "
        "Magelang Tengah",
        "Best Practice Peran dan Fungsi Pekerja Sosial Masyarakat di Kelurahan Rejowinangun Utara",
    ]
    local = [s.starts_at.astimezone(datetime.UTC) + datetime.timedelta(hours=7) for s in sessions]
    assert [(t.date(), t.hour, t.minute) for t in local] == [
        (JOINT_DAY, 8, 30),
        (JOINT_DAY, 10, 0),
        (JOINT_DAY, 13, 0),
    ]
    peksos, tksk, psm = (s.speaker for s in sessions)
    assert peksos.title == "Pekerja Sosial Profesional" and peksos.member is None
    assert tksk.title == "TKSK Kecamatan Magelang Tengah" and tksk.member is None
    assert psm.member is not None and psm.name == psm.member.full_name
    assert psm.member.unit.region_id == SHOWCASE_VILLAGE
    assert psm.member.status == MemberStatus.AKTIF
    assert psm.member.board_positions.current().exists()


def test_joint_event_invites_psm_of_both_regions(joint):
    participants = joint.participants.all()
    for code in ("33.71", "33.23"):
        assert 25 <= participants.within(code).count() <= 35
    kelurahan = participants.within("33.71").values("member__unit__region_id").distinct().count()
    assert kelurahan >= 5
    statuses = dict(
        Attendance.objects.filter(participant__event=joint).values_list("status").annotate(n=Count("pk"))
    )
    assert statuses[AttendanceStatus.HADIR] >= 0.75 * participants.count()
    assert set(statuses) - {AttendanceStatus.HADIR}  # some izin or tidak hadir


def test_scores_and_certificates_go_to_those_present(demo):
    participants = Participant.objects.prefetch_related("attendance").select_related("event")
    gains = []
    for participant in participants:
        statuses = [row.status for row in participant.attendance.all()]
        assert len(statuses) == len(participant.event.days)
        present_throughout = all(status == AttendanceStatus.HADIR for status in statuses)
        assert (participant.certificate_number is not None) == present_throughout
        assert (participant.pre_test_score is not None) == (statuses[0] == AttendanceStatus.HADIR)
        assert (participant.post_test_score is not None) == (statuses[-1] == AttendanceStatus.HADIR)
        for score in (participant.pre_test_score, participant.post_test_score):
            assert score is None or 0 <= score <= 100
        if present_throughout:
            gains.append(participant.post_test_score - participant.pre_test_score)
            assert participant.certificate_number.startswith(
                f"IPSM/{participant.event.starts_on.year}/{participant.event.pk:04d}/"
            )
    assert sum(gain > 0 for gain in gains) >= 0.85 * len(gains)
    assert (
        Participant.objects.attended().count() == Participant.objects.exclude(certificate_number=None).count()
    )


def test_participants_were_active_on_the_first_day(demo):
    for event in Event.objects.all():
        members = event.participants.values("member")
        assert members.count() == Member.objects.filter(pk__in=members).active_on(event.starts_on).count()


def test_earlier_bimtek_dasar_have_multi_day_attendance(demo):
    bimtek = Event.objects.filter(training_type=TrainingType.BIMTEK_DASAR)
    years = {(e.organisers.get().region_id, e.starts_on.year) for e in bimtek}
    assert {("33.71", 2021), ("33.71", 2023)} <= years
    assert {code for code, _year in years} == {"33.71", "33.23"}
    for event in bimtek:
        assert 2 <= len(event.days) <= 3
        assert 20 <= event.participants.count() <= 40
        assert event.sessions.count() >= 5 and not event.sessions.filter(speaker=None).exists()
        assert {s.starts_at.date() for s in event.sessions.all()} == set(event.days)
        participants = event.participants.annotate(
            present=Count("attendance", filter=Q(attendance__status=AttendanceStatus.HADIR))
        )
        assert participants.filter(present=len(event.days)).count() >= 0.8 * participants.count()
        assert participants.filter(present__gt=0, present__lt=len(event.days)).exists()
    taken_twice = (
        Participant.objects.attended()
        .filter(event__training_type=TrainingType.BIMTEK_DASAR)
        .values("member")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not taken_twice


def test_sosialisasi_has_an_outside_co_organiser(demo):
    event = Event.objects.get(training_type=TrainingType.SOSIALISASI)
    organisers = list(event.organisers.all())
    assert [o.region_id for o in organisers if o.region_id] == ["33.71"]
    assert [o.institution_name for o in organisers if not o.region_id] == [
        "Badan Pusat Statistik Kota Magelang"
    ]


def test_both_staff_see_the_joint_event_and_only_their_own(joint):
    magelang = User.objects.get(username="staf-magelang")
    temanggung = User.objects.get(username="staf-temanggung")
    for user in (magelang, temanggung):
        assert Event.objects.visible_to(user).filter(pk=joint.pk).exists()
    temanggung_only = Event.objects.exclude(organisers__region_id="33.71")
    assert temanggung_only.count() >= 1
    assert not Event.objects.visible_to(magelang).filter(pk__in=temanggung_only).exists()
    assert Event.objects.visible_to(temanggung).filter(pk__in=temanggung_only).count() == (
        temanggung_only.count()
    )
    assert not Event.objects.visible_to(temanggung).filter(training_type=TrainingType.SOSIALISASI).exists()


def test_a_good_share_but_not_all_active_psm_are_trained(demo):
    shares = {}
    for code in ("33.71", "33.23"):
        active = Member.objects.filter(unit__region__code__startswith=code, status=MemberStatus.AKTIF)
        trained = active.filter(pk__in=trained_members())
        shares[code] = trained.count() / active.count()
    assert 0.35 <= shares["33.71"] <= 0.65
    assert 0.03 <= shares["33.23"] < shares["33.71"]


def test_output_counts_the_training_rows(demo):
    assert f"{Event.objects.count()} " in demo
    assert f"{Attendance.objects.count()} " in demo


def test_second_run_creates_nothing(demo, settings):
    settings.DEBUG = True
    before = _snapshot()
    output = load_demo_again()
    assert _snapshot() == before
    assert "ipsm-demo" in output


def test_missing_participants_and_attendance_come_back(joint, settings):
    settings.DEBUG = True
    before = _snapshot()
    removed = joint.participants.order_by("pk")[:3]
    Participant.objects.filter(pk__in=[p.pk for p in removed]).delete()
    Attendance.objects.filter(participant__event__starts_on__year=2021).delete()
    load_demo_again()
    after = _snapshot()
    assert after["counts"] == before["counts"]
    assert (
        Participant.objects.attended().count() == Participant.objects.exclude(certificate_number=None).count()
    )
