"""The PSM reporting rate (cases/reporting.py): who is expected each month, what counts as submitted, on time
and approved, the groups, the snapshot read by the national and province pages, and the silent PSM."""

import datetime

import pytest
from django.utils import timezone

from cases import reporting
from cases.models import MonthlyReport, ReportState
from ipsm.dashboard.snapshot import refresh_coverage_snapshot
from members.models import Member, MemberStatus, StatusChange
from tests import factories

TODAY = datetime.date(2026, 12, 3)
SEP, OCT, NOV, DEC = (datetime.date(2026, month, 1) for month in (9, 10, 11, 12))
MONTHS = [SEP, OCT, NOV]


def _member(unit, **kwargs):
    return factories.MemberFactory(unit=unit, status_history=True, **kwargs)


def _report(member, month, state=ReportState.DISETUJUI, *, late=False):
    submitted = state != ReportState.DRAF
    return MonthlyReport.objects.create(
        member=member,
        month=month,
        state=state,
        due_on=reporting.add_months(month, 1).replace(day=5),
        submitted_at=timezone.now() if submitted else None,
        is_late=late,
    )


def _leaves(member, day):
    StatusChange.objects.create(
        member=member,
        old_status=MemberStatus.AKTIF,
        new_status=MemberStatus.NONAKTIF,
        changed_on=day,
        reason="lainnya",
    )
    Member.objects.filter(pk=member.pk).update(status=MemberStatus.NONAKTIF, status_reason="lainnya")


@pytest.fixture
def registry(unit_a, unit_b, unit_temanggung):
    steady = _member(unit_a, full_name="Tetap Lapor")
    _report(steady, SEP)
    _report(steady, OCT, ReportState.TERKIRIM, late=True)
    _report(steady, NOV, ReportState.DIKEMBALIKAN)
    leaver = _member(unit_a, full_name="Berhenti Oktober")
    _report(leaver, SEP)
    _leaves(leaver, datetime.date(2026, 10, 15))
    newcomer = _member(
        unit_a,
        full_name="Baru Oktober",
        joined_on=datetime.date(2026, 10, 20),
        status_since=datetime.date(2026, 10, 20),
    )
    _report(newcomer, NOV, ReportState.DRAF)
    silent = _member(unit_b, full_name="Tanpa Laporan")
    _report(silent, datetime.date(2026, 6, 1))
    far = _member(unit_temanggung, full_name="Di Temanggung")
    _report(far, NOV)
    return {"steady": steady, "leaver": leaver, "newcomer": newcomer, "silent": silent, "far": far}


def _table(rates):
    return {
        (rate.key, rate.month): (rate.expected, rate.submitted, rate.on_time, rate.approved) for rate in rates
    }


def test_expected_submitted_on_time_and_approved_per_unit_and_month(registry, unit_a, unit_b):
    rates = reporting.monthly_rates(Member.objects.all(), MONTHS, key_length=13, today=TODAY)
    a, b = unit_a.region_id, unit_b.region_id
    assert _table(rates)[(a, SEP)] == (2, 2, 2, 2)  # the leaver was still active on 30 September
    # October: the leaver is gone (inactive on the 31st), the newcomer is expected, the steady PSM was late.
    assert _table(rates)[(a, OCT)] == (2, 1, 0, 0)
    # November: returned for a correction still counts as submitted; a draft does not.
    assert _table(rates)[(a, NOV)] == (2, 1, 1, 0)
    assert [_table(rates)[(b, month)] for month in MONTHS] == [(1, 0, 0, 0)] * 3


def test_groups_by_region_prefix_and_in_one_group(registry, magelang):
    rates = reporting.monthly_rates(Member.objects.all(), MONTHS, key_length=5, today=TODAY)
    assert _table(rates)[("33.71", NOV)] == (3, 1, 1, 0)
    assert _table(rates)[("33.23", NOV)] == (1, 1, 1, 1)
    nation = reporting.monthly_rates(Member.objects.all(), MONTHS, key_length=0, today=TODAY)
    assert _table(nation)[("", NOV)] == (4, 2, 2, 1)
    within = reporting.monthly_rates(Member.objects.within("33.71"), MONTHS, key_length=0, today=TODAY)
    assert _table(within)[("", NOV)] == (3, 1, 1, 0)


def test_expected_is_who_the_status_history_makes_active_on_the_months_last_day(registry):
    """The SQL's spans give the same members as MemberQuerySet.active_on, step by step."""
    rates = reporting.series(
        reporting.monthly_rates(Member.objects.all(), MONTHS, key_length=0, today=TODAY), MONTHS
    )
    for rate in rates:
        last_day = reporting.add_months(rate.month, 1) - datetime.timedelta(days=1)
        assert rate.expected == Member.objects.active_on(last_day).count(), rate.month


def test_the_month_under_way_counts_who_is_active_today(registry):
    rates = reporting.monthly_rates(Member.objects.all(), [DEC], key_length=0, today=TODAY)
    assert _table(rates)[("", DEC)] == (4, 0, 0, 0)
    # A month still to come is never counted.
    assert (
        reporting.monthly_rates(Member.objects.all(), [datetime.date(2027, 1, 1)], key_length=0, today=TODAY)
        == []
    )


def test_merged_records_are_not_expected(registry, staff):
    duplicate = _member(registry["steady"].unit)
    Member.objects.filter(pk=duplicate.pk).update(
        merged_into=registry["steady"],
        merged_at=timezone.now(),
        status=MemberStatus.NONAKTIF,
        status_reason="lainnya",
    )
    rates = reporting.monthly_rates(Member.objects.all(), [NOV], key_length=0, today=TODAY)
    assert _table(rates)[("", NOV)][0] == 4


def test_one_query_however_many_members(unit_a, django_assert_num_queries):
    for _ in range(6):
        _report(_member(unit_a), NOV)
    with django_assert_num_queries(1):
        reporting.monthly_rates(Member.objects.all(), reporting.months_up_to(NOV), key_length=8, today=TODAY)


def test_snapshot_holds_the_live_figures_per_kecamatan_and_month(registry, monkeypatch):
    monkeypatch.setattr(reporting.timezone, "localdate", lambda *args: TODAY)
    refreshed = refresh_coverage_snapshot(today=TODAY)
    assert refreshed.reporting_rows > 0
    months = reporting.months_up_to(DEC, 13)
    for prefix, length in (("", 2), ("33", 5), ("33.71", 8)):
        live = reporting.monthly_rates(Member.objects.within(prefix), months, key_length=length, today=TODAY)
        assert _table(reporting.snapshot_rates(prefix, months, key_length=length)) == _table(live), prefix


def test_series_fills_months_without_anyone_expected(registry):
    rates = reporting.monthly_rates(Member.objects.within("33.23"), MONTHS, key_length=0, today=TODAY)
    shown = reporting.series(rates, [datetime.date(2026, 8, 1), *MONTHS])
    assert [rate.expected for rate in shown] == [0, 1, 1, 1]
    assert shown[0].submitted_share is None  # nobody expected: no share, rather than 0%
    assert shown[1].submitted_share == 0 and shown[-1].submitted_share == 1


def test_silent_members_have_sent_nothing_for_three_whole_months(registry):
    silent = reporting.silent_members(Member.objects.all(), today=TODAY)
    # The newcomer joined inside the window; the steady PSM reported; the leaver is no longer active.
    assert list(silent.values_list("full_name", "last_report_month")) == [
        ("Tanpa Laporan", datetime.date(2026, 6, 1))
    ]
