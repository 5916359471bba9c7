"""Registries that other apps fill in their AppConfig.ready(), so that members never imports them.

- Unit panels and member panels: a callable `panel(request, unit)` / `panel(request, member)` returning
  `{"template": ..., "context": {...}}` to be rendered on the page, or None to show nothing (for instance when
  the user may not see it). Each panel does its own access checks and keeps to a constant number of queries.
- Activation checks: a callable `check(member)` run before a member becomes active; it returns a warning
  (text for the user, also recorded in the status history if staff go ahead) or None.
- Merge handlers: a callable `handler(*, survivor, merged, by)` moving the app's rows that point at the
  merged member to the survivor, inside members.services.merge_members' transaction. Each names the
  relations it handles ("app_label.Model.field"); merge_members refuses to run while a relation to Member
  is handled by nobody, so a new foreign key cannot be forgotten.
"""

from collections.abc import Callable
from typing import TypeVar

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

UnitPanel = Callable[[HttpRequest, object], dict | None]
MemberPanel = Callable[[HttpRequest, object], dict | None]
ActivationCheck = Callable[[object], str | None]
MergeHandler = Callable[..., None]

UNIT_PANELS: list[UnitPanel] = []
MEMBER_PANELS: list[MemberPanel] = []
ACTIVATION_CHECKS: list[ActivationCheck] = []
MERGE_HANDLERS: dict[MergeHandler, tuple[str, ...]] = {}

_F = TypeVar("_F", bound=Callable)


def _register(registry: list, func: _F) -> _F:
    # Once, however often the app is made ready.
    if func not in registry:
        registry.append(func)
    return func


def register_unit_panel(func: UnitPanel) -> UnitPanel:
    """Add a panel to the unit page."""
    return _register(UNIT_PANELS, func)


def register_member_panel(func: MemberPanel) -> MemberPanel:
    """Add a panel to the member page."""
    return _register(MEMBER_PANELS, func)


def register_activation_check(func: ActivationCheck) -> ActivationCheck:
    """Add a check run before a member becomes active."""
    return _register(ACTIVATION_CHECKS, func)


def _render(panels: list, request: HttpRequest, obj) -> list[SafeString]:
    rendered = []
    for panel in panels:
        result = panel(request, obj)
        if result is not None:
            rendered.append(render_to_string(result["template"], result.get("context", {}), request=request))
    return rendered


def render_unit_panels(request: HttpRequest, unit) -> list[SafeString]:
    """The registered unit panels that have something for this user, rendered in registration order."""
    return _render(UNIT_PANELS, request, unit)


def render_member_panels(request: HttpRequest, member) -> list[SafeString]:
    """The registered member panels that have something for this user, rendered in registration order."""
    return _render(MEMBER_PANELS, request, member)


def activation_warnings(member) -> list[str]:
    """What the registered checks have against this member becoming active (empty: nothing)."""
    return [warning for check in ACTIVATION_CHECKS if (warning := check(member))]


def register_merge_handler(func: MergeHandler, *, relations: list[str]) -> MergeHandler:
    """Move an app's rows from a merged member to the survivor; `relations` are those it takes care of."""
    MERGE_HANDLERS[func] = tuple(relations)
    return func
