"""PSM accounts, the staff side (members.accounts holds the rules): the member page's "Akun PSM" panel and
the invitation, whose slip (link, QR code, WhatsApp message) is shown once, right after the POST: only the
token's hash is kept."""

from urllib.parse import quote

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ipsm.lib.forms import add_error_messages
from members import accounts
from members.access import get_for_user
from members.models import Member, MemberStatus

CHANGE = "members.change_member"


def account_panel(request, member) -> dict | None:
    """For those who may edit the member (staff of the kab/kota, the unit's coordinator): the account's
    state and the button that invites or resets. Two queries."""
    if not request.user.has_perm(CHANGE):
        return None
    user = accounts.account_of(member)
    context = {
        "member": member,
        "account": user,
        "account_usable": bool(user and user.has_usable_password()),
        "open_invitation": member.account_invitations.open().first(),
        "may_invite": member.status == MemberStatus.AKTIF and not member.merged_into_id,
    }
    return {"template": "members/_account_panel.html", "context": context}


def whatsapp_url(*, phone: str, text: str) -> str:
    """wa.me with the message filled in: the number without its +, the text URL-encoded."""
    return f"https://wa.me/{phone.lstrip('+')}?text={quote(text)}"


@require_POST
@login_required
def account_invite(request, pk):
    member = get_for_user(Member.objects.select_related("unit"), request.user, pk=pk, perm=CHANGE)
    try:
        invitation, token = accounts.invite_member(member=member, by=request.user)
    except ValidationError as error:
        add_error_messages(request, error)
        return redirect("members:detail", pk=member.pk)
    link = request.build_absolute_uri(reverse("psm:activate", args=[token]))
    until = formats.date_format(invitation.expires_at, "j F Y")
    message = _(
        "Hello %(name)s, this is the link to your PSM account in the IPSM registry. Open it and choose your "
        "password (valid until %(date)s, once): %(link)s"
    ) % {"name": member.full_name, "date": until, "link": link}
    qr_svg = segno.make(link, error="m").svg_inline(border=2, omitsize=True, svgclass="slip-qr")
    context = {
        "member": member,
        "invitation": invitation,
        "link": link,
        "message": message,
        "whatsapp_url": whatsapp_url(phone=member.phone, text=message) if member.phone else "",
        # segno writes only path data (no user text), so the SVG is safe to embed as it is.
        "qr_svg": mark_safe(qr_svg),
    }
    response = render(request, "members/account_slip.html", context)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
