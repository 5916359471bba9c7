"""The coverage panel on an IPSM unit's page (registered in CasesConfig.ready through members.panels).

Counts only, for everyone who may see the figures (coordinators included): the kelurahan's coverage row,
its PMKS per category, and how many open cases each PSM of the unit holds. No case's details.
"""

from django.db.models import OuterRef, Q, Subquery
from django.http import HttpRequest

from cases import reporting
from cases.models import Kelurahan, MonthlyReport, PmksCategory, PmksCount, with_open_case_counts
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
    categories = _categories(unit, counts, period) if period else []
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


def _categories(unit: Unit, counts, period) -> list[PmksCategory]:
    """The categories with a count in `period` or people reached by the unit's PSM in its approved
    reports (a source of its own): `count` and `reached` on each, None where a source has none."""
    reports = MonthlyReport.objects.filter(member__unit__region_id=unit.region_id).in_period(period)
    reached = reports.reached_by_category()
    count = counts.for_period(period).filter(category=OuterRef("pk")).values("count")[:1]
    categories = list(
        PmksCategory.objects.annotate(count=Subquery(count))
        .filter(Q(count__isnull=False) | Q(number__in=list(reached)))
        .order_by("sort_order", "number")
    )
    for category in categories:
        category.reached = reached.get(category.number)
    return categories


def reports_panel(request: HttpRequest, unit: Unit) -> dict | None:
    """The unit's reporting rate over the last 12 months (cases.reporting), how many of its PSM sent nothing
    for 3 months, and the way to its PSM monthly reports (cases/views/reports.py): two queries."""
    months = reporting.months_up_to(reporting.last_whole_month())
    rates = reporting.series(reporting.monthly_rates(unit.members.all(), months, key_length=0), months)
    context = {
        "unit": unit,
        "rates": list(reversed(rates)),
        "last": rates[-1],
        "silent_count": reporting.silent_members(unit.members.all()).count(),
        "silent_months": reporting.SILENT_MONTHS,
    }
    return {"template": "cases/_unit_reports_link.html", "context": context}
