"""The activity log page (/aktivitas/).

Who: superusers (everything) and Dinas Sosial staff (ipsm.audit.activity.AUDIT_PERM with a kab/kota
assigned: the records of their kab/kota). Read-only viewers, coordinators and anyone else get 403.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from ipsm.audit.activity import ActivityFilters, activity_page, kinds_for, may_view_activity
from ipsm.audit.forms import ActivityFilterForm
from ipsm.lib.query import PAGE, page_number


@login_required
def activity_log(request):
    if not may_view_activity(request.user):
        raise PermissionDenied
    form = ActivityFilterForm(request.GET or None, user=request.user, kinds=kinds_for(request.user))
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else ActivityFilters()
        page = activity_page(request.user, filters, page_number(request.GET.get(PAGE)))
    return render(request, "ipsm/activity.html", {"form": form, "page": page})
