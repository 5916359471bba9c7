"""The activity log: who changed what in the registry, and who took data out (exports) or brought it in
(imports), newest first, for Dinas Sosial staff within their kab/kota and for superusers (UU PDP 27/2022).

Sources: the django-simple-history tables of members, units, board positions, cases and training events,
plus ExportLog, ImportJob and the searches by NIK (members.NikSearch). Each source gives its newest rows
with the filters applied in ONE query: the row's previous version comes along as a JSON object (for the
names of the fields that changed), whether the user may open the object as an EXISTS. The page merges the
sources in Python. So a page costs one query per kind whatever the number of rows; page n reads at most
n x PAGE_SIZE + 1 rows of each kind.

Scope (staff): a member's record by the unit it was in, a unit's and a case's by their region, a board
position's by its unit, an event's by its current organisers, exports, imports and NIK searches by where
their user is assigned. Summaries name the fields that changed, never their values: values stay on the
history pages, which apply each object's own rules (a NIK masked, a case only for those who may see cases).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.models import Case
from ipsm.lib.history import untracked_fields
from ipsm.models import ExportLog, ImportJob, ImportStatus
from members.access import scope_of
from members.models import BoardPosition, BoardRole, Member, NikSearch, NikSearchOutcome, Region, Unit
from trainings.models import Event, Organiser

# Who may read the log: the permission to see who exported what (Dinas Sosial staff; see ipsm/roles.py).
AUDIT_PERM = "ipsm.view_exportlog"
PAGE_SIZE = 50
# Deep pages read n x PAGE_SIZE rows per kind; past this, narrow the dates instead.
MAX_PAGE = 100


class Kind(models.TextChoices):
    MEMBER = "member", gettext_lazy("Member")
    UNIT = "unit", gettext_lazy("IPSM unit")
    BOARD = "board", gettext_lazy("Board position")
    CASE = "case", gettext_lazy("Case")
    EVENT = "event", gettext_lazy("Training event")
    EXPORT = "export", gettext_lazy("Export")
    IMPORT = "import", gettext_lazy("Import")
    NIK_SEARCH = "nik", gettext_lazy("NIK search")


ACTIONS = {
    "+": gettext_lazy("created"),
    "~": gettext_lazy("changed"),
    "-": gettext_lazy("deleted"),
    Kind.EXPORT: gettext_lazy("exported"),
}


@dataclass(frozen=True)
class ActivityFilters:
    user_id: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    kind: str = ""


@dataclass
class ActivityEntry:
    when: datetime.datetime
    who: str
    kind: str
    kind_label: str
    label: str
    url: str
    action: str
    action_label: str
    summary: str
    sort_key: tuple = ()


@dataclass
class ActivityPage:
    entries: list[ActivityEntry]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def may_view_activity(user) -> bool:
    """Superusers, and holders of AUDIT_PERM assigned a region (Dinas Sosial staff of a kab/kota)."""
    scope = scope_of(user)
    return user.has_perm(AUDIT_PERM) and (scope.everything or bool(scope.region_code))


def kinds_for(user) -> list[Kind]:
    """The kinds the user may list: cases and events only with the right to see them at all."""
    kinds = [Kind.MEMBER, Kind.UNIT, Kind.BOARD]
    if user.has_perm("cases.view_case"):
        kinds.append(Kind.CASE)
    if user.has_perm("trainings.view_event"):
        kinds.append(Kind.EVENT)
    return [*kinds, Kind.EXPORT, Kind.IMPORT, Kind.NIK_SEARCH]


def users_in_scope(user) -> models.QuerySet:
    """Users the filter offers: all for a superuser; else those assigned within the kab/kota, and admins."""
    users = get_user_model().objects.order_by("username")
    scope = scope_of(user)
    if scope.everything:
        return users
    return users.filter(_assigned_within(scope.region_code, "") | Q(is_superuser=True))


def activity_page(user, filters: ActivityFilters, number: int = 1) -> ActivityPage:
    """Page `number` (1-based, at most MAX_PAGE) of the log as the user may see it."""
    number = max(1, min(number, MAX_PAGE))
    limit = number * PAGE_SIZE + 1
    kinds = [kind for kind in kinds_for(user) if not filters.kind or kind == filters.kind]
    code = "" if scope_of(user).everything else scope_of(user).region_code
    entries = []
    for kind in kinds:
        entries.extend(_SOURCES[kind](user, code, filters, limit))
    entries.sort(key=lambda entry: entry.sort_key, reverse=True)
    start = (number - 1) * PAGE_SIZE
    return ActivityPage(
        entries=entries[start : start + PAGE_SIZE], number=number, has_next=len(entries) > start + PAGE_SIZE
    )


# --- filters shared by every source ----------------------------------------------------------------------


def _day_start(day: datetime.date) -> datetime.datetime:
    # Days are Jakarta days (the active time zone), not UTC ones.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _filter(queryset, filters: ActivityFilters, *, date_field: str, user_field: str):
    if filters.user_id:
        queryset = queryset.filter(**{f"{user_field}_id": filters.user_id})
    if filters.start:
        queryset = queryset.filter(**{f"{date_field}__gte": _day_start(filters.start)})
    if filters.end:
        next_day = filters.end + datetime.timedelta(days=1)
        queryset = queryset.filter(**{f"{date_field}__lt": _day_start(next_day)})
    return queryset


def _assigned_within(code: str, prefix: str) -> Q:
    """Users (reached through `prefix`, e.g. 'user__') assigned to a region or a unit inside `code`."""
    return Q(**{f"{prefix}assignment__region__code__startswith": code}) | Q(
        **{f"{prefix}assignment__unit__region__code__startswith": code}
    )


# --- the simple-history sources --------------------------------------------------------------------------


def _history_rows(
    model,
    filters: ActivityFilters,
    limit: int,
    *,
    scope: Q | Exists | None,
    visible: models.QuerySet,
    link_field: str = "id",
    fields: tuple[str, ...] = (),
) -> list[dict]:
    """The newest history records of `model`, each with its previous version (JSON) and `can_open`."""
    history = model.history.model
    skipped = {"id", *untracked_fields(model)}
    tracked = {f.attname: F(f.attname) for f in history.tracked_fields if f.name not in skipped}
    previous = (
        history.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .annotate(state=JSONObject(**tracked))
        .values("state")[:1]
    )
    queryset = history.objects.all() if scope is None else history.objects.filter(scope)
    queryset = _filter(queryset, filters, date_field="history_date", user_field="history_user")
    return list(
        queryset.annotate(
            now_state=JSONObject(**tracked),
            previous_state=Subquery(previous, output_field=models.JSONField()),
            can_open=Exists(visible.filter(pk=OuterRef(link_field))),
        )
        .order_by("-history_date", "-history_id")
        .values(
            "id",
            "history_id",
            "history_date",
            "history_type",
            "history_change_reason",
            "history_user__username",
            "now_state",
            "previous_state",
            "can_open",
            *fields,
        )[:limit]
    )


def _history_entry(kind: Kind, model, row: dict, *, label: str, url: str) -> ActivityEntry:
    return ActivityEntry(
        when=row["history_date"],
        who=row["history_user__username"] or _("system"),
        kind=kind,
        kind_label=str(kind.label),
        label=label,
        url=url if row["can_open"] else "",
        action=row["history_type"],
        action_label=str(ACTIONS[row["history_type"]]),
        summary=_history_summary(model, row),
        sort_key=(row["history_date"], kind, row["history_id"]),
    )


def _history_summary(model, row: dict) -> str:
    parts = [row["history_change_reason"]] if row["history_change_reason"] else []
    now, before = row["now_state"] or {}, row["previous_state"]
    if row["history_type"] == "~" and before is not None:
        # In the model's field order (jsonb sorts its keys).
        changed = [
            str(f.verbose_name)
            for f in model._meta.concrete_fields
            if f.attname in now and now[f.attname] != before.get(f.attname)
        ]
        if changed:
            parts.append(_("Changed: %(fields)s") % {"fields": ", ".join(changed)})
    return " · ".join(parts)


def _within(lookup: str, code: str) -> Q | None:
    return Q(**{f"{lookup}__startswith": code}) if code else None


def _member_entries(user, code: str, filters: ActivityFilters, limit: int) -> list[ActivityEntry]:
    rows = _history_rows(
        Member,
        filters,
        limit,
        scope=_within("unit__region__code", code),
        visible=Member.objects.visible_to(user),
        fields=("full_name",),
    )
    return [
        _history_entry(
            Kind.MEMBER, Member, row, label=row["full_name"], url=reverse("members:detail", args=[row["id"]])
        )
        for row in rows
    ]


def _unit_name(name: str, level: str) -> str:
    return f"IPSM {Region(name=name, level=level)}"


def _unit_entries(user, code: str, filters: ActivityFilters, limit: int) -> list[ActivityEntry]:
    rows = _history_rows(
        Unit,
        filters,
        limit,
        scope=_within("region__code", code),
        visible=Unit.objects.visible_to(user),
        fields=("region__name", "region__level"),
    )
    return [
        _history_entry(
            Kind.UNIT,
            Unit,
            row,
            label=_unit_name(row["region__name"], row["region__level"]),
            url=reverse("members:unit_detail", args=[row["id"]]),
        )
        for row in rows
    ]


def _board_entries(user, code: str, filters: ActivityFilters, limit: int) -> list[ActivityEntry]:
    # A seat has no page of its own: it links to its unit's board.
    rows = _history_rows(
        BoardPosition,
        filters,
        limit,
        scope=_within("unit__region__code", code),
        visible=Unit.objects.visible_to(user),
        link_field="unit_id",
        fields=("role", "member__full_name", "unit_id", "unit__region__name", "unit__region__level"),
    )
    roles = dict(BoardRole.choices)
    return [
        _history_entry(
            Kind.BOARD,
            BoardPosition,
            row,
            label=f"{roles.get(row['role'], row['role'])}: {row['member__full_name']} — "
            f"{_unit_name(row['unit__region__name'], row['unit__region__level'])}",
            url=reverse("members:unit_detail", args=[row["unit_id"]]),
        )
        for row in rows
    ]


def _case_entries(user, code: str, filters: ActivityFilters, limit: int) -> list[ActivityEntry]:
    # Labelled by number, not by the person's name: the log is read beside other people's business.
    rows = _history_rows(
        Case, filters, limit, scope=_within("kelurahan__code", code), visible=Case.objects.visible_to(user)
    )
    return [
        _history_entry(
            Kind.CASE,
            Case,
            row,
            label=_("Case #%(pk)s") % {"pk": row["id"]},
            url=reverse("cases:detail", args=[row["id"]]),
        )
        for row in rows
    ]


def _event_entries(user, code: str, filters: ActivityFilters, limit: int) -> list[ActivityEntry]:
    scope = None
    if code:
        organised = Organiser.objects.accepted().filter(
            event_id=OuterRef("id"), region__code__startswith=code
        )
        scope = Exists(organised)
    rows = _history_rows(
        Event, filters, limit, scope=scope, visible=Event.objects.visible_to(user), fields=("title",)
    )
    return [
        _history_entry(
            Kind.EVENT, Event, row, label=row["title"], url=reverse("trainings:detail", args=[row["id"]])
        )
        for row in rows
    ]


# --- exports and imports ---------------------------------------------------------------------------------


def _export_entries(user, code: str, filters: ActivityFilters, limit: int) -> list[ActivityEntry]:
    queryset = ExportLog.objects.filter(_assigned_within(code, "user__")) if code else ExportLog.objects.all()
    queryset = _filter(queryset, filters, date_field="created_at", user_field="user")
    rows = queryset.order_by("-created_at", "-pk").values(
        "pk", "created_at", "list_name", "file_format", "filters", "row_count", "nik_masked", "user__username"
    )[:limit]
    entries = []
    for row in rows:
        parts = [ngettext("%(count)d row", "%(count)d rows", row["row_count"]) % {"count": row["row_count"]}]
        if not row["nik_masked"]:
            parts.append(_("NIK in clear"))
        if row["filters"]:
            parts.append(", ".join(f"{key}: {value}" for key, value in sorted(row["filters"].items())))
        entries.append(
            ActivityEntry(
                when=row["created_at"],
                who=row["user__username"],
                kind=Kind.EXPORT,
                kind_label=str(Kind.EXPORT.label),
                label=f"{row['list_name']} ({row['file_format'].upper()})",
                url="",
                action=Kind.EXPORT,
                action_label=str(ACTIONS[Kind.EXPORT]),
                summary=" · ".join(parts),
                sort_key=(row["created_at"], Kind.EXPORT, row["pk"]),
            )
        )
    return entries


def _import_entries(user, code: str, filters: ActivityFilters, limit: int) -> list[ActivityEntry]:
    queryset = ImportJob.objects.filter(_assigned_within(code, "user__")) if code else ImportJob.objects.all()
    queryset = _filter(queryset, filters, date_field="created_at", user_field="user")
    rows = queryset.order_by("-created_at", "-pk").values(
        "pk",
        "created_at",
        "kind",
        "file_name",
        "status",
        "new_rows",
        "updated_rows",
        "unchanged_rows",
        "error_rows",
        "user_id",
        "user__username",
    )[:limit]
    kinds, statuses = dict(ImportJob._meta.get_field("kind").choices), dict(ImportStatus.choices)
    entries = []
    for row in rows:
        summary = _("%(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(errors)d with errors") % {
            "new": row["new_rows"],
            "updated": row["updated_rows"],
            "unchanged": row["unchanged_rows"],
            "errors": row["error_rows"],
        }
        entries.append(
            ActivityEntry(
                when=row["created_at"],
                who=row["user__username"],
                kind=Kind.IMPORT,
                kind_label=str(Kind.IMPORT.label),
                label=f"{kinds.get(row['kind'], row['kind'])}: {row['file_name']}",
                # A job's page shows names from the file: only its uploader opens it (ipsm.importing.views).
                url=reverse("imports:job", args=[row["pk"]]) if row["user_id"] == user.pk else "",
                action=row["status"],
                action_label=str(statuses.get(row["status"], row["status"])),
                summary=summary,
                sort_key=(row["created_at"], Kind.IMPORT, row["pk"]),
            )
        )
    return entries


def _nik_search_entries(user, code: str, filters: ActivityFilters, limit: int) -> list[ActivityEntry]:
    """Searches by whole NIK (members.services.look_up_nik), the NIK masked as it was stored."""
    queryset = NikSearch.objects.filter(_assigned_within(code, "user__")) if code else NikSearch.objects.all()
    queryset = _filter(queryset, filters, date_field="searched_at", user_field="user")
    rows = queryset.order_by("-searched_at", "-pk").values(
        "pk", "searched_at", "masked_nik", "outcome", "user__username"
    )[:limit]
    outcomes = dict(NikSearchOutcome.choices)
    return [
        ActivityEntry(
            when=row["searched_at"],
            who=row["user__username"],
            kind=Kind.NIK_SEARCH,
            kind_label=str(Kind.NIK_SEARCH.label),
            label=row["masked_nik"],
            url="",
            action=row["outcome"],
            action_label=str(outcomes.get(row["outcome"], row["outcome"])),
            summary="",
            sort_key=(row["searched_at"], Kind.NIK_SEARCH, row["pk"]),
        )
        for row in rows
    ]


_SOURCES: dict[str, Callable[..., list[ActivityEntry]]] = {
    Kind.MEMBER: _member_entries,
    Kind.UNIT: _unit_entries,
    Kind.BOARD: _board_entries,
    Kind.CASE: _case_entries,
    Kind.EVENT: _event_entries,
    Kind.EXPORT: _export_entries,
    Kind.IMPORT: _import_entries,
    Kind.NIK_SEARCH: _nik_search_entries,
}
