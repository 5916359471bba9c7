"""Downloads of the member and unit lists (XLSX or CSV) with the list's filters; see ipsm/lib/exports.py.

Who: whoever may see the list (members.view_member / members.view_unit: staff, viewers, coordinators),
within their scope; others get 403, anonymous users the login page.
"""

from django.contrib.auth.decorators import login_required

from ipsm.lib.exports import export_response
from members import exports
from members.access import require_perm


@login_required
def member_export(request, fmt):
    require_perm(request.user, "members.view_member")
    export = exports.member_export(request.user, request.GET)
    return export_response(export, user=request.user, file_format=fmt)


@login_required
def unit_export(request, fmt):
    require_perm(request.user, "members.view_unit")
    export = exports.unit_export(request.user, request.GET)
    return export_response(export, user=request.user, file_format=fmt)
