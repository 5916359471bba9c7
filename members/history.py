"""Readable change history (field: old -> new, who, when) from django-simple-history records."""

from dataclasses import dataclass, field

from django.db import models

from members.nik import mask_nik

HISTORY_LIMIT = 50


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
    diffs = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(diffs) == HISTORY_LIMIT:
            break
        delta = newer.diff_against(older).changes if older is not None else []
        diffs.append((newer, delta))
    names = _foreign_key_names(model, [change for _record, delta in diffs for change in delta])
    entries = []
    for record, delta in diffs:
        entry = HistoryEntry(
            when=record.history_date,
            who=record.history_user,
            kind=record.history_type,
            reason=record.history_change_reason or "",
        )
        for change in delta:
            model_field = model._meta.get_field(change.field)
            entry.changes.append(
                Change(
                    label=str(model_field.verbose_name),
                    old=_display(model_field, change.old, names, show_nik),
                    new=_display(model_field, change.new, names, show_nik),
                )
            )
        entries.append(entry)
    return entries


def _foreign_key_names(model, changes) -> dict:
    wanted: dict[type, set] = {}
    for change in changes:
        model_field = model._meta.get_field(change.field)
        if isinstance(model_field, models.ForeignKey):
            wanted.setdefault(model_field.related_model, set()).update(
                v for v in (change.old, change.new) if v
            )
    names = {}
    for related, pks in wanted.items():
        # A unit's name is its region's: fetch it in the same query.
        joins = ["region"] if related._meta.label == "members.Unit" else []
        for obj in related.objects.filter(pk__in=pks).select_related(*joins):
            names[(related, obj.pk)] = str(obj)
    return names


def _display(model_field, value, names, show_nik: bool) -> str:
    if value in (None, ""):
        return "—"
    if model_field.name == "nik" and not show_nik:
        return mask_nik(value)
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.related_model, value), str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)
