"""What merging two member records means for cases (registered in CasesConfig.ready through
members.panels.register_merge_handler; run inside members.services.merge_members' transaction).

The survivor becomes the responsible PSM of the merged record's cases (each saved, so the case's history
says who and why) and takes over its lines in the cases' PSM assignment history.
"""

from django.utils.translation import gettext as _

from cases.models import Case, CasePsmAssignment
from members.models import Member

RELATIONS = ["cases.Case.psm", "cases.CasePsmAssignment.member"]


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
