"""Optimistic locking for edit forms: two people with the same record open must not overwrite each other.

The form carries, in a hidden field, a fingerprint of the values it showed (the fields the form edits, as
read when the page was opened). Saving locks the row, compares the fingerprint with the row as it is now,
and refuses when another save changed any of those fields meanwhile; the form is shown again with the
person's input and a message. Only the form's own fields count: a status change or a new member's KTA
serial made meanwhile does not block a profile edit, and is kept because every other field is taken from
the locked row before saving (a plain `form.save()` would write back the values read at the start).

A fingerprint rather than an `updated_at` column: it needs no migration, works for every model, and sees
changes made by bulk or queryset updates that do not touch a timestamp.
"""

import json

from django import forms
from django.db import transaction
from django.utils.crypto import salted_hmac

VERSION_FIELD = "version"


def fingerprint(instance, field_names: list[str]) -> str:
    """A keyed digest of the instance's values for these fields (a NIK among them stays unreadable)."""
    opts = instance._meta
    values = [str(opts.get_field(name).value_from_object(instance)) for name in sorted(field_names)]
    return salted_hmac("ipsm.lib.concurrency.fingerprint", json.dumps(values), algorithm="sha256").hexdigest()


class VersionedFormMixin:
    """For a ModelForm editing an existing row: adds the hidden version field; save with save_unless_changed.

    `stale_message` is the error shown when someone else saved the same fields first.
    """

    stale_message: str

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Not required: a client that never opened the form (a script) has no version to compare.
            # The initial value is computed when the page renders, after subclasses removed their fields.
            self.fields[VERSION_FIELD] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=lambda: self.version_of(self.instance)
            )

    def versioned_fields(self) -> list[str]:
        model_fields = {field.name for field in self.instance._meta.concrete_fields}
        return [name for name in self.fields if name in model_fields]

    def version_of(self, instance) -> str:
        return fingerprint(instance, self.versioned_fields())


@transaction.atomic
def save_unless_changed(form: VersionedFormMixin) -> bool:
    """Save a valid versioned form under a row lock; False, with the form's error, if the row changed."""
    instance = form.instance
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    seen = form.cleaned_data.get(VERSION_FIELD)
    if seen and seen != form.version_of(current):
        form.add_error(None, form.stale_message)
        return False
    edited = set(form.versioned_fields())
    for field in instance._meta.concrete_fields:
        if field.name not in edited and not field.primary_key:
            setattr(instance, field.attname, getattr(current, field.attname))
    form.save()
    return True
