"""PSM accounts: a member's own login (role PSM, ipsm/roles.py), tied to the member by an Assignment.

- Staff of the member's kab/kota or the coordinator of their unit invite an active member
  (`invite_member`): a one-time link valid 14 days, of which only the SHA-256 is kept. A new invitation
  revokes the member's earlier open ones and, for a member who has an account, disables its password at
  once ("reset access"): a lost phone stops working before the new link is used.
- The member opens the link (`invitation_for_token`) and chooses a username and password
  (`activate_account`): the account is created or updated, the invitation used, in one transaction.
- `AccountBackend` logs in by username or by a PSM's mobile number (any form members.phone accepts), and
  refuses a PSM whose member is not active, at login and on every request (their session ends).
"""

import datetime
import hashlib
import secrets
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import AccountInvitation, Assignment, Member, MemberStatus
from members.phone import normalize_phone

INVITATION_DAYS = 14
# The group's name; ipsm/roles.py (above this app) defines its permissions: none the staff pages check.
PSM_GROUP = "PSM"


class InvitationState(StrEnum):
    OPEN = "open"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    INACTIVE = "inactive"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def account_of(member: Member):
    """The member's PSM user, or None."""
    assignment = Assignment.objects.select_related("user").filter(member=member).first()
    return assignment.user if assignment else None


@transaction.atomic
def invite_member(*, member: Member, by) -> tuple[AccountInvitation, str]:
    """A new one-time link for the member's account; returns the invitation and the token (shown once).

    Whether `by` may invite this member is the view's access check (members.change_member within their
    scope: staff of the kab/kota, the unit's coordinator)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.AKTIF or member.merged_into_id:
        raise ValidationError(_("Only an active member can get a PSM account."), code="inactive")
    now = timezone.now()
    member.account_invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    user = account_of(member)
    if user is not None and user.has_usable_password():
        user.set_unusable_password()  # also ends their sessions (the session hash follows the password)
        user.save(update_fields=["password"])
    token = secrets.token_urlsafe(32)
    invitation = AccountInvitation.objects.create(
        member=member,
        token_hash=hash_token(token),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
    )
    return invitation, token


def invitation_for_token(token: str) -> tuple[AccountInvitation | None, InvitationState]:
    """The invitation a link's token names, and whether it can still be used."""
    invitation = (
        AccountInvitation.objects.select_related("member__unit__region")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        return None, InvitationState.UNKNOWN
    return invitation, state_of(invitation)


def suggested_username(member: Member) -> str:
    """The KTA number in lower case, dots and slashes as dashes: known to the member, printed on the card."""
    return "".join(char if char.isalnum() else "-" for char in member.kta_number.lower()).strip("-")


@transaction.atomic
def activate_account(*, invitation: AccountInvitation, username: str, password: str):
    """Create (or update, after a reset) the member's account with this username and password; the
    invitation is used. The form checked the username's availability and the password's strength."""
    invitation = AccountInvitation.objects.select_for_update().select_related("member").get(pk=invitation.pk)
    state = state_of(invitation)
    if state != InvitationState.OPEN:
        raise ValidationError(_("This link can no longer be used."), code=state)
    user = account_of(invitation.member)
    if user is None:
        user = get_user_model()(username=username)
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=PSM_GROUP))
        Assignment.objects.create(user=user, member=invitation.member)
    else:
        user.username = username
        user.is_active = True
        user.set_password(password)
        user.save(update_fields=["username", "is_active", "password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user


def state_of(invitation: AccountInvitation) -> InvitationState:
    """Whether the invitation can still be used, and if not why."""
    if invitation.used_at:
        return InvitationState.USED
    if invitation.revoked_at:
        return InvitationState.REVOKED
    if invitation.expires_at <= timezone.now():
        return InvitationState.EXPIRED
    if invitation.member.status != MemberStatus.AKTIF or invitation.member.merged_into_id:
        return InvitationState.INACTIVE
    return InvitationState.OPEN


def is_psm_account(user) -> bool:
    """Whether the user is a PSM's own account; no query for a user loaded by AccountBackend.get_user."""
    try:
        return user.assignment.member_id is not None
    except Assignment.DoesNotExist:
        return False


def phone_login_name(typed: str) -> str:
    """`+628...` when the typed username is a mobile number (any form), else ""."""
    try:
        return normalize_phone(typed) if typed else ""
    except ValidationError:
        return ""


class AccountBackend(ModelBackend):
    """Django's backend, plus: a PSM logs in with their mobile number as username, and a PSM whose member
    is not active cannot log in, nor stay logged in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None or not username or password is None:
            return user
        phone = phone_login_name(str(username))
        if not phone:
            return None
        # Two accounts on one number (a shared family phone): neither logs in by it, only by username.
        found = list(
            Assignment.objects.select_related("user", "member").filter(
                member__phone=phone, member__merged_into__isnull=True
            )[:2]
        )
        assignment = found[0] if len(found) == 1 else None
        if assignment is None:
            get_user_model()().set_password(password)  # the same time as for a wrong password
            return None
        user = assignment.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        try:
            member = user.assignment.member
        except Assignment.DoesNotExist:
            return True
        return member is None or (member.status == MemberStatus.AKTIF and not member.merged_into_id)

    def get_user(self, user_id):
        # One query per request, as before: the assignment and member come along.
        user = (
            get_user_model()._default_manager.select_related("assignment__member").filter(pk=user_id).first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
