"""Who may see what: a user's scope, helpers that fetch one object or fail with 404/403, and the whole-NIK
policy.

Out of scope gives 404 (the object's existence is not revealed); in scope but read-only gives 403.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from members.nik import mask_nik

# The refusal of a NIK registered where the user does not see it whole (forms and imports): it must not
# confirm that the NIK exists, nor where.
NIK_CANNOT_BE_REGISTERED = _("This NIK cannot be registered. Please contact the Dinas Sosial.")


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_code: str = ""  # Dinas Sosial staff and viewers: a kab/kota (or wider) code prefix
    unit_id: int | None = None  # IPSM coordinators: one unit
    unit_region_code: str = ""
    # A PSM's own account: their one member. No QuerySet's visible_to() shows it to them: their pages
    # (ipsm/psm) fetch it through own_member(), every other page refuses them.
    member_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.region_code or self.unit_id)


NO_SCOPE = Scope()


def scope_of(user) -> Scope:
    """The user's scope, read once per request and kept on the user object."""
    if not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_ipsm_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True)
    else:
        from members.models import Assignment

        assignment = Assignment.objects.select_related("unit").filter(user=user).first()
        if assignment is None:
            scope = NO_SCOPE
        elif assignment.member_id:
            scope = Scope(member_id=assignment.member_id)
        elif assignment.unit_id:
            scope = Scope(unit_id=assignment.unit_id, unit_region_code=assignment.unit.region_id)
        else:
            scope = Scope(region_code=assignment.region_id)
    user._ipsm_scope = scope
    return scope


def get_for_user(queryset, user, *, pk, perm: str | None = None):
    """The object with `pk` among those the user may see (else 404); with `perm`, 403 unless they hold it."""
    if isinstance(pk, str) and "\x00" in pk:  # a region code from the URL: PostgreSQL refuses NUL
        raise Http404
    try:
        obj = queryset.visible_to(user).get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if perm and not user.has_perm(perm):
        raise PermissionDenied
    return obj


def get_own_member(user, queryset):
    """A PSM's own member (their account's, members.accounts); 403 for every other user."""
    member_id = scope_of(user).member_id
    if not member_id:
        raise PermissionDenied
    return queryset.get(pk=member_id)


def require_perm(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


class NikPolicy:
    """Whether the user sees a member's whole NIK, and what goes beside a masked one: the one rule, used by
    pages, exports, history, searches, forms and imports.

    A whole NIK only where the user may edit that member: members.change_member and the member inside their
    scope (their kab/kota, or the unit they coordinate). Read-only users never. Beside a masked NIK the year
    of birth only: the day and month are the NIK's hidden digits (plus 40 for women). Whoever does not see a
    NIK whole learns nothing from it either: no search by it, no sort by it, and a NIK registered out of
    their sight is refused with only "cannot be registered" (members.forms, members.importers).
    Decided from the member's unit (select_related), so a file of any size needs no query per row."""

    def __init__(self, user):
        scope = scope_of(user)
        may_edit = user.has_perm("members.change_member")
        self._everything = may_edit and scope.everything
        self._region_code = scope.region_code if may_edit else ""
        self._unit_id = scope.unit_id if may_edit else None

    @property
    def never_whole(self) -> bool:
        return not (self._everything or self._region_code or self._unit_id)

    def shows_whole(self, member) -> bool:
        if self._everything:
            return True
        if self._region_code:
            return member.unit.region_id.startswith(self._region_code)
        return self._unit_id is not None and member.unit_id == self._unit_id

    def nik(self, member) -> str:
        return member.nik if self.shows_whole(member) else mask_nik(member.nik)

    def birth_date(self, member):
        """The date of birth where the NIK is shown whole; else None (see birth_year)."""
        return member.birth_date if self.shows_whole(member) else None

    def birth_year(self, member) -> int | None:
        return member.birth_date.year if member.birth_date else None

    def whole_among(self, members: QuerySet) -> QuerySet:
        """Those of `members` whose NIK the user sees whole (the only ones a NIK may be looked up among)."""
        if self._everything:
            return members
        if self._region_code:
            return members.filter(unit__region__code__startswith=self._region_code)
        if self._unit_id:
            return members.filter(unit_id=self._unit_id)
        return members.none()

    def any_whole_in(self, members: QuerySet) -> bool:
        """Whether any of `members` is shown with a whole NIK (one query, only when the scope decides)."""
        if self.never_whole:
            return False
        return self.whole_among(members).exists()
