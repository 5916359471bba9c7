"""Who may see what: a user's scope, and helpers that fetch one object or fail with 404/403.

Out of scope gives 404 (the object's existence is not revealed); in scope but read-only gives 403.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_code: str = ""  # Dinas Sosial staff and viewers: a kab/kota (or wider) code prefix
    unit_id: int | None = None  # IPSM coordinators: one unit
    unit_region_code: str = ""

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
        elif assignment.unit_id:
            scope = Scope(unit_id=assignment.unit_id, unit_region_code=assignment.unit.region_id)
        else:
            scope = Scope(region_code=assignment.region_id)
    user._ipsm_scope = scope
    return scope


def get_for_user(queryset, user, *, pk, perm: str | None = None):
    """The object with `pk` among those the user may see (else 404); with `perm`, 403 unless they hold it."""
    try:
        obj = queryset.visible_to(user).get(pk=pk)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if perm and not user.has_perm(perm):
        raise PermissionDenied
    return obj


def require_perm(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied
