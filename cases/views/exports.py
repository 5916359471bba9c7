"""Downloads (XLSX or CSV) of the case summary and of a region's PMKS counts; see ipsm/lib/exports.py.

Who: the case summary, only holders of cases.view_case (Dinas Sosial staff) within their kab/kota; PMKS
counts, holders of cases.view_pmkscount (staff, viewers, coordinators for their kelurahan) for a region in
their scope (404 outside it). Both are counts only.
"""

from django.contrib.auth.decorators import login_required

from cases import exports
from ipsm.lib.exports import export_response
from members.access import get_for_user, require_perm
from members.models import Region


@login_required
def case_summary_export(request, fmt):
    require_perm(request.user, "cases.view_case")
    export = exports.case_summary_export(request.user, request.GET)
    return export_response(export, user=request.user, file_format=fmt)


@login_required
def pmks_export(request, code, fmt):
    region = get_for_user(Region.objects.all(), request.user, pk=code, perm="cases.view_pmkscount")
    period = exports.pmks_period(region, request.GET.get("periode"))
    export = exports.pmks_export(request.user, region, period)
    return export_response(export, user=request.user, file_format=fmt)
