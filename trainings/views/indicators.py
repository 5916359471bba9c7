"""The five-level indicator report of a region and a period (figures from trainings/indicators.py).

For Dinas Sosial staff and viewers (trainings.view_event) within their scope; a region outside it gives 404.
The default period is the last finished year for every region (cases.periods.last_finished_year). A finished
period's figures are counted at most ten minutes before (the page says when; ?hitung_ulang=1 counts them
again); the running period's are counted for every request.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.periods import Period, asked_period, last_finished_year
from ipsm.db_routers import use_replica
from ipsm.lib.dates import FIRST_YEAR
from ipsm.lib.query import is_region_code
from members.access import get_for_user, require_perm, scope_of
from members.models import KABKOTA_LEVELS, Region, RegionLevel
from trainings import targets
from trainings.indicators import REPORT_MAX_AGE, counted_indicator_report, report_years
from trainings.target_forms import TargetsForm

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
        "level_rows": _with_targets(report.levels, region, period),
        "trend_url": _trend_url(region, period, years),
        "targets_year": period.year if targets.is_target_region(region) else None,
        "can_set_targets": targets.may_set_targets(user, region),
        "counted_at": report.counted_at,
        "stored": report.stored,
        "max_age_minutes": int(REPORT_MAX_AGE.total_seconds() // 60),
    }
    return render(request, "trainings/indicators.html", context)


def _with_targets(levels, region: Region, period: Period) -> list[dict]:
    """Each level's indicators with their target, realisation and achievement where the kab/kota set a
    target for the year (trainings/targets.py); none for other regions or a semester (one query)."""
    shown = {}
    if targets.is_target_region(region) and period.semester == 0:
        shown = targets.targets_of(region, period.year)
    rows = []
    for level in levels:
        items = []
        for indicator in level.indicators:
            target = shown.get(indicator.key)
            realised = targets.realisation(indicator)
            items.append(
                {
                    "indicator": indicator,
                    "target": target,
                    "realised": realised,
                    "achievement": targets.achievement(indicator.key, realised, target.target)
                    if target
                    else None,
                }
            )
        rows.append({"label": level.label, "rows": items})
    return rows


def _has_trend(region: Region, period: Period, years_with_data: list[int]) -> bool:
    """A kab/kota's whole year with data in more years than the year and the one before (which the cards
    show already)."""
    if not targets.is_target_region(region) or period.semester != 0:
        return False
    return len(targets.trend_years(period.year, years_with_data)) > 2


def _trend_url(region: Region, period: Period, years_with_data: list[int]) -> str:
    if not _has_trend(region, period, years_with_data):
        return ""
    query = urlencode({"wilayah": region.code, "periode": period.key})
    return f"{reverse('trainings:indicator_trend')}?{query}"


@login_required
@use_replica()
def indicator_trend(request):
    """The realisation by year of each indicator (targets.realisation_trend), loaded by the report page
    after it is shown (htmx, one block per indicator card): counting up to four earlier years' reports the
    first time must not hold the page itself. 204 where the page shows no trend."""
    require_perm(request.user, VIEW_PERM)
    region = _region(request)
    today = timezone.localdate()
    period, _warning = asked_period(request.GET.get("periode", ""), lambda: last_finished_year(today))
    years = report_years(region.code)
    if not _has_trend(region, period, years):
        return HttpResponse(status=204)
    trend = targets.realisation_trend(region, period.year, years_with_data=years)
    return render(request, "trainings/_indicator_trend.html", {"trend": trend})


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


@login_required
def indicator_targets(request, code, year):
    """A kab/kota's baseline and target per indicator for a year: staff of the kab/kota set them, viewers
    read them (trainings/targets.py); other regions 404, coordinators 403."""
    user = request.user
    require_perm(user, "trainings.view_indicatortarget")
    if not is_region_code(code):
        raise Http404
    region = get_for_user(Region.objects.all(), user, pk=code)
    if not targets.is_target_region(region) or not FIRST_YEAR <= year <= timezone.localdate().year + 5:
        raise Http404
    can_edit = targets.may_set_targets(user, region)
    existing = targets.targets_of(region, year)
    data = request.POST if request.method == "POST" else None
    if data is not None and not can_edit:
        raise PermissionDenied
    form = TargetsForm(data, existing=existing)
    if data is not None and form.is_valid():
        try:
            targets.save_targets(region=region, year=year, values=form.values(), by=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Targets saved."))
            return redirect("trainings:indicator_targets", code=region.code, year=year)
    context = {"region": region, "year": year, "form": form, "rows": form.rows(), "can_edit": can_edit}
    return render(request, "trainings/indicator_targets.html", context)
