"""Form helpers shared by the apps' views."""

from collections.abc import Mapping

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError


def add_service_error(
    form: forms.BaseForm, error: ValidationError, *, fields: Mapping[str, str] | None = None
) -> None:
    """A service's refusal shown on the form that asked for it: an error the service keyed by field
    (ValidationError({"field": ...})) goes under that field, one whose code `fields` maps to a field under
    that one, the rest above the form. Fields the form does not have fall back to above the form."""
    fields = fields or {}
    if hasattr(error, "error_dict"):
        items = [(name, item) for name, errors in error.error_dict.items() for item in errors]
    else:
        items = [(fields.get(item.code or ""), item) for item in error.error_list]
    for name, item in items:
        form.add_error(name if name in form.fields else None, item)


def add_error_messages(request, error: ValidationError) -> None:
    """A service's refusal as messages, for pages whose form is elsewhere (a button on another page)."""
    for message in error.messages:
        messages.error(request, message)
