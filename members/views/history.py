"""Restoring an earlier version of a member's profile (the history itself is on the member's page).

Who: users who may edit the member (members.change_member within their scope: staff of the kab/kota, the
unit's coordinator, superusers). Out of scope gives 404, read-only users 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ipsm.lib.forms import add_error_messages
from members import services
from members.access import get_for_user
from members.history import restore_preview
from members.models import Member


@login_required
def member_restore(request, pk, history_id):
    """GET: what restoring the version would change; POST: restore it."""
    member = get_for_user(
        Member.objects.select_related("unit__region", "kelurahan"),
        request.user,
        pk=pk,
        perm="members.change_member",
    )
    version = get_object_or_404(member.history.select_related("history_user"), history_id=history_id)
    status = 200
    if request.method == "POST":
        try:
            restored = services.restore_member_version(
                member=member, history_id=version.history_id, by=request.user
            )
        except ValidationError as error:
            add_error_messages(request, error)
            status = 400
        else:
            if restored:
                messages.success(request, _("The earlier version is restored."))
            else:
                messages.info(request, _("Nothing was restored: this version's profile is the current one."))
            return redirect("members:detail", pk=member.pk)
    context = {
        "member": member,
        "version": version,
        "changes": restore_preview(member, version, show_nik=True),
    }
    return render(request, "members/member_restore.html", context, status=status)
