"""The coverage table's download (XLSX or CSV) and the export log.

Who: the coverage download, as the dashboard (ipsm.dashboard.views): cases.view_pmkscount for a region in the
user's scope (404 outside it), coordinators 403. The export log: superusers, and Dinas Sosial staff
(ipsm.view_exportlog) for the users assigned in their kab/kota; anyone else 403.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import render

from ipsm.dashboard import views as dashboard
from ipsm.exporting.filters import ExportLogFilter
from ipsm.lib.exports import LIST_LABELS, clean_filters, export_response
from ipsm.lib.query import PAGE, SORT
from ipsm.models import ExportLog
from members.access import scope_of
from trainings.exports import coverage_export as coverage_spec
from trainings.exports import coverage_period

LOG_PAGE_SIZE = 50


def logs_visible_to(user) -> QuerySet:
    """The export log a user may read: superusers everything; Dinas Sosial staff (ipsm.view_exportlog)
    the exports of users assigned inside their kab/kota, to a region or to a unit; anyone else 403."""
    if not user.has_perm("ipsm.view_exportlog"):
        raise PermissionDenied
    scope = scope_of(user)
    if scope.everything:
        return ExportLog.objects.all()
    if not scope.region_code:
        raise PermissionDenied
    code = scope.region_code
    return ExportLog.objects.filter(
        Q(user__assignment__region__code__startswith=code)
        | Q(user__assignment__unit__region__code__startswith=code)
    )


@login_required
def coverage_export(request, code, fmt):
    user = request.user
    region = dashboard._get_region(user, code)
    # As on the dashboard: a period out of range (cases.periods) is as none, the latest with data.
    period = coverage_period(user, request.GET.get("periode"))
    ordering = dashboard._ordering(request.GET.get(SORT, ""))
    rows = dashboard._kelurahan(user, region.code, period)
    rows = rows.ordered(ordering) if ordering else rows.worst_first()
    filters = clean_filters(
        request.GET, [SORT] if ordering else [], wilayah=region.code, periode=period.key if period else ""
    )
    export = coverage_spec(rows, region=region, period=period, filters=filters)
    return export_response(export, user=user, file_format=fmt)


@login_required
def export_log(request):
    logs = logs_visible_to(request.user)
    log_filter = ExportLogFilter(request.GET, queryset=logs.select_related("user"))
    page = Paginator(log_filter.qs, LOG_PAGE_SIZE).get_page(request.GET.get(PAGE))
    page.object_list = list(page.object_list)
    for log in page.object_list:
        log.list_label = LIST_LABELS.get(log.list_name, log.list_name)
    return render(request, "exports/log.html", {"filter": log_filter, "page": page})
