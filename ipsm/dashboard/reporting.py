"""The PSM reporting rate of a region (cases/reporting.py counts it): the last 12 months as a chart and a
table, the regions (or, in a kecamatan, the units) below it in one month, worst first, the PSM who sent
nothing for 3 months, and the export.

Who: as the coverage dashboard (its `_get_region`): staff and viewers of the region's kab/kota, superusers;
coordinators go to their unit's reports (cases:unit_reports); a PSM, and anyone outside the region, is
refused. The nation and a province read the snapshot (as their coverage pages, with the time shown); a
kab/kota and below are live. The silent PSM are listed from a kab/kota down (names: never nationally).
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import formats

from cases import reporting
from cases.exports import reporting_export
from cases.reports import parse_month
from ipsm.dashboard import views as dashboard
from ipsm.db_routers import use_replica
from ipsm.lib.exports import export_response
from ipsm.lib.query import PAGE
from members.access import scope_of
from members.models import Member, Region, Unit

SILENT_PER_PAGE = 50
# From a kab/kota down, the page names the PSM who sent nothing (a province lists kab/kota only).
SILENT_FROM_LENGTH = 5


def _month(request, today: datetime.date | None = None) -> datetime.date:
    """`?bulan=yyyy-mm` among the months shown, else the last whole month."""
    last = reporting.last_whole_month(today)
    asked = parse_month(request.GET.get("bulan", ""))
    current = reporting.add_months(last, 1)
    return asked if asked is not None and asked <= current else last


def _region(request, code: str) -> Region | None:
    """The region asked for (or the user's own, without a code); None for the nation (superusers)."""
    if code:
        return dashboard._get_region(request.user, code)
    scope = scope_of(request.user)
    if scope.everything:
        return None
    if scope.unit_id or scope.is_empty or not request.user.has_perm(dashboard.VIEW_PERM):
        raise PermissionDenied
    return Region.objects.select_related("parent").get(code=scope.region_code)


def _rates(request, region: Region | None, month: datetime.date) -> reporting.RegionRates:
    code = region.code if region else ""
    members = Member.objects.visible_to(request.user).within(code)
    return reporting.region_rates(code, members, month=month, from_snapshot=dashboard.uses_snapshot(code))


def _names(user, rates: reporting.RegionRates, code: str) -> dict:
    """The name of each group (regions, or units in a kecamatan) and where its row links to."""
    keys = [rate.key for rate in rates.children]
    if len(code) == 8:
        units = Unit.objects.visible_to(user).select_related("region").filter(region_id__in=keys)
        return {unit.region_id: (str(unit), ("cases:unit_reports", unit.pk)) for unit in units}
    regions = Region.objects.visible_to(user).in_bulk(keys)
    return {key: (str(region), ("reporting_region", key)) for key, region in regions.items()}


@login_required
@use_replica()  # a report: reads may come from the replica
def reporting_page(request, code=""):
    scope = scope_of(request.user)
    if not code and scope.unit_id:
        return redirect("cases:unit_reports", pk=scope.unit_id)
    region = _region(request, code)
    code = region.code if region else ""
    month = _month(request)
    snapshot = dashboard._snapshot(code)  # first: a stale snapshot is refreshed (queued) before it is read
    rates = _rates(request, region, month)
    names = _names(request.user, rates, code)
    children = [{"rate": rate, "name": names.get(rate.key, (rate.key, None))} for rate in rates.children]
    silent = None
    if len(code) >= SILENT_FROM_LENGTH:
        members = reporting.silent_members(Member.objects.visible_to(request.user).within(code))
        members = members.select_related("unit__region").order_by("unit__region__name", "full_name", "pk")
        silent = Paginator(members, SILENT_PER_PAGE).get_page(request.GET.get(PAGE))
    context = {
        "region": region,
        "code": code,
        "rates": rates,
        "children": children,
        "children_are_units": len(code) == 8,
        "silent": silent,
        "silent_months": reporting.SILENT_MONTHS,
        "months": [
            (f"{m:%Y-%m}", formats.date_format(m, "F Y"))
            for m in [*rates.months, reporting.add_months(rates.months[-1], 1)]
        ],
        "month_slug": f"{month:%Y-%m}",
        "chart_data": dashboard.reporting_chart(rates),
        "ancestors": dashboard._ancestors(request.user, code),
        "snapshot": snapshot,
    }
    return render(request, "dashboard/reporting.html", context)


@login_required
def reporting_export_view(request, fmt, code=""):
    """Every group below the region, month by month for the 12 months shown, and the region itself."""
    region = _region(request, code)
    code = region.code if region else ""
    dashboard._snapshot(code)  # a stale snapshot is refreshed (queued) before it is read
    rates = _rates(request, region, _month(request))
    export = reporting_export(
        rates,
        region=region,
        names={key: name for key, (name, _link) in _names(request.user, rates, code).items()},
    )
    return export_response(export, user=request.user, file_format=fmt)
