"""generate_national_data (ipsm/devtools/national_data.py): valid, consistent rows in an empty registry.

Run on the real regions of Kota Magelang only (17 kelurahan): a kab/kota gets its share of the national
figures, so about 85 PSM, 200 cases, one or two training events and some 700 monthly reports; and a year
of its IPSM (boards, meetings), its partners and last year's indicator targets.
"""

import datetime
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from cases.models import (
    CASE_TRANSITIONS,
    Case,
    CasePsmAssignment,
    CaseStatus,
    CaseStatusChange,
    CoverageRefresh,
    MonthlyReport,
    PmksCategory,
    PmksCount,
    ReportActivity,
    ReportState,
)
from ipsm.devtools.national_data import RegistryNotEmpty, generate
from members.legality import SK_EXPIRED, SK_MISSING, SK_VALID, member_sk_status
from members.models import (
    BoardDecree,
    BoardPosition,
    BoardRole,
    Contribution,
    FollowUp,
    Meeting,
    MeetingAttendance,
    MeetingDecision,
    MeetingKind,
    Member,
    MemberStatus,
    Partner,
    PartnerSector,
    ProgrammeActivity,
    RealisedBy,
    RegionLevel,
    StatusChange,
    Unit,
    WorkProgramme,
)
from members.nik import nik_mismatches, parse_nik
from members.regions import load_regions
from members.services import format_kta
from trainings.indicators import DEFINITIONS
from trainings.models import Attendance, AttendanceStatus, Event, IndicatorTarget, Participant

TODAY = datetime.date(2026, 6, 1)
WINDOW = (datetime.date(2025, 6, 1), datetime.date(2026, 5, 31))  # the 12 whole months before TODAY's


@pytest.fixture
def generated(db):
    load_regions(["33.71"])
    return generate(scale=1, seed=3, today=TODAY, log=lambda text: None, load_all_regions=False)


def test_units_members_and_their_status_history(generated):
    villages = 17
    assert Unit.objects.count() == generated.units == villages
    members = list(Member.objects.select_related("unit"))
    assert len(members) == generated.members > 3 * villages
    assert len({member.nik for member in members}) == len(members)
    for member in members:
        parts = parse_nik(member.nik)  # raises on an invalid NIK
        assert member.nik[:6] == member.unit.region_id.replace(".", "")[:6]
        assert not nik_mismatches(parts, is_female=member.sex == "P", birth_date=member.birth_date)
        assert member.birth_date.replace(year=member.birth_date.year + 18) <= member.joined_on
        assert member.kelurahan_id == member.unit.region_id
    by_unit = Counter(member.unit_id for member in members)
    for unit in Unit.objects.all():
        assert unit.kta_serial == by_unit[unit.pk]
        kta = sorted(m.kta_number for m in members if m.unit_id == unit.pk)
        assert kta == sorted(format_kta(unit, serial) for serial in range(1, unit.kta_serial + 1))
    statuses = Counter(member.status for member in members)
    assert statuses[MemberStatus.AKTIF] > statuses[MemberStatus.NONAKTIF] > 0
    assert all(m.status_reason for m in members if m.status == MemberStatus.NONAKTIF)
    steps = Counter(StatusChange.objects.values_list("member_id", flat=True))
    assert all(steps[m.pk] == (2 if m.status == MemberStatus.NONAKTIF else 1) for m in members)


def test_pmks_counts_cover_every_active_category_and_three_years(generated):
    categories = PmksCategory.objects.filter(is_active=True).count()
    assert PmksCount.objects.count() == generated.pmks_counts == 17 * categories * 3
    years = sorted(PmksCount.objects.values_list("year", flat=True).distinct())
    assert years == [2023, 2024, 2025]
    fakir_miskin = PmksCount.objects.filter(category__number=24).aggregate(n=Count("pk", distinct=True))
    assert fakir_miskin["n"] == 17 * 3


def test_cases_have_a_psm_of_their_kab_kota_and_one_step_each(generated):
    cases = list(Case.objects.select_related("psm__unit"))
    assert len(cases) == generated.cases > 100
    assert {case.status for case in cases} == set(CaseStatus)
    with_psm = [case for case in cases if case.psm_id]
    assert len(with_psm) > len(cases) / 2
    assert all(case.psm.unit.region_id[:5] == case.kelurahan_id[:5] for case in with_psm)
    assert all(case.psm.status == MemberStatus.AKTIF for case in with_psm)
    assert all(bool(case.close_reason) == (case.status == CaseStatus.DITUTUP) for case in cases)
    assert CasePsmAssignment.objects.count() == len(with_psm)
    for step in CaseStatusChange.objects.select_related("case"):
        assert step.new_status == step.case.status
        assert step.old_status == "" or step.new_status in CASE_TRANSITIONS[step.old_status]


def test_trainings_with_attendance_per_day_and_certificates_for_the_present(generated):
    assert Event.objects.count() == generated.events >= 1
    assert all(event.organiser_codes == ["33.71"] for event in Event.objects.prefetch_related("organisers"))
    participants = list(Participant.objects.select_related("event", "member").prefetch_related("attendance"))
    assert len(participants) == generated.participants > 0
    assert Attendance.objects.count() == generated.attendance
    for participant in participants:
        event = participant.event
        assert [row.day for row in participant.attendance.all()] == event.days
        assert participant.member.status != MemberStatus.NONAKTIF
        present = participant.was_present_every_day() and event.starts_on < TODAY
        assert bool(participant.certificate_number) == present
        if event.starts_on > TODAY:
            assert {row.status for row in participant.attendance.all()} == {AttendanceStatus.DIUNDANG}


def test_monthly_reports_for_the_members_aktif_at_the_end_of_each_of_the_last_12_months(generated):
    reports = list(MonthlyReport.objects.select_related("member").prefetch_related("activities"))
    assert len(reports) == generated.monthly_reports > 0
    months = [datetime.date(2025, month, 1) for month in range(6, 13)]
    months += [datetime.date(2026, month, 1) for month in range(1, 6)]
    assert sorted({report.month for report in reports}) == months
    assert len({(report.member_id, report.month) for report in reports}) == len(reports)
    assert {report.state for report in reports} == set(ReportState)
    # Expected from the members aktif on the month's last day, as cases/reporting.py counts them.
    last_days = {month: _next_month(month) - datetime.timedelta(days=1) for month in months}
    active = {
        month: set(Member.objects.active_on(day).values_list("pk", flat=True))
        for month, day in last_days.items()
    }
    for report in reports:
        member, next_month = report.member, _next_month(report.month)
        assert member.pk in active[report.month]
        assert member.joined_on < next_month
        assert member.status != MemberStatus.NONAKTIF or member.status_since >= next_month
        assert report.due_on == next_month.replace(day=5)
        assert 1 <= len(report.pmks_reached) <= 3
        assert all(isinstance(count, int) and count > 0 for count in report.pmks_reached.values())
        activities = list(report.activities.all())
        assert report.created_at <= report.updated_at
        if report.state == ReportState.DRAF:
            assert report.submitted_at is None and not report.is_late and not activities
            continue
        submitted_on = timezone.localdate(report.submitted_at)
        assert report.created_at <= report.submitted_at <= report.updated_at
        assert submitted_on < TODAY
        assert report.is_late == (submitted_on > report.due_on)
        assert 1 <= len(activities) <= 2
        assert all(member.joined_on <= row.done_on < next_month and 1 <= row.count <= 5 for row in activities)
        assert report.month <= min(row.done_on for row in activities)
    assert ReportActivity.objects.count() == generated.report_activities
    submitted = [report for report in reports if report.submitted_at]
    assert 0.05 < sum(report.is_late for report in submitted) / len(submitted) < 0.4
    expected = sum(len(members) for members in active.values())
    assert 0.7 * expected < len(reports) < 0.97 * expected  # about 15% of the member-months have none


def test_a_kab_kota_has_the_same_reports_at_two_scales(db):
    load_regions(["33.71", "33.73"])  # Kota Magelang and Kota Salatiga: half of them is one, whole both
    half = generate(scale=0.5, seed=3, today=TODAY, log=lambda text: None, load_all_regions=False)
    assert half.kabkota == 1
    first = _reports_by_nik_and_month()
    first_institution = _institution_by_natural_key()
    _delete_generated()
    whole = generate(scale=1, seed=3, today=TODAY, log=lambda text: None, load_all_regions=False)
    assert whole.kabkota == 2 and whole.monthly_reports > half.monthly_reports
    kabkota = {nik[:4] for nik, _month in first}
    assert len(kabkota) == 1
    both = _reports_by_nik_and_month()
    assert {key: row for key, row in both.items() if key[0][:4] in kabkota} == first
    # The same meetings, attendance, boards and partners for that kab/kota too.
    prefix = f"{next(iter(kabkota))[:2]}.{next(iter(kabkota))[2:]}"
    both_institution = _institution_by_natural_key()
    assert {
        name: {key: row for key, row in rows.items() if key[0].startswith(prefix)}
        for name, rows in both_institution.items()
    } == first_institution
    assert all(first_institution.values())


def _institution_by_natural_key() -> dict[str, dict]:
    """Meetings (with who was present, decisions, follow-ups), board seats and partners (with contributions),
    keyed by region and what is the same at every scale (NIKs, days, names), not by ids."""
    meetings = {}
    for meeting in Meeting.objects.prefetch_related(
        "attendance__member", "decisions", "follow_ups__responsible"
    ).order_by("pk"):
        key = (meeting.region_id, meeting.kind, meeting.held_on, meeting.place)
        meetings.setdefault(key, []).append(
            (
                meeting.agenda, meeting.minutes, meeting.guests,
                sorted((row.member.nik, row.present) for row in meeting.attendance.all()),
                [decision.text for decision in meeting.decisions.all()],
                [(f.task, f.responsible.nik, f.due_on, f.done_on, f.note) for f in meeting.follow_ups.all()],
            )
        )  # fmt: skip
    seats = {
        (seat.unit.region_id, seat.role): (
            seat.member.nik,
            seat.term_starts_on,
            seat.term_ends_on,
            seat.sk_number,
            seat.decree.issued_on if seat.decree else None,
            seat.elected_at.held_on if seat.elected_at else None,
        )  # fmt: skip
        for seat in BoardPosition.objects.select_related("unit", "member", "decree", "elected_at")
    }
    partners = {
        (partner.region_id, partner.name): (
            partner.sector,
            partner.mou_number,
            partner.mou_starts_on,
            partner.mou_ends_on,
            partner.is_active,
            sorted(partner.kecamatan_served.values_list("pk", flat=True)),
            sorted(
                (
                    c.given_on,
                    c.kind,
                    c.value,
                    c.purpose,
                    c.beneficiaries,
                    c.unit.region_id if c.unit else None,
                )
                for c in partner.contributions.all()
            ),
        )  # fmt: skip
        for partner in Partner.objects.prefetch_related("contributions__unit")
    }
    return {"meetings": meetings, "seats": seats, "partners": partners}


def _reports_by_nik_and_month() -> dict:
    rows = {}
    for report in MonthlyReport.objects.select_related("member").prefetch_related("activities"):
        activities = sorted((row.kind, row.done_on, row.count) for row in report.activities.all())
        rows[report.member.nik, report.month] = (
            report.state, report.due_on, report.submitted_at, report.is_late, report.pmks_reached,
            report.on_paper, report.obstacles, report.plan, report.created_at, report.updated_at, activities,
        )  # fmt: skip
    return rows


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=31)).replace(day=1)


def _delete_generated() -> None:
    WorkProgramme.objects.all().delete()  # with its activities
    IndicatorTarget.objects.all().delete()
    Contribution.objects.all().delete()
    Partner.objects.all().delete()
    FollowUp.objects.all().delete()
    MeetingAttendance.objects.all().delete()
    BoardPosition.objects.all().delete()
    BoardDecree.objects.all().delete()
    Meeting.objects.all().delete()
    MonthlyReport.objects.all().delete()
    Participant.objects.all().delete()
    Event.objects.all().delete()
    Case.objects.all().delete()
    PmksCount.objects.all().delete()
    StatusChange.objects.all().delete()
    Member.objects.all().delete()
    Unit.objects.all().delete()


def test_boards_of_active_members_some_with_their_sk(generated):
    seats = list(BoardPosition.objects.select_related("member", "unit", "decree", "elected_at"))
    assert len(seats) == generated.board_positions > 0
    assert BoardDecree.objects.count() == generated.board_decrees > 0
    by_unit: dict[int, list] = {}
    for seat in seats:
        by_unit.setdefault(seat.unit_id, []).append(seat)
        assert seat.member.unit_id == seat.unit_id and seat.member.status == MemberStatus.AKTIF
        assert seat.member.joined_on <= seat.term_starts_on < TODAY  # some terms have lapsed by now
        assert (seat.term_ends_on - seat.term_starts_on).days == 5 * 365 + 1
        assert seat.ended_on is None
        if seat.decree:
            assert seat.decree.unit_id == seat.unit_id and seat.sk_number == seat.decree.number
            assert seat.decree.issued_on == seat.term_starts_on and seat.decree.issuer
        else:
            assert seat.sk_number == ""
        if seat.elected_at:  # at the unit's musyawarah, a few days before the term
            assert seat.elected_at.unit_id == seat.unit_id
            assert seat.elected_at.kind == MeetingKind.MUSYAWARAH
            assert 3 <= (seat.term_starts_on - seat.elected_at.held_on).days <= 21
            assert seat.decree is None or seat.decree.meeting_id == seat.elected_at_id
    for unit_seats in by_unit.values():
        assert sorted(seat.role for seat in unit_seats) == sorted(
            [BoardRole.KETUA, BoardRole.SEKRETARIS, BoardRole.BENDAHARA]
        )
        assert len({seat.decree_id for seat in unit_seats}) == 1
        assert len({seat.member_id for seat in unit_seats}) == 3


def test_meetings_of_units_and_forums_within_the_kab_kota_with_attendance_decisions_follow_ups(generated):
    meetings = list(
        Meeting.objects.select_related("unit", "region").prefetch_related(
            "attendance__member", "decisions", "follow_ups__decision"
        )
    )
    assert len(meetings) == generated.meetings > 17
    assert {MeetingKind.RUTIN, MeetingKind.PENGURUS, MeetingKind.KOORDINASI} <= {m.kind for m in meetings}
    assert MeetingAttendance.objects.count() == generated.meeting_attendance
    assert MeetingDecision.objects.count() == generated.meeting_decisions > 0
    assert FollowUp.objects.count() == generated.follow_ups > 0
    ketua = {
        seat.member_id: seat
        for seat in BoardPosition.objects.filter(role=BoardRole.KETUA).select_related("unit")
    }
    for meeting in meetings:
        assert meeting.region_id.startswith("33.71")
        assert WINDOW[0] <= meeting.held_on <= WINDOW[1]
        attendance = list(meeting.attendance.all())
        if meeting.unit_id:
            assert meeting.kind != MeetingKind.KOORDINASI
            assert meeting.region_id == meeting.unit.region_id
            assert attendance  # a unit meets when some of its PSM are aktif
        else:  # a forum's: the ketua of each unit below, who are on the board by then
            assert meeting.kind == MeetingKind.KOORDINASI and meeting.guests
            assert meeting.region.level in (RegionLevel.KECAMATAN, RegionLevel.KOTA)
        for row in attendance:
            member = row.member
            if meeting.unit_id:
                assert member.unit_id == meeting.unit_id
            else:
                seat = ketua[member.pk]
                assert seat.unit.region_id.startswith(meeting.region_id)
                assert seat.term_starts_on <= meeting.held_on
            assert member.joined_on <= meeting.held_on  # aktif on the day
            assert member.status == MemberStatus.AKTIF or member.status_since > meeting.held_on
        present = {row.member_id for row in attendance if row.present}
        assert bool(present) == bool(attendance)
        decisions = list(meeting.decisions.all())
        for follow_up in meeting.follow_ups.all():
            assert follow_up.decision in decisions
            assert follow_up.responsible_id in present
            assert follow_up.due_on > meeting.held_on
            assert follow_up.done_on is None or meeting.held_on < follow_up.done_on < TODAY
    assert FollowUp.objects.filter(done_on__isnull=False).exists()
    assert FollowUp.objects.filter(done_on__isnull=True, due_on__lt=TODAY).exists()  # overdue


def test_legality_gaps_of_units_and_members(generated):
    units = list(Unit.objects.all())
    assert all(bool(unit.sk_number) == (unit.sk_date is not None) for unit in units)
    assert all(unit.sk_issuer for unit in units if unit.sk_number)
    statuses = Counter()
    for member in Member.objects.all():
        if member.status != MemberStatus.AKTIF:
            assert not member.sk_number and member.sk_valid_until is None
            continue
        statuses[member_sk_status(member, TODAY)] += 1
        if member.sk_number:
            assert member.sk_issuer.startswith("Kepala Dinas Sosial")
            assert member.sk_valid_until is None or member.sk_valid_until > member.sk_date
    assert set(statuses) == {SK_VALID, SK_MISSING, SK_EXPIRED}
    assert statuses[SK_VALID] > statuses[SK_EXPIRED] + statuses[SK_MISSING]


def test_partners_of_the_kab_kota_serving_its_kecamatan_with_contributions(generated):
    partners = list(Partner.objects.prefetch_related("kecamatan_served", "contributions__unit"))
    assert len(partners) == generated.partners
    assert 5 <= len(partners) <= 20 and len({p.sector for p in partners}) > 2
    assert all(p.sector in PartnerSector.values and p.region_id == "33.71" for p in partners)
    assert Contribution.objects.count() == generated.contributions > 0
    for partner in partners:
        served = {region.code for region in partner.kecamatan_served.all()}
        assert served and all(code.startswith("33.71.") and len(code) == 8 for code in served)
        for contribution in partner.contributions.all():
            assert WINDOW[0] <= contribution.given_on <= WINDOW[1] and contribution.value > 0
            assert partner.mou_starts_on is None or partner.mou_starts_on <= contribution.given_on
            assert partner.mou_ends_on is None or contribution.given_on <= partner.mou_ends_on
            if contribution.unit:
                assert contribution.unit.region_id[:8] in served


def test_indicator_targets_of_last_year(generated):
    targets = list(IndicatorTarget.objects.all())
    assert len(targets) == generated.indicator_targets >= 5
    keys = {key for _level, key, _kind, _name, _formula in DEFINITIONS}
    assert all(t.region_id == "33.71" and t.year == 2025 and t.indicator in keys for t in targets)
    assert all(t.baseline is not None and t.target is not None and t.target >= t.baseline for t in targets)


def test_work_programmes_partly_realised_by_the_units_meetings(generated):
    programmes = WorkProgramme.objects.all()
    assert programmes.exists() and {p.year for p in programmes} == {TODAY.year}
    activities = ProgrammeActivity.objects.select_related("programme", "meeting")
    assert 6 <= activities.count() / programmes.count() <= 9
    ended = activities.filter(month__lt=TODAY.month)
    assert 0.4 < ended.realised().count() / ended.count() < 0.9
    assert not activities.filter(month__gte=TODAY.month).realised().exists()
    by_meeting = activities.filter(realised_by=RealisedBy.MEETING)
    assert by_meeting.exists()
    for activity in by_meeting:
        assert activity.meeting.unit_id == activity.programme.unit_id
        assert (activity.meeting.held_on, activity.meeting.held_on.month) == (
            activity.realised_on,
            activity.month,
        )
    assert all(a.realised_on.year == TODAY.year for a in activities.realised())


def test_same_seed_same_people(generated):
    niks = sorted(Member.objects.values_list("nik", flat=True))
    _delete_generated()
    generate(scale=1, seed=3, today=TODAY, log=lambda text: None, load_all_regions=False)
    assert sorted(Member.objects.values_list("nik", flat=True)) == niks


def test_refuses_a_registry_with_data(unit_a):
    with pytest.raises(RegistryNotEmpty):
        generate(scale=0.01, seed=1, log=lambda text: None, load_all_regions=False)


def test_command_refuses_with_debug_off_and_on_a_registry_with_data(settings, unit_a):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("generate_national_data", "--scale", "0.01")
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("generate_national_data", "--scale", "0.01")
    with pytest.raises(CommandError):
        call_command("generate_national_data", "--scale", "2")
    assert not CoverageRefresh.objects.exists()
