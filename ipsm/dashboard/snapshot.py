"""The coverage snapshot: the national and province dashboards read coverage counted ahead of time.

Why: a coverage page counts, per kelurahan, active PSM, PMKS, open cases and trained PSM with correlated
subqueries (cases.models.KelurahanQuerySet.with_coverage, trainings.coverage.with_training_coverage). For
a kab/kota (~250 kelurahan) that takes tens of milliseconds and stays live. For the nation (83,762
kelurahan) one such query takes 15 s on the full data set (make bench), a large province (8,500 kelurahan
in Jawa Tengah) seconds; so those two levels read a snapshot: 0.15 s for the national totals.

What is stored: `cases.CoverageSnapshot`, one row per kelurahan and period, under the live annotations'
names. The counts (active PSM, PMKS, open cases with and without PSM, the kab/kota's targets, trained PSM
ever and recently) come from the very expressions of the live queryset: the period-free ones once, by an
INSERT ... SELECT of the live query, the PMKS of each period by the same SUM per kelurahan. What follows from
them (target, PSM still needed, status, shares) is then derived in the same transaction by the live
formulas (`with_coverage_results`, `with_training_shares`) applied to the stored counts, in an UPDATE ...
FROM that query: each formula exists once. It is stored rather than derived on every read so that the
national table's default order (worst first) is an index scan. `KelurahanQuerySet.from_snapshot(key)` puts
the stored figures on Kelurahan rows, so the dashboard's totals, roll-up per child region, sorting, paging
and chart run the same code on both. Periods: each period with PMKS counts, plus "" for every period
without (their figures are alike: no PMKS at all). `cases.CoverageRefresh` (one row) keeps when the counts
were taken, how long that took, and the periods held.

Freshness: the pages say "Figures as of <time>". A page that finds them older than MAX_AGE (15 minutes;
settings.COVERAGE_SNAPSHOT_MAX_AGE changes it, None never) queues one refresh for the worker
(`manage.py db_worker`, django-tasks) and shows the figures it has; so while people look the figures are
at most MAX_AGE plus one refresh old, and nobody pays for a refresh nobody reads. An installation's first
visit shows "being computed" until the worker is done. `manage.py refresh_coverage` refreshes at once (after
a large import; generate_national_data runs it). A refresh replaces the rows in one transaction, so readers
see the old or the new figures, never a mix; an advisory lock keeps two refreshes from running together.

Why not refreshed on write: members, PMKS counts, cases, targets and attendance are written by many
services, imports, merges and the admin, and "trained in the last 3 years" changes with the calendar alone;
a snapshot bounded in time cannot be missed by the next new write path.

Cost: ~335,000 rows (every kelurahan of the region list, whatever the data), 27-37 s of the worker's time
per refresh on this 2-core machine; the national page then takes ~0.4 s, the province pages ~0.15 s.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django_tasks import task

from cases import reporting
from cases.models import (
    COVERAGE_COUNTS,
    SNAPSHOT_DERIVED,
    CoverageRefresh,
    CoverageSnapshot,
    Kelurahan,
    PmksCount,
)
from cases.periods import Period
from trainings.coverage import with_training_coverage, with_training_shares

MAX_AGE = datetime.timedelta(minutes=15)
# pg_try_advisory_xact_lock key: one refresh at a time ("IPSM" in ASCII).
_LOCK = 0x4950534D
_STATE_PK = 1


def uses_snapshot(code: str) -> bool:
    """National ("") and province (2-digit code) pages read the snapshot; a kab/kota and below are live."""
    return len(code) <= 2


def max_age() -> datetime.timedelta | None:
    return getattr(settings, "COVERAGE_SNAPSHOT_MAX_AGE", MAX_AGE)


def snapshot_key(period: Period | None, refresh: CoverageRefresh | None) -> str:
    """The snapshot rows that hold `period`: its own, or "" when it had no PMKS counts at the refresh."""
    if period is None or refresh is None or period.key not in refresh.period_keys:
        return ""
    return period.key


def current_refresh() -> CoverageRefresh | None:
    """The snapshot's state (one query); queues a refresh when it is missing or older than MAX_AGE."""
    refresh = CoverageRefresh.objects.filter(pk=_STATE_PK).first()
    if _is_stale(refresh) and _claim_refresh():
        refresh_coverage.enqueue()
        # The worker refreshes later; where tasks run at once (tests), the new figures are already there.
        refresh = CoverageRefresh.objects.filter(pk=_STATE_PK).first()
    return refresh


def _is_stale(refresh: CoverageRefresh | None) -> bool:
    if refresh is None or refresh.refreshed_at is None:
        return True
    age = max_age()
    return age is not None and refresh.refreshed_at < timezone.now() - age


def _claim_refresh() -> bool:
    """Note that a refresh is queued, unless one was queued within MAX_AGE (a conditional UPDATE, so that
    of many visitors of a stale page only one queues it)."""
    now = timezone.now()
    CoverageRefresh.objects.get_or_create(pk=_STATE_PK)
    claimed = (
        CoverageRefresh.objects.filter(pk=_STATE_PK)
        .filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - (max_age() or MAX_AGE)))
        .update(requested_at=now)
    )
    return claimed == 1


@dataclass(frozen=True)
class Refreshed:
    seconds: float
    rows: int
    skipped: bool = False  # another refresh was running
    reporting_rows: int = 0  # cases.ReportingSnapshot: kecamatan x month


def refresh_coverage_snapshot(*, today: datetime.date | None = None) -> Refreshed:
    """Count every kelurahan's coverage again, for each period with PMKS counts and "", in one transaction."""
    started, taken_at = time.monotonic(), timezone.now()
    table = CoverageSnapshot._meta.db_table
    counts = [name for name in COVERAGE_COUNTS if name != "pmks"]
    columns = ", ".join(f'"{name}"' for name in counts)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
        if not cursor.fetchone()[0]:
            return Refreshed(seconds=0.0, rows=0, skipped=True)
        periods = PmksCount.objects.periods()
        CoverageSnapshot.objects.all().delete()
        # Without a period (no PMKS): every count of the live page, each subquery once per kelurahan.
        live = with_training_coverage(Kelurahan.objects.with_coverage(None), today=today)
        sql, params = live.order_by().values_list("code", *counts).query.sql_with_params()
        cursor.execute(
            f'INSERT INTO "{table}" ("kelurahan_id", "period_key", "coverage_status", "pmks", {columns}) '
            f"SELECT live.code, '', '', NULL, {columns} FROM ({sql}) AS live",
            params,
        )
        rows = cursor.rowcount
        # Each period: the same counts with the period's PMKS, summed per kelurahan as with_coverage() does.
        for period in periods:
            pmks = (
                PmksCount.objects.for_period(period)
                .order_by()
                .values("kelurahan_id")
                .annotate(total=Sum("count"))
            )
            pmks_sql, pmks_params = pmks.query.sql_with_params()
            cursor.execute(
                f'INSERT INTO "{table}" ("kelurahan_id", "period_key", "coverage_status", "pmks", {columns}) '
                f"SELECT s.kelurahan_id, %s, '', p.total, {', '.join(f's.{name}' for name in counts)} "
                f'FROM "{table}" s LEFT JOIN ({pmks_sql}) AS p ON p.kelurahan_id = s.kelurahan_id '
                "WHERE s.period_key = ''",
                [period.key, *pmks_params],
            )
            rows += cursor.rowcount
        # What follows from the counts, by the live expressions applied to the stored counts.
        for key in ["", *(period.key for period in periods)]:
            derived = with_training_shares(
                Kelurahan.objects.from_snapshot(key, figures=COVERAGE_COUNTS).with_coverage_results()
            )
            sql, params = derived.order_by().values_list("code", *SNAPSHOT_DERIVED).query.sql_with_params()
            cursor.execute(
                f'UPDATE "{table}" AS target SET '
                + ", ".join(f'"{name}" = derived."{name}"' for name in SNAPSHOT_DERIVED)
                + f" FROM ({sql}) AS derived "
                "WHERE target.kelurahan_id = derived.code AND target.period_key = %s",
                [*params, key],
            )
        cursor.execute(f'ANALYZE "{table}"')  # every row is new: the planner needs fresh statistics
        # The PSM reporting rate per kecamatan and month, for the same pages, at the same moment.
        reporting_rows = reporting.refresh_snapshot(cursor, today=today)
        seconds = time.monotonic() - started
        CoverageRefresh.objects.update_or_create(
            pk=_STATE_PK,
            defaults={"refreshed_at": taken_at, "seconds": seconds, "period_keys": [p.key for p in periods]},
        )
    return Refreshed(seconds=time.monotonic() - started, rows=rows, reporting_rows=reporting_rows)


@task()
def refresh_coverage() -> None:
    """The background refresh queued by current_refresh()."""
    refresh_coverage_snapshot()
