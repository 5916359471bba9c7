"""The coverage panel on an IPSM unit's page (registered in CasesConfig.ready through members.panels).

Counts only, for everyone who may see the figures (coordinators included): the kelurahan's coverage row,
its PMKS per category, and how many open cases each PSM of the unit holds. No case's details.
"""

from django.db.models import Q
from django.http import HttpRequest

from cases.models import Kelurahan, PmksCount, with_open_case_counts
from members.access import scope_of
from members.models import MemberStatus, Unit


def coverage_panel(request: HttpRequest, unit: Unit) -> dict | None:
    user = request.user
    if not unit.region.is_village or not user.has_perm("cases.view_pmkscount"):
        return None
    counts = PmksCount.objects.filter(kelurahan_id=unit.region_id)
    period = next(iter(counts.periods()), None)
    # Active PSM, and anyone else still responsible for an open case.
    psm = (
        with_open_case_counts(unit.members.all())
        .filter(Q(status=MemberStatus.AKTIF) | Q(open_case_count__gt=0))
        .order_by("-open_case_count", "full_name", "pk")
    )
    categories = (
        counts.for_period(period)
        .select_related("category")
        .order_by("category__sort_order", "category__number")
        if period
        else []
    )
    context = {
        "unit": unit,
        "period": period,
        "row": Kelurahan.objects.filter(code=unit.region_id).with_coverage(period).get(),
        "categories": categories,
        "psm_loads": psm,
        "can_view_cases": user.has_perm("cases.view_case"),
        # The printed sheet follows the coverage pages' rule (ipsm.dashboard.views): not for coordinators.
        "can_print_sheet": not scope_of(user).unit_id,
    }
    return {"template": "cases/_unit_coverage.html", "context": context}


def reports_panel(request: HttpRequest, unit: Unit) -> dict | None:
    """A link to the unit's PSM monthly reports (cases/views/reports.py), for whoever sees the unit page."""
    return {"template": "cases/_unit_reports_link.html", "context": {"unit": unit}}
