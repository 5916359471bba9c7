"""The coverage dashboard (the staff home) and its drill-down: active PSM against PMKS, per kelurahan.

Counts only: viewers see the figures but no link into case details, coordinators have their unit page (with
its coverage panel, cases/panels.py) instead. Every figure comes from cases.models.KelurahanQuerySet, and the
training coverage from trainings.coverage (annotations on the same rows, summed in the same roll-up query),
so a page takes the same number of queries however many kelurahan it covers. The national and province
pages read the same figures from the coverage snapshot instead (ipsm.dashboard.snapshot: counted ahead, at
most 15 minutes old while people look, with the time shown on the page); a kab/kota and below are always live.

Live, the counts are computed once per kelurahan (KelurahanQuerySet.counted_once) and the region's rows are
read once: the table's order, the search by name, the totals, the roll-ups per child region and the chart
are made from them here (a kab/kota has at most about a thousand kelurahan). From the snapshot, the database
sums, sorts and searches, and only the page shown (and the chart's few rows) is read.

Figures that cannot mislead: every figure of a page is of the one period shown, and the links down to a
child region carry it; a kelurahan without PMKS figures for it has no status (CoverageStatus.NO_DATA) and a
region shows how many of its kelurahan have each status, never the worst one alone.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases import reporting
from cases.models import WORST_FIRST, CoverageStatus, Kelurahan, PmksCount, order_rows, roll_up, status_counts
from cases.periods import Period, asked_period, latest_with_data
from ipsm.dashboard.snapshot import MAX_AGE, current_refresh, max_age, snapshot_key, uses_snapshot
from ipsm.db_routers import use_replica
from ipsm.lib.numbers import percent
from ipsm.lib.query import CONTROL_CHARACTERS, PAGE, SORT, is_region_code
from members.access import get_for_user, scope_of
from members.models import BoardPosition, Member, Region, Unit
from trainings.coverage import TRAINING_ROLLUP, with_all_coverage, with_shares
from trainings.models import RECENT_TRAINING_YEARS

PER_PAGE = 50
VIEW_PERM = "cases.view_pmkscount"
# The kelurahan table's search by name (?cari=), and how much of it is read.
SEARCH, SEARCH_LENGTH = "cari", 100
# The chart: the kelurahan most in need of PSM, worst first (more bars are unreadable on a phone).
CHART_ROWS = 15
# Code length of the region shown -> code length of the child regions in its table (none below kecamatan).
CHILD_CODE_LENGTH = {0: 2, 2: 5, 5: 8}
# The kelurahan table's ?urut= values (a leading "-" reverses); anything else sorts worst first.
SORTABLE = (
    "name",
    "code",
    "active_psm",
    "pmks",
    "pmks_per_psm",
    "psm_target",
    "psm_needed",
    "open_cases",
    "open_cases_without_psm",
    "trained_share",
    "trained_recent_share",
)


@login_required
@use_replica()  # a report: reads may come from the replica
def home(request):
    """Coordinators land on their unit; staff and viewers on the coverage of their scope; a PSM on their own
    page."""
    scope = scope_of(request.user)
    if scope.member_id:
        return redirect("psm:home")
    if scope.unit_id:
        return redirect("members:unit_detail", pk=scope.unit_id)
    if scope.is_empty:
        return render(request, "members/no_assignment.html", status=403)
    if not request.user.has_perm(VIEW_PERM):
        raise PermissionDenied
    region = None if scope.everything else Region.objects.select_related("parent").get(code=scope.region_code)
    return _render_dashboard(request, region, is_home=True)


@login_required
@use_replica()  # a report: reads may come from the replica
def coverage(request, code):
    region = _get_region(request.user, code)
    if region.is_village:
        unit = Unit.objects.filter(region=region).first()
        if unit is not None:
            return redirect("members:unit_detail", pk=unit.pk)
    return _render_dashboard(request, region)


@login_required
@use_replica()  # a report: reads may come from the replica
def coverage_without_psm(request, code):
    """The kelurahan under a region that have PMKS in the period but no active PSM, worst first."""
    region = _get_region(request.user, code)
    snapshot = _snapshot(region.code)
    period, periods = _period(request, snapshot)
    search = _search(request)
    rows = _kelurahan(request.user, region.code, period, snapshot).uncovered().with_unit()
    rows = rows.select_related("parent")
    if search:
        rows = rows.matching(search).filter(matches=True)
    rows = rows.worst_first() if snapshot else order_rows(rows, WORST_FIRST)
    context = {
        "region": region,
        "period": period,
        "periods": periods,
        "period_query": _period_query(period),
        "search": search,
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get(PAGE)),
        "ancestors": _ancestors(request.user, region.code),
        "snapshot": snapshot,
        **_permissions(request.user),
    }
    return render(request, "dashboard/without_psm.html", context)


def _snapshot(code: str) -> dict | None:
    """For national and province pages: the coverage snapshot's state (None: the page is live)."""
    if not uses_snapshot(code):
        return None
    refresh = current_refresh()
    return {
        "refresh": refresh,
        "refreshed_at": refresh.refreshed_at if refresh else None,
        "max_age_minutes": int((max_age() or MAX_AGE).total_seconds() // 60),
    }


def _kelurahan(user, code: str, period: Period | None, snapshot: dict | None = None):
    """The kelurahan under `code` that the user sees, with their PSM and training coverage."""
    kelurahan = Kelurahan.objects.visible_to(user).within(code)
    if snapshot is not None:
        return kelurahan.from_snapshot(snapshot_key(period, snapshot["refresh"]))
    return with_all_coverage(kelurahan, period)


def _get_region(user, code: str) -> Region:
    """A region in the user's scope (else 404); coordinators see counts on their unit page only (403)."""
    if scope_of(user).unit_id:
        raise PermissionDenied
    if not is_region_code(code):  # as a code that names no region; junk never reaches the database
        raise Http404
    return get_for_user(Region.objects.select_related("parent"), user, pk=code, perm=VIEW_PERM)


def _period(request, snapshot: dict | None = None) -> tuple[Period | None, list[Period]]:
    """The period asked for in ?periode=, else the latest with data; and the selector's choices."""
    if snapshot is not None:  # the periods the snapshot holds: counting them live is slow nationally
        with_data = snapshot["refresh"].periods if snapshot["refresh"] else []
    else:
        with_data = PmksCount.objects.visible_to(request.user).periods()
    period, warning = asked_period(
        request.GET.get("periode", ""), lambda: latest_with_data(with_data, otherwise=None)
    )
    if warning:
        messages.warning(request, warning)
    choices = sorted({*with_data, period} - {None}, reverse=True)
    return period, choices


def _period_query(period: Period | None) -> str:
    """The query string that keeps a link down (to a child region, a kelurahan) on the period shown."""
    return f"?periode={period.key}" if period else ""


def _search(request) -> str:
    """The name searched for in ?cari= ("" for none), without control characters (no name has them, and
    PostgreSQL refuses a NUL), at most SEARCH_LENGTH characters."""
    return CONTROL_CHARACTERS.sub("", request.GET.get(SEARCH, "")).strip()[:SEARCH_LENGTH]


def _ordering(sort: str) -> tuple[str, str] | None:
    """The kelurahan table's order asked for in ?urut= (NULLs last either way); None: worst first."""
    return (sort, "code") if sort.removeprefix("-") in SORTABLE else None


def _permissions(user) -> dict:
    return {
        "can_view_cases": user.has_perm("cases.view_case"),
        "can_edit_pmks": user.has_perm("cases.change_pmkscount"),
        "can_edit_targets": user.has_perm("cases.change_coveragetarget"),
        "can_view_trainings": user.has_perm("trainings.view_event"),
        "recent_years": RECENT_TRAINING_YEARS,
    }


# Child regions, most kelurahan without PSM first, then most short of PSM, then most PSM still needed.
CHILD_ORDER = ("-kelurahan_status_tanpa_psm", "-kelurahan_status_kurang", "-psm_needed", "code_prefix")


def _child_rows(rolled_up, user) -> list[dict]:
    """The figures rolled up per child region, those needing PSM most first, each with its Region (one
    query for names) and its kelurahan per status."""
    rows = order_rows(rolled_up, CHILD_ORDER)
    names = Region.objects.visible_to(user).in_bulk([row["code_prefix"] for row in rows])
    return [
        {**with_shares(row), "region": names.get(row["code_prefix"]), "statuses": status_counts(row)}
        for row in rows
    ]


def _figures(
    kelurahan, ordering: tuple | None, child_length: int | None, *, live: bool, search: str
) -> tuple:
    """The table's rows in `ordering` (None: worst first) whose name matches `search`, the totals and the
    roll-ups per child region (None below kecamatan) of all the rows, and the chart's rows."""
    table_rows = kelurahan.with_unit().select_related("parent")
    if search:
        table_rows = table_rows.matching(search)
    if live:  # one query: the rows, then sums, order, search and chart from them
        rows = list(table_rows)
        totals = next(iter(roll_up(rows, 0, **TRAINING_ROLLUP)), None)
        rolled_up = roll_up(rows, child_length, **TRAINING_ROLLUP) if child_length else None
        worst = order_rows(rows, WORST_FIRST)
        chart = [row for row in worst if row.coverage_status != CoverageStatus.NO_DATA][:CHART_ROWS]
        shown = [row for row in rows if row.matches] if search else rows
        return order_rows(shown, ordering or WORST_FIRST), totals, rolled_up, chart
    rolled_up = kelurahan.rolled_up(child_length, **TRAINING_ROLLUP) if child_length else None
    # A range of the index coverage_snapshot_worst_first (the statuses sort worst first, NO_DATA last).
    chart = kelurahan.filter(coverage_status__lt=CoverageStatus.NO_DATA).worst_first()[:CHART_ROWS]
    if search:
        table_rows = table_rows.filter(matches=True)
    table_rows = table_rows.ordered(ordering) if ordering else table_rows.worst_first()
    return table_rows, kelurahan.totals(**TRAINING_ROLLUP), rolled_up, list(chart)


def _ancestors(user, code: str):
    """The regions above `code` that the user may open, for the breadcrumb (one query)."""
    codes = [code[:length] for length in (2, 5, 8) if length < len(code)]
    return Region.objects.visible_to(user).filter(code__in=codes) if codes else []


def _chart_data(rows) -> dict:
    """The kelurahan most in need of PSM (worst first), as horizontal bars: active and still needed."""
    return {
        "labels": [row.name for row in rows],
        "active": [row.active_psm for row in rows],
        "needed": [row.psm_needed for row in rows],
        "target": [row.psm_target for row in rows],
        "legend": {"active": _("Active PSM"), "needed": _("PSM still needed"), "target": _("Target")},
    }


def _render_dashboard(request, region: Region | None, *, is_home: bool = False):
    user = request.user
    code = region.code if region else ""
    snapshot = _snapshot(code)
    period, periods = _period(request, snapshot)
    kelurahan = _kelurahan(user, code, period, snapshot)
    sort = request.GET.get(SORT, "")
    ordering = _ordering(sort)
    search = _search(request)
    table_rows, totals, rolled_up, chart_rows = _figures(
        kelurahan, ordering, CHILD_CODE_LENGTH.get(len(code)), live=snapshot is None, search=search
    )
    page = Paginator(table_rows, PER_PAGE).get_page(request.GET.get(PAGE))
    context = {
        "region": region,
        "is_home": is_home,
        "period": period,
        "periods": periods,
        "period_query": _period_query(period),
        "sort": sort if ordering else "",
        "search": search,
        "totals": with_shares(totals),
        "statuses": status_counts(totals) if totals else [],
        "child_rows": _child_rows(rolled_up, user) if rolled_up is not None else None,
        "page": page,
        "chart_data": _chart_data(chart_rows),
        "ancestors": _ancestors(user, code),
        "targets_code": code[:5] if len(code) >= 5 else "",
        "registry_alerts": _registry_alerts(user, code),
        "snapshot": snapshot,
        **_permissions(user),
    }
    context.update(_reporting(user, code, from_snapshot=snapshot is not None))
    return render(request, "dashboard/coverage.html", context)


def _reporting(user, code: str, *, from_snapshot: bool) -> dict:
    """The PSM reporting rate of the last 12 months (cases.reporting; its page: ipsm.dashboard.reporting)."""
    members = Member.objects.visible_to(user).within(code)
    rates = reporting.region_rates(
        code, members, month=reporting.last_whole_month(), from_snapshot=from_snapshot
    )
    return {"reporting": rates, "reporting_chart": reporting_chart(rates)}


def _registry_alerts(user, code: str) -> dict:
    """What staff should act on in the registry: stale rosters, ending or lapsed board terms (2 queries)."""
    units = Unit.objects.visible_to(user).within(code)
    return {
        "stale_units": units.roster_stale().count(),
        "ending_positions": BoardPosition.objects.needing_attention(timezone.localdate())
        .filter(unit__in=units)
        .count(),
    }


def reporting_chart(rates: reporting.RegionRates) -> dict:
    """The 12 months as static/js/reporting.js draws them: shares in percent (None: nobody expected)."""
    return {
        "labels": [formats.date_format(rate.month, "M Y") for rate in rates.series],
        "submitted": [percent(rate.submitted_share) for rate in rates.series],
        "on_time": [percent(rate.on_time_share) for rate in rates.series],
        "approved": [percent(rate.approved_share) for rate in rates.series],
        "legend": {"submitted": _("Submitted"), "on_time": _("On time"), "approved": _("Approved")},
    }
