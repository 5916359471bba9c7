"""Readable change history (field: old -> new, who, when) of any model tracked by django-simple-history.

Members, units, cases, training events and coverage targets all show their history through this module, so
every page words a change the same way and masks a NIK the same way.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ipsm.lib.redact import mask_nik

HISTORY_LIMIT = 50

# Fields that hold a NIK (a member's, a case's person's): masked unless the viewer may see them in clear.
NIK_FIELDS = frozenset({"nik", "person_nik"})


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: object
    kind: str  # "+" created, "~" changed, "-" deleted
    reason: str
    changes: list[Change] = field(default_factory=list)
    history_id: int | None = None
    # Set by pages that offer to bring this version back (members.history.member_history).
    restore_url: str = ""


def untracked_fields(model) -> list[str]:
    """Timestamps Django sets on every save: a change of them alone says nothing to the reader."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


def history_entries(obj, *, show_nik: bool) -> list[HistoryEntry]:
    """The newest changes of `obj`, each with the fields it changed; foreign keys shown by name.

    A fixed number of queries: the records with their users, then one query per foreign-key model named.
    """
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_LIMIT + 1
        ]
    )
    model = obj.__class__
    skipped = untracked_fields(model)
    diffs = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(diffs) == HISTORY_LIMIT:
            break
        delta = newer.diff_against(older, excluded_fields=skipped).changes if older is not None else []
        diffs.append((newer, [(change.field, change.old, change.new) for change in delta]))
    names = foreign_key_names(model, [change for _record, delta in diffs for change in delta])
    entries = []
    for record, delta in diffs:
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=record.history_type,
                reason=record.history_change_reason or "",
                changes=describe_changes(model, delta, names=names, show_nik=show_nik),
                history_id=record.history_id,
            )
        )
    return entries


def describe_changes(
    model, changes: Iterable[tuple[str, object, object]], *, names: dict | None = None, show_nik: bool
) -> list[Change]:
    """(field name, old value, new value) triples worded for people; foreign keys by name (one query per
    related model unless `names` from foreign_key_names is given)."""
    changes = list(changes)
    if names is None:
        names = foreign_key_names(model, changes)
    described = []
    for name, old, new in changes:
        model_field = model._meta.get_field(name)
        described.append(
            Change(
                label=str(model_field.verbose_name),
                old=display_value(model_field, old, names, show_nik=show_nik),
                new=display_value(model_field, new, names, show_nik=show_nik),
            )
        )
    return described


def foreign_key_names(model, changes: Iterable[tuple[str, object, object]]) -> dict:
    """{(related model, pk): name} for the foreign keys named in `changes`, one query per related model."""
    wanted: dict[type, set] = {}
    for name, old, new in changes:
        model_field = model._meta.get_field(name)
        if isinstance(model_field, models.ForeignKey):
            wanted.setdefault(model_field.related_model, set()).update(v for v in (old, new) if v)
    names = {}
    for related, pks in wanted.items():
        # A unit's name is its region's, a PSM's unit is shown with them: fetch those in the same query.
        joins = {"members.Unit": ["region"]}.get(related._meta.label, [])
        for obj in related._base_manager.filter(pk__in=pks).select_related(*joins):
            names[(related, obj.pk)] = str(obj)
    return names


def display_value(model_field, value, names: dict, *, show_nik: bool) -> str:
    if value in (None, ""):
        return "—"
    if model_field.name in NIK_FIELDS and not show_nik:
        return mask_nik(str(value))
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.related_model, value), str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.DateTimeField) and hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value.tzinfo else str(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    if isinstance(model_field, models.DecimalField):
        return formats.number_format(value, use_l10n=True, force_grouping=True)
    return str(value)
