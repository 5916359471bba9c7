"""A case's change history (field: old -> new, who, when).

Who: holders of cases.view_case (Dinas Sosial staff, superusers) within their kab/kota; coordinators and
viewers never see a case (403), cases of another kab/kota give 404. The person's NIK is shown in clear only
to those who may edit the case, as on the case page.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cases.models import Case
from ipsm.lib.history import history_entries
from members.access import get_for_user, require_perm

VIEW, CHANGE = "cases.view_case", "cases.change_case"


@login_required
def case_history(request, pk):
    require_perm(request.user, VIEW)
    case = get_for_user(Case.objects.all(), request.user, pk=pk)
    history = history_entries(case, show_nik=request.user.has_perm(CHANGE))
    return render(request, "cases/case_history.html", {"case": case, "history": history})
