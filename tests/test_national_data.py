"""generate_national_data (ipsm/devtools/national_data.py): valid, consistent rows in an empty registry.

Run on the real regions of Kota Magelang only (17 kelurahan): a kab/kota gets its share of the national
figures, so about 85 PSM, 200 cases, one or two training events and some 700 monthly reports.
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
from members.models import Member, MemberStatus, StatusChange, Unit
from members.nik import nik_mismatches, parse_nik
from members.regions import load_regions
from members.services import format_kta
from trainings.models import Attendance, AttendanceStatus, Event, Participant

TODAY = datetime.date(2026, 6, 1)


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
    _delete_generated()
    whole = generate(scale=1, seed=3, today=TODAY, log=lambda text: None, load_all_regions=False)
    assert whole.kabkota == 2 and whole.monthly_reports > half.monthly_reports
    kabkota = {nik[:4] for nik, _month in first}
    assert len(kabkota) == 1
    both = _reports_by_nik_and_month()
    assert {key: row for key, row in both.items() if key[0][:4] in kabkota} == first


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
    MonthlyReport.objects.all().delete()
    Participant.objects.all().delete()
    Event.objects.all().delete()
    Case.objects.all().delete()
    PmksCount.objects.all().delete()
    StatusChange.objects.all().delete()
    Member.objects.all().delete()
    Unit.objects.all().delete()


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
