"""Reporting rate: how completely and how timely PSM send their monthly reports, per month and region.

For a month and a group of members (a unit, a kecamatan, a kab/kota, a province, the nation):
- expected: the members active in the month, by their status history: active on its last day (today, for
  the month under way), the rule of `MemberQuerySet.active_on`, which `test_reporting` holds this SQL to;
- submitted: expected members whose report for the month was submitted (sent at least once: waiting,
  approved, or returned for a correction);
- on time: of those, submitted by the due date (`MonthlyReport.is_late` is false; cases/reports.py);
- approved: of those, approved by the coordinator or staff.
The shares are of `expected`. A member counts in the unit they are in now (a transfer moves their past
months with them): the registry keeps a member's present unit, and a report follows its PSM.

One SQL statement for any number of members and months (`monthly_rates`): the status history becomes
spans (a step until the next) by a window function, the spans meet the months, the reports join by
(member, month) on their unique index. A kab/kota (a few thousand members) is counted live; the nation
(~420,000 members, ~5 million reports) takes seconds, so the national and province pages read
`ReportingSnapshot`, per kecamatan and month, refreshed with the coverage snapshot (ipsm.dashboard.snapshot)
by this same statement (`refresh_snapshot`).

`silent_members`: active PSM with no report submitted for the last SILENT_MONTHS whole months, for the
coordinator to follow up (members who joined since are not listed).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Left
from django.utils import timezone

from cases.models import MonthlyReport, ReportingSnapshot, ReportState
from members.models import Member, MemberStatus, StatusChange

MONTHS_SHOWN = 12
SILENT_MONTHS = 3
# The group of a member: the first `length` characters of their unit's region code (2 province, 5 kab/kota,
# 8 kecamatan, 13 the desa/kelurahan and so its unit); 0 puts everyone in one group.
KECAMATAN_LENGTH = 8


@dataclass(frozen=True)
class Rate:
    key: str
    month: datetime.date
    expected: int
    submitted: int
    on_time: int
    approved: int

    @property
    def submitted_share(self) -> float | None:
        return self.submitted / self.expected if self.expected else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.expected if self.expected else None

    @property
    def approved_share(self) -> float | None:
        return self.approved / self.expected if self.expected else None

    def __add__(self, other: "Rate") -> "Rate":
        return Rate(
            self.key,
            self.month,
            self.expected + other.expected,
            self.submitted + other.submitted,
            self.on_time + other.on_time,
            self.approved + other.approved,
        )


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def last_whole_month(today: datetime.date | None = None) -> datetime.date:
    """The month before today's: the latest that has ended. Its reports fall due on the kab/kota's due day of
    today's month (cases.reports.due_on, the 5th by default), so until then some may still come in."""
    return add_months((today or timezone.localdate()).replace(day=1), -1)


def months_up_to(last: datetime.date, count: int = MONTHS_SHOWN) -> list[datetime.date]:
    """`count` months ending with `last`, oldest first."""
    return [add_months(last, offset) for offset in range(1 - count, 1)]


def monthly_rates(
    members: QuerySet, months: Sequence[datetime.date], *, key_length: int, today: datetime.date | None = None
) -> list[Rate]:
    """Expected, submitted, on time and approved per (group, month) for `members` (any Member queryset:
    scope and region filters come from the ORM), groups by the first `key_length` characters of the unit's
    region code. Groups and months with no member expected are left out. One query."""
    if not months:
        return []
    sql, params = _rates_sql(members, months, key_length=key_length, today=today)
    with connections[members.db].cursor() as cursor:  # the replica, for a page that reads from it
        cursor.execute(sql, params)
        return [Rate(*row) for row in cursor.fetchall()]


def _rates_sql(members: QuerySet, months: Sequence[datetime.date], *, key_length: int, today=None):
    today = today or timezone.localdate()
    chosen = (
        members.filter(merged_into__isnull=True)
        .order_by()
        .annotate(group_key=Left("unit__region_id", key_length) if key_length else F("unit__region_id"))
        .values("pk", "group_key")
    )
    members_sql, members_params = chosen.query.sql_with_params()
    steps, reports = StatusChange._meta.db_table, MonthlyReport._meta.db_table
    group = "m.group_key" if key_length else "''"
    sql = f"""
        WITH chosen AS ({members_sql}),
        months AS (
            SELECT m::date AS month,
                   LEAST((m + interval '1 month' - interval '1 day')::date, %s::date) AS last_day
            FROM unnest(%s::date[]) AS m
        ),
        spans AS (
            SELECT s.member_id, s.new_status, s.changed_on,
                   LEAD(s.changed_on) OVER (
                       PARTITION BY s.member_id ORDER BY s.changed_on, s.recorded_at, s.id
                   ) AS next_on
            FROM "{steps}" s WHERE s.member_id IN (SELECT c.pk FROM chosen c)
        )
        SELECT {group}, mo.month, count(*),
               count(r.submitted_at),
               count(*) FILTER (WHERE r.submitted_at IS NOT NULL AND NOT r.is_late),
               count(*) FILTER (WHERE r.state = %s)
        FROM spans sp
        JOIN months mo ON sp.changed_on <= mo.last_day AND (sp.next_on IS NULL OR sp.next_on > mo.last_day)
        JOIN chosen m ON m.pk = sp.member_id
        LEFT JOIN "{reports}" r ON r.member_id = sp.member_id AND r.month = mo.month
        WHERE sp.new_status = %s AND mo.month <= %s::date
        GROUP BY 1, 2
        ORDER BY 1, 2
    """
    params = [
        *members_params,
        today,
        list(months),
        ReportState.DISETUJUI,
        MemberStatus.AKTIF,
        today,
    ]
    return sql, params


def refresh_snapshot(cursor, *, today: datetime.date | None = None) -> int:
    """Replace ReportingSnapshot by every kecamatan's rates for the last MONTHS_SHOWN whole months and the
    month under way (inside the coverage refresh's transaction; ipsm.dashboard.snapshot)."""
    months = months_up_to(add_months(last_whole_month(today), 1), MONTHS_SHOWN + 1)
    sql, params = _rates_sql(Member.objects.all(), months, key_length=KECAMATAN_LENGTH, today=today)
    table = ReportingSnapshot._meta.db_table
    cursor.execute(f'DELETE FROM "{table}"')
    cursor.execute(
        f'INSERT INTO "{table}" (kecamatan_code, month, expected, submitted, on_time, approved) {sql}', params
    )
    return cursor.rowcount


def snapshot_rates(prefix: str, months: Sequence[datetime.date], *, key_length: int) -> list[Rate]:
    """As monthly_rates over the members under region `prefix`, read from the snapshot (key_length <= 8),
    summed by the database: a few hundred rows for the nation."""
    rows = (
        ReportingSnapshot.objects.filter(kecamatan_code__startswith=prefix, month__in=list(months))
        .annotate(group_key=Left("kecamatan_code", key_length) if key_length else Value(""))
        .values("group_key", "month")
        .annotate(*(Sum(name) for name in ("expected", "submitted", "on_time", "approved")))
        .order_by("group_key", "month")
        .values_list("group_key", "month", "expected__sum", "submitted__sum", "on_time__sum", "approved__sum")
    )
    return [Rate(*row) for row in rows]


def series(rates: Iterable[Rate], months: Sequence[datetime.date], key: str = "") -> list[Rate]:
    """One Rate per month (zeros where none was expected), summed over the groups, named `key`."""
    by_month = {month: Rate(key, month, 0, 0, 0, 0) for month in months}
    for rate in rates:
        if rate.month in by_month:
            by_month[rate.month] = by_month[rate.month] + rate
    return [by_month[month] for month in months]


def by_group(rates: Iterable[Rate], month: datetime.date) -> dict[str, Rate]:
    return {rate.key: rate for rate in rates if rate.month == month}


def silent_members(members: QuerySet, *, today: datetime.date | None = None) -> QuerySet:
    """Active members with no report submitted for any of the last SILENT_MONTHS whole months, who were
    members for all of them; with `last_report_month` (their latest submitted report's month, or None)."""
    last = last_whole_month(today)
    first = add_months(last, 1 - SILENT_MONTHS)
    submitted = Q(monthly_reports__submitted_at__isnull=False)
    recent = MonthlyReport.objects.filter(
        member=OuterRef("pk"), month__gte=first, month__lte=last, submitted_at__isnull=False
    )
    return (
        members.filter(status=MemberStatus.AKTIF, joined_on__lte=first, merged_into__isnull=True)
        .exclude(Exists(recent))
        .annotate(last_report_month=Max("monthly_reports__month", filter=submitted))
    )


# Code length of a region -> that of the groups its page lists: provinces, kab/kota, kecamatan, then units
# (a unit's desa/kelurahan code); a unit has no groups below it.
CHILD_LENGTH = {0: 2, 2: 5, 5: 8, 8: 13}


@dataclass
class RegionRates:
    """What a region's reporting page shows: the region's months, and its groups in `month`."""

    months: list[datetime.date]
    month: datetime.date
    series: list[Rate]
    children: list[Rate]  # lowest submitted share first (nobody expected: last)
    rates: list[Rate]  # every group in every month (the export)

    @property
    def current(self) -> Rate:
        return next(rate for rate in self.series if rate.month == self.month)


def region_rates(
    code: str, members: QuerySet, *, month: datetime.date, from_snapshot: bool, today=None
) -> RegionRates:
    """The region's last MONTHS_SHOWN months up to `month` and each group below it in `month` (one query:
    live over `members`, the user's members under the region, or from the snapshot for the nation and a
    province)."""
    months = months_up_to(month)
    child_length = CHILD_LENGTH.get(len(code), len(code))
    if from_snapshot:
        rates = snapshot_rates(code, months, key_length=child_length)
    else:
        rates = monthly_rates(members, months, key_length=child_length, today=today)
    children = sorted(
        by_group(rates, month).values(),
        key=lambda rate: (rate.submitted_share is None, rate.submitted_share or 0, rate.key),
    )
    return RegionRates(
        months=months, month=month, series=series(rates, months, key=code), children=children, rates=rates
    )
