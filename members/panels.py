"""Panels that other apps add to the IPSM unit page, so that members never imports them.

An app registers a callable `panel(request, unit)` in its AppConfig.ready(); it returns
`{"template": ..., "context": {...}}` to be rendered on the page, or None to show nothing (for instance when
the user may not see it). Each panel does its own access checks and keeps to a constant number of queries.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

UnitPanel = Callable[[HttpRequest, object], dict | None]

UNIT_PANELS: list[UnitPanel] = []


def register_unit_panel(func: UnitPanel) -> UnitPanel:
    """Add a panel to the unit page (once, however often the app is made ready)."""
    if func not in UNIT_PANELS:
        UNIT_PANELS.append(func)
    return func


def render_unit_panels(request: HttpRequest, unit) -> list[SafeString]:
    """The registered panels that have something for this user, rendered in registration order."""
    rendered = []
    for panel in UNIT_PANELS:
        result = panel(request, unit)
        if result is not None:
            rendered.append(render_to_string(result["template"], result.get("context", {}), request=request))
    return rendered
