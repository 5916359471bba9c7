"""The coverage sheet of one kelurahan/desa, printed for the musyawarah kelurahan/desa (print CSS).

Counts only, no case's details: every figure comes from the querysets of the coverage dashboard
(cases.models.KelurahanQuerySet.with_coverage, trainings.coverage), so the sheet and the dashboard agree.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from cases.models import Case, Kelurahan, PmksCount
from cases.periods import asked_period, latest_with_data
from ipsm.dashboard.views import _get_region
from members.models import BoardPosition, BoardRole, Member, RegionLevel
from members.views.printing import printed_by, region_path
from trainings.coverage import recent_since, trained, with_training_coverage
from trainings.models import RECENT_TRAINING_YEARS


@login_required
def coverage_sheet(request, code):
    """For whoever may open the kelurahan's coverage page (ipsm.dashboard.coverage's rule: staff and viewers
    of its area; coordinators read the same figures on their unit page); 404 for a region above a village."""
    region = _get_region(request.user, code)
    if not region.is_village:
        raise Http404
    counts = PmksCount.objects.filter(kelurahan=region)
    # The dashboard's rule (its links carry the period they show): else the latest the user has figures of.
    period, _warning = asked_period(
        request.GET.get("periode"),
        lambda: latest_with_data(PmksCount.objects.visible_to(request.user).periods(), otherwise=None),
    )
    periods_here = counts.periods()
    kelurahan = Kelurahan.objects.filter(code=region.code).with_coverage(period)
    categories = counts.for_period(period).select_related("category") if period else counts.none()
    psm = (
        Member.objects.filter(unit__region=region)
        .active()
        .annotate(is_trained=trained(), is_trained_recent=trained(recent_since()))
        .order_by("full_name", "pk")
    )
    ketua = BoardPosition.objects.current().filter(unit__region=region, role=BoardRole.KETUA)
    context = {
        "region": region,
        "region_path": region_path(region),
        "period": period,
        # Where the period shown has no figures for this kelurahan: the latest that has.
        "latest_here": next((p for p in periods_here if p != period), None),
        "row": with_training_coverage(kelurahan).get(),
        "pmks_counts": categories.order_by("category__sort_order", "category__number"),
        "open_cases": Case.objects.filter(kelurahan=region).open().count_by_category(),
        "psm": psm,
        "ketua": ketua.select_related("member").first(),
        "is_desa": region.level == RegionLevel.DESA,
        "recent_years": RECENT_TRAINING_YEARS,
        "printed_at": timezone.now(),
        "printed_by": printed_by(request.user),
    }
    return render(request, "dashboard/print_coverage.html", context)
