"""What merging two member records means for cases (registered in CasesConfig.ready through
members.panels.register_merge_handler; run inside members.services.merge_members' transaction).

The survivor takes the merged record's monthly reports, for the months it has none of its own (a month
reported under both stays with the merged record, as it was sent). The survivor becomes the responsible
PSM of the merged record's cases (each saved, so the case's history says who and why) and takes over its
lines in the cases' PSM assignment history.
"""

from django.utils.translation import gettext as _

from cases.models import Case, CasePsmAssignment, MonthlyReport
from members.models import Member

RELATIONS = ["cases.Case.psm", "cases.CasePsmAssignment.member", "cases.MonthlyReport.member"]


def move_cases(*, survivor: Member, merged: Member, by) -> None:
    reason = _("Responsible PSM: record %(merged)s merged into %(survivor)s") % {
        "merged": merged.kta_number,
        "survivor": survivor.kta_number,
    }
    for case in Case.objects.select_for_update().filter(psm=merged):
        case.psm = survivor
        case._history_user = by
        case._change_reason = reason
        case.save(update_fields=["psm", "updated_at"])
    CasePsmAssignment.objects.filter(member=merged).update(member=survivor)
    survivor_months = MonthlyReport.objects.filter(member=survivor).values("month")
    MonthlyReport.objects.filter(member=merged).exclude(month__in=survivor_months).update(member=survivor)
