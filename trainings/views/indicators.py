"""The five-level indicator report of a region and a period (figures from trainings/indicators.py).

For Dinas Sosial staff and viewers (trainings.view_event) within their scope; a region outside it gives 404.
The default period is the last finished year for every region (cases.periods.last_finished_year). A finished
period's figures are counted at most ten minutes before (the page says when; ?hitung_ulang=1 counts them
again); the running period's are counted for every request.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from cases.periods import Period, asked_period, last_finished_year
from ipsm.db_routers import use_replica
from ipsm.lib.query import is_region_code
from members.access import get_for_user, require_perm, scope_of
from members.models import KABKOTA_LEVELS, Region, RegionLevel
from trainings.indicators import REPORT_MAX_AGE, counted_indicator_report, report_years

VIEW_PERM = "trainings.view_event"


@login_required
@use_replica()  # a report: reads may come from the replica
def indicator_report(request):
    user = request.user
    require_perm(user, VIEW_PERM)
    region = _region(request)
    today = timezone.localdate()
    years = report_years(region.code)
    period = _period(request, today)
    report = counted_indicator_report(
        region.code, period, recount=request.GET.get("hitung_ulang") == "1", region_name=str(region)
    )
    context = {
        "region": region,
        "regions": _region_choices(user, region),
        "period": period,
        "previous_period": period.previous,
        "periods": sorted(
            {period, Period(today.year), last_finished_year(today), *(Period(year) for year in years)},
            reverse=True,
        ),
        "years_with_data": years,
        "levels": report.levels,
        "counted_at": report.counted_at,
        "stored": report.stored,
        "max_age_minutes": int(REPORT_MAX_AGE.total_seconds() // 60),
    }
    return render(request, "trainings/indicators.html", context)


def _region(request) -> Region:
    """The region asked for in ?wilayah= (404 outside the user's scope), else the user's own region
    (superusers: the first province)."""
    code = request.GET.get("wilayah", "").strip()
    if not code:
        scope = scope_of(request.user)
        if scope.everything:
            first = Region.objects.filter(level=RegionLevel.PROVINSI).first()
            if first is None:
                raise Http404
            return first
        code = scope.region_code
    if not is_region_code(code):  # as a code that names no region; junk never reaches the database
        raise Http404
    return get_for_user(Region.objects.all(), request.user, pk=code)


def _period(request, today) -> Period:
    """The period asked for in ?periode=, else the last finished year (the same for every region)."""
    period, warning = asked_period(request.GET.get("periode", ""), lambda: last_finished_year(today))
    if warning:
        messages.warning(request, warning)
    return period


def _region_choices(user, region: Region):
    """Provinces and kab/kota the user may see, plus the region shown and its sub-regions (one query)."""
    return Region.objects.visible_to(user).filter(
        Q(level__in=(RegionLevel.PROVINSI, *KABKOTA_LEVELS)) | Q(code=region.code) | Q(parent=region)
    )
