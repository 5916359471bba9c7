"""Printable pages of the registry (print CSS, no PDF library): a unit's roster and the member card (KTA),
and the public page that the card's QR code opens. What the issuing office prints (letterhead, logo,
validity) is its OfficeProfile (members.office).

The roster and the card are login-only, with the same access as the unit and member pages (members.access:
404 out of scope). The verification page is public and shows only name, unit, status and validity.
"""

from http import HTTPStatus

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from members import office
from members.access import get_for_user
from members.models import (
    BOARD_ROLE_ORDER,
    DEFAULT_CARD_VALIDITY_YEARS,
    KABKOTA_LEVELS,
    Member,
    MemberStatus,
    Region,
    Unit,
)
from members.verification import card_token, member_pk_from_token

# The unit's region and the two above it: kelurahan/desa, kecamatan, kab/kota.
_REGION_PATH = "region__parent__parent"


def region_path(region: Region) -> list[Region]:
    """The region and its ancestors up to its kab/kota (loaded with select_related, no query)."""
    path = [region]
    while path[-1].level not in KABKOTA_LEVELS and path[-1].parent_id and len(path) < 3:
        path.append(path[-1].parent)
    return path


def printed_by(user) -> str:
    """Who printed a page, as its foot says."""
    return user.get_full_name() or user.get_username()


@login_required
def unit_roster(request, pk):
    """A unit's board and members, for whoever may open the unit page; phones only for those who may
    edit the unit's members (the printout leaves the office)."""
    unit = get_for_user(Unit.objects.select_related(_REGION_PATH), request.user, pk=pk)
    board = sorted(
        unit.board.current().select_related("member"),
        key=lambda position: (BOARD_ROLE_ORDER[position.role], position.term_starts_on),
    )
    context = {
        "unit": unit,
        "region_path": region_path(unit.region),
        "board": board,
        "roster": unit.members.not_merged().order_by("status", "full_name", "pk"),
        "show_phone": request.user.has_perm("members.change_member"),
        "printed_at": timezone.now(),
        "printed_by": printed_by(request.user),
    }
    return render(request, "members/print_roster.html", context)


@login_required
def member_card(request, pk):
    """The member card (KTA) at ID-1 size, for whoever may see the member: the issuing office (the Dinas
    Sosial of the unit's kab/kota) with its logo, the member's photo, KTA number and validity; its QR code
    opens the public verification page. A member who is not active gets no card: 409 with the reason
    (members.office.card_refusal)."""
    member = get_for_user(CARD_MEMBERS, request.user, pk=pk)
    urls = {
        "back": reverse("members:detail", args=[member.pk]),
        "card": reverse("members:card", args=[member.pk]),
        "photo": reverse("members:photo", args=[member.pk]),
        "logo": reverse("members:office_logo", args=[member.unit.region_id[:5]]),
    }
    return card_response(request, member, urls=urls)


# What a card shows of its member, loaded at once.
CARD_MEMBERS = Member.objects.select_related(f"unit__{_REGION_PATH}", "merged_into", "photo")


def card_response(request, member: Member, *, urls: dict[str, str]) -> HttpResponse:
    """The card of `member` (whom the caller made sure the user may see), or its refusal; `urls`: where
    its back link, its size links, the photo and the office's logo point (the staff's pages, or a PSM's
    own, ipsm/psm)."""
    path = region_path(member.unit.region)
    refusal = office.card_refusal(member)
    if refusal:
        context = {"member": member, "refusal": refusal, "urls": urls}
        return render(request, "members/print_card.html", context, status=HTTPStatus.CONFLICT)
    profile = office.office_for(member.unit.region)
    url = request.build_absolute_uri(reverse("members:verify", args=[card_token(member.pk)]))
    # segno writes only path data (no user text), so the SVG is safe to embed as it is.
    qr_svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True, svgclass="kta-qr-code")
    years = profile.card_validity_years if profile else DEFAULT_CARD_VALIDITY_YEARS
    context = {
        "member": member,
        "region_path": path,
        "kabkota": path[-1],
        "office": profile,
        "has_photo": hasattr(member, "photo"),
        "valid_until": office.card_valid_until(
            active_since=member.status_since, years=years, today=timezone.localdate()
        ),
        "qr_svg": mark_safe(qr_svg),
        "verify_url": url,
        # ?kertas=a4: the card at actual size on an A4 sheet, to cut out (no card printer in most offices).
        "on_a4": request.GET.get("kertas") == "a4",
        "may_edit_office": request.user.has_perm("members.add_officeprofile"),
        "urls": urls,
    }
    return render(request, "members/print_card.html", context)


@require_GET
def verify_card(request, token):
    """Public (no login): what a card's QR code opens. Only name, unit, status and whether the card is valid
    (the member is active); no reason, no personal data. An unknown or forged token gives 404."""
    pk = member_pk_from_token(token)
    member = Member.objects.select_related("unit__region").filter(pk=pk).first() if pk else None
    if member is None:
        response = render(request, "members/verify_card.html", {"member": None}, status=404)
    else:
        context = {
            "member": member,
            "is_valid": member.status == MemberStatus.AKTIF,
            "checked_at": timezone.now(),
        }
        response = render(request, "members/verify_card.html", context)
    return _private(response)


def _private(response: HttpResponse) -> HttpResponse:
    # Not kept by browsers or proxies (the status may change tomorrow), not indexed by search engines.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
