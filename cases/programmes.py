"""PSM monthly reports realise a unit's planned activity of the same kind (members/programmes.py's SOURCES;
registered in CasesConfig.ready).

The candidates are the months of the programme's year in which approved reports of the unit's members
record an activity of that kind: one query, at most twelve rows. Linking records the last day it was done
that month and how many reports showed it; the activity's note says what they add up to.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import ReportActivity, ReportActivityKind, ReportState
from members.models import ProgrammeActivity, RealisedBy
from members.programmes import Candidate, Source, mark_realised, year_bounds


def _months(activity: ProgrammeActivity) -> list[dict]:
    first, last = year_bounds(activity.programme.year)
    return list(
        ReportActivity.objects.filter(
            kind=activity.kind,
            report__state=ReportState.DISETUJUI,
            report__member__unit_id=activity.programme.unit_id,
            report__month__range=(first, min(last, timezone.localdate())),
        )
        .annotate(month=TruncMonth("report__month"))
        .values("month")
        .annotate(reports=Count("report", distinct=True), times=Sum("count"), last_on=Max("done_on"))
        .order_by("month")
    )


def _label(row: dict, kind: str) -> str:
    return _("%(month)s: %(reports)s approved reports, %(kind)s %(times)s times") % {
        "month": date_format(row["month"], "F Y"),
        "reports": row["reports"],
        "kind": ReportActivityKind(kind).label,
        "times": row["times"] or 0,
    }


def candidates(activity: ProgrammeActivity) -> list[Candidate]:
    return [
        Candidate(f"{row['month']:%Y-%m}", _label(row, activity.kind), row["last_on"] or row["month"])
        for row in _months(activity)
    ]


def link(*, activity: ProgrammeActivity, ref: str, by) -> ProgrammeActivity:
    """Realised by the approved reports of the month `ref` (YYYY-MM), counted again now."""
    row = next((row for row in _months(activity) if f"{row['month']:%Y-%m}" == ref), None)
    if row is None:
        raise ValidationError(
            _("No approved PSM report of the unit records this kind of activity in that month.")
        )
    return mark_realised(
        activity=activity,
        on=row["last_on"] or row["month"],
        how=RealisedBy.REPORTS,
        report_count=row["reports"],
        note=_label(row, activity.kind),
        by=by,
    )


SOURCE = Source(
    key=RealisedBy.REPORTS,
    label=gettext_lazy("Approved PSM monthly reports of this kind"),
    candidates=candidates,
    link=link,
    kinds=frozenset(ReportActivityKind.values),
)
