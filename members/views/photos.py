"""A member's photo (pas foto, for the member card): shown to whoever may see the member, uploaded and
removed by whoever may edit them (a coordinator for their unit, staff for their kab/kota). The picture is
checked and drawn anew from its pixels (members.office, ipsm.lib.images) and stored where no URL reaches
it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ipsm.lib.images import private_file_response
from members import office
from members.access import get_for_user
from members.models import Member, MemberPhoto
from members.print_forms import MemberPhotoForm

EDIT = "members.change_member"
PHOTO_HISTORY_LIMIT = 10


def _back_to(member: Member):
    return redirect(f"{reverse('members:detail', args=[member.pk])}#photo")


@require_GET
@login_required
def member_photo(request, pk):
    member = get_for_user(Member.objects.all(), request.user, pk=pk)
    photo = MemberPhoto.objects.filter(member=member).first()
    if photo is None:
        raise Http404
    return private_file_response(photo.image)


@require_POST
@login_required
def member_photo_upload(request, pk):
    member = get_for_user(Member.objects.all(), request.user, pk=pk, perm=EDIT)
    form = MemberPhotoForm(request.POST, request.FILES)
    if form.is_valid():
        office.set_member_photo(member=member, image=form.cleaned_data["photo"], by=request.user)
        messages.success(request, _("Photo saved."))
    else:
        for error in form.errors.get("photo", []):
            messages.error(request, _("Photo not saved: %(reason)s") % {"reason": error})
    return _back_to(member)


@require_POST
@login_required
def member_photo_remove(request, pk):
    member = get_for_user(Member.objects.all(), request.user, pk=pk, perm=EDIT)
    if office.remove_member_photo(member=member, by=request.user):
        messages.success(request, _("Photo removed."))
    return _back_to(member)


def photo_and_card_context(member: Member, *, can_edit: bool) -> dict:
    """What the member page shows of the photo and the card: the photo (if any), the upload form and the
    photo's history for editors, and why the card cannot be printed (then the page offers no print link)."""
    photo = MemberPhoto.objects.filter(member=member).select_related("uploaded_by").first()
    history = None
    if can_edit:
        history = list(
            MemberPhoto.history.filter(member_id=member.pk)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:PHOTO_HISTORY_LIMIT]
        )
    return {
        "photo": photo,
        "photo_form": MemberPhotoForm() if can_edit else None,
        "photo_history": history,
        "card_refusal": office.card_refusal(member),
    }
