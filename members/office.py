"""The office behind the official print-outs: its profile (letterhead, signatory, place of signing), the
uploaded logo and member photos, and what a member card says or why it is refused.

One home for these rules:
- who may see an office's print-outs and its logo: `OfficeProfile.objects.visible_to(user)`;
- whether a member's card may be printed, and why not: `card_refusal()`;
- until when a card is valid: `card_valid_until()`;
- uploaded pictures: checked and drawn anew by ipsm.lib.images (`clean_logo`, `clean_photo`), written by
  `save_office_profile()`, `set_member_photo()` and `remove_member_photo()` (files replaced or removed are
  deleted once the transaction commits; the rows' history stays, django-simple-history).
"""

import datetime
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ipsm.lib.dates import years_after
from ipsm.lib.images import CleanImage, clean_image
from members.models import Member, MemberPhoto, MemberStatus, OfficeProfile, Region

LOGO_MAX_SIDE = 400  # pixels; printed at most 25 mm wide, 400 px is 400 dpi
PHOTO_MAX_SIDE = 600  # pixels; a 3x4 pas foto of 600 × 800 px prints at 500 dpi on the card


def clean_logo(file) -> CleanImage:
    return clean_image(file, max_side=LOGO_MAX_SIDE, max_bytes=settings.IMAGE_MAX_UPLOAD_BYTES, lossless=True)


def clean_photo(file) -> CleanImage:
    return clean_image(file, max_side=PHOTO_MAX_SIDE, max_bytes=settings.IMAGE_MAX_UPLOAD_BYTES)


def office_for(region: Region) -> OfficeProfile | None:
    """The profile of the office of `region`'s kab/kota, if its staff filled it in."""
    return OfficeProfile.objects.filter(pk=region.code[:5]).first()


# --- The member card ---------------------------------------------------------------------------------------


def card_refusal(member: Member) -> str:
    """Why the member's card (KTA) may not be printed; "" when it may. A card says its holder is a PSM on
    duty: only an active member gets one."""
    if member.status == MemberStatus.AKTIF:
        return ""
    if member.merged_into_id:
        return _(
            "The card cannot be printed: this record was merged into that of %(name)s (KTA %(kta)s)."
        ) % {"name": member.merged_into.full_name, "kta": member.merged_into.kta_number}
    since = formats.date_format(member.status_since, "j F Y")
    if member.status == MemberStatus.CALON:
        return _(
            "The card cannot be printed: the member is a candidate (Calon) since %(date)s. A card is "
            "printed once the member is active."
        ) % {"date": since}
    return _("The card cannot be printed: the member is inactive (Nonaktif: %(reason)s) since %(date)s.") % {
        "reason": member.get_status_reason_display(),
        "date": since,
    }


def card_valid_until(*, active_since: datetime.date, years: int, today: datetime.date) -> datetime.date:
    """ "Berlaku s.d." on a member card: `years` after the member became active (their status date, so a
    reactivated member starts afresh). A member active for longer is in a later period of `years`: the card
    shows that period's end, so every reprint within one period shows the same date and none is out of date
    the day it is printed."""
    periods = 1
    while (until := years_after(active_since, years * periods)) < today:
        periods += 1
    return until


# --- Writes ------------------------------------------------------------------------------------------------


def _store(field_file, image: CleanImage) -> str:
    """Write `image` under a new random name (nothing of the member or of the upload's name in it)."""
    field_file.save(f"{uuid.uuid4().hex}{image.extension}", ContentFile(image.content), save=False)
    return field_file.name


def _delete_on_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def save_office_profile(
    *, profile: OfficeProfile, logo: CleanImage | None, remove_logo: bool, by
) -> OfficeProfile:
    """Save an office's profile (from its form) with a new logo, without its logo, or keeping it."""
    old_logo = OfficeProfile.objects.filter(pk=profile.pk).values_list("logo", flat=True).first() or ""
    new_logo = _store(profile.logo, logo) if logo else ""
    if remove_logo and not logo:
        profile.logo = ""
    profile.updated_by = by
    profile._history_user = by
    try:
        profile.full_clean()
        profile.save()
    except Exception:
        if new_logo:
            profile.logo.storage.delete(new_logo)
        raise
    if old_logo != profile.logo.name:
        _delete_on_commit(profile.logo.storage, old_logo)
    return profile


@transaction.atomic
def set_member_photo(*, member: Member, image: CleanImage, by) -> MemberPhoto:
    """Give the member this photo (replacing the one they had)."""
    photo = MemberPhoto.objects.select_for_update().filter(member=member).first() or MemberPhoto(
        member=member
    )
    old_name = photo.image.name or ""
    new_name = _store(photo.image, image)
    photo.width, photo.height = image.width, image.height
    photo.uploaded_by = by
    photo.uploaded_at = timezone.now()
    photo._history_user = by
    try:
        photo.save()
    except Exception:
        photo.image.storage.delete(new_name)
        raise
    _delete_on_commit(photo.image.storage, old_name)
    return photo


@transaction.atomic
def remove_member_photo(*, member: Member, by) -> bool:
    """Remove the member's photo (False: they had none)."""
    photo = MemberPhoto.objects.select_for_update().filter(member=member).first()
    if photo is None:
        return False
    name = photo.image.name
    photo._history_user = by
    photo.delete()
    _delete_on_commit(photo.image.storage, name)
    return True


# members.services.merge_members moves every relation to Member; this one is handled here.
MERGE_RELATIONS = ["members.MemberPhoto.member"]


def move_member_photo(*, survivor: Member, merged: Member, by) -> None:
    """Merging two records: the survivor keeps its own photo, or takes the merged record's if it had none."""
    if MemberPhoto.objects.filter(member=survivor).exists():
        return
    photo = MemberPhoto.objects.select_for_update().filter(member=merged).first()
    if photo is not None:
        photo.member = survivor
        photo._history_user = by
        photo.save(update_fields=["member"])
