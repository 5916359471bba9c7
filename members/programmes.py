"""The rules of a unit's work programme (program kerja; members.models.programmes). Pages:
members/views/programmes.py.

- One programme per unit and year, kept by the unit's coordinator and the staff of its kab/kota; it may start
  as a copy of the year before (the activities planned again, none realised).
- A planned activity has a month of the programme's year, a kind, a target and a funding source; a partner
  that funds it is one of the kab/kota's.
- An activity is realised by a meeting of the unit held in the programme's year (here), a training event or
  PSM reports of its kind (trainings/programmes.py, cases/programmes.py register themselves as SOURCES), or by
  hand with a note. `mark_realised` is the one place that writes a realisation; `unrealise` undoes it.
- % realised: realised ÷ planned activities of the programme (or of every programme of a region); "overdue":
  planned for a month that has ended and not realised.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from ipsm.lib.dates import FIRST_YEAR, is_asked_year, last_year
from ipsm.lib.numbers import percent
from members.models import (
    Meeting,
    Partner,
    ProgrammeActivity,
    ProgrammeActivityKind,
    RealisedBy,
    Unit,
    WorkProgramme,
)
from members.models.programmes import FundingSource

# Code length of a region -> that of the groups its programme page lists: provinces, kab/kota, kecamatan,
# then units (a unit's region code); a unit's own region has no groups below it.
CHILD_LENGTH = {0: 2, 2: 5, 5: 8, 8: 13}


@dataclass(frozen=True)
class Candidate:
    """Something that may have realised an activity, offered on the activity's page."""

    ref: str  # what `link` takes back (a pk, or a month)
    label: str
    on: datetime.date


@dataclass(frozen=True)
class Source:
    """A way of realising an activity from a record of another kind. `kinds`: the activity kinds it serves
    (empty: every kind). `candidates(activity)` lists what may be linked (a few queries, at most a year of one
    unit's records); `link(activity, ref, by)` checks the ref again and calls mark_realised."""

    key: str  # a RealisedBy value
    label: str
    candidates: Callable[[ProgrammeActivity], list[Candidate]]
    link: Callable[..., ProgrammeActivity]
    kinds: frozenset[str] = field(default_factory=frozenset)

    def serves(self, activity: ProgrammeActivity) -> bool:
        return not self.kinds or activity.kind in self.kinds


SOURCES: dict[str, Source] = {}


def register_source(source: Source) -> Source:
    """Called from an app's ready(); registering the same key again replaces it."""
    SOURCES[source.key] = source
    return source


def sources_for(activity: ProgrammeActivity) -> list[Source]:
    """The sources that serve the activity's kind, in the order of RealisedBy."""
    order = list(RealisedBy.values)
    found = [source for source in SOURCES.values() if source.serves(activity)]
    return sorted(found, key=lambda source: order.index(source.key))


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


# --- The programme and its activities -------------------------------------------------------------------


@transaction.atomic
def start_programme(*, unit: Unit, year: int, by, copy_from: WorkProgramme | None = None) -> WorkProgramme:
    """The unit's programme for `year` (made when there is none), optionally with the activities of
    another of the unit's programmes planned again (unrealised, the same months)."""
    if not is_asked_year(year):
        raise ValidationError(
            _("A work programme is made for a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": last_year()}
        )
    if copy_from is not None and copy_from.unit_id != unit.pk:
        raise ValidationError(_("Only a programme of the same unit can be copied."))
    programme, created = WorkProgramme.objects.get_or_create(
        unit=unit, year=year, defaults={"created_by": by}
    )
    if not created:
        raise ValidationError(_("The unit already has a work programme for %(year)s.") % {"year": year})
    if copy_from is not None:
        bulk_create_with_history(
            [
                ProgrammeActivity(
                    programme=programme,
                    title=old.title,
                    kind=old.kind,
                    month=old.month,
                    target=old.target,
                    funding=old.funding,
                    partner=old.partner,
                    budget=old.budget,
                )
                for old in copy_from.activities.all()
            ],
            ProgrammeActivity,
            default_user=by,
        )
    return programme


def check_activity(activity: ProgrammeActivity) -> None:
    """An activity's own rules: save_activity (the pages) and the demo pass here."""
    errors = {}
    if activity.funding == FundingSource.MITRA and activity.partner_id is None:
        errors["partner"] = _("Choose the partner that funds it.")
    if activity.partner_id is not None:
        unit = activity.programme.unit
        kabkota = unit.region_id[:5]
        if not Partner.objects.filter(pk=activity.partner_id, region__code__startswith=kabkota).exists():
            errors["partner"] = _("The partner must be one of the unit's kab/kota.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_activity(*, activity: ProgrammeActivity, by) -> ProgrammeActivity:
    """Add or change a planned activity (what it realised stays as it was)."""
    check_activity(activity)
    activity._history_user = by
    activity.save()
    _touch(activity.programme, by)
    return activity


@transaction.atomic
def remove_activity(*, activity: ProgrammeActivity, by) -> None:
    """A planned activity is taken out of the programme (its history stays)."""
    programme = activity.programme
    activity._history_user = by
    activity.delete()
    _touch(programme, by)


# --- Realisation -----------------------------------------------------------------------------------------


@transaction.atomic
def mark_realised(
    *,
    activity: ProgrammeActivity,
    on: datetime.date,
    how: str,
    by,
    meeting: Meeting | None = None,
    report_count: int | None = None,
    note: str = "",
) -> ProgrammeActivity:
    """The one place that records a realisation: on a day of the programme's year, never to come."""
    year = activity.programme.year
    if on > timezone.localdate():
        raise ValidationError(_("An activity cannot be realised on a day to come."))
    if on.year != year:
        raise ValidationError(
            _("The activity belongs to the programme of %(year)s: it is realised within that year.")
            % {"year": year}
        )
    if how not in RealisedBy.values:
        raise ValidationError(_("Unknown way of realising an activity."))
    activity.realised_on, activity.realised_by = on, how
    activity.meeting, activity.report_count = meeting, report_count
    activity.note = note.strip()
    activity._history_user = by
    activity.save()
    if how != RealisedBy.EVENT:
        activity.events.clear()
    _touch(activity.programme, by)
    return activity


def realise_by_hand(*, activity: ProgrammeActivity, on: datetime.date, note: str, by) -> ProgrammeActivity:
    """Realised without a record in the app (for example a social action paid by the desa): the note says
    what happened and where it is written down."""
    if not note.strip():
        raise ValidationError({"note": _("Say what was done and where it is recorded.")})
    return mark_realised(activity=activity, on=on, how=RealisedBy.HAND, note=note, by=by)


@transaction.atomic
def unrealise(*, activity: ProgrammeActivity, by) -> ProgrammeActivity:
    """Back to planned: the links go, the activity stays."""
    activity.realised_on, activity.realised_by = None, ""
    activity.meeting, activity.report_count, activity.note = None, None, ""
    activity._history_user = by
    activity.save()
    activity.events.clear()
    _touch(activity.programme, by)
    return activity


def _touch(programme: WorkProgramme, by) -> None:
    programme._history_user = by
    programme._change_reason = _("Work programme updated")
    programme.save(update_fields=["updated_at"])


# The meetings of the unit realise its activities (this app's own source).


def _meeting_candidates(activity: ProgrammeActivity) -> list[Candidate]:
    first, last = year_bounds(activity.programme.year)
    meetings = Meeting.objects.filter(
        unit_id=activity.programme.unit_id, held_on__range=(first, min(last, timezone.localdate()))
    ).order_by("held_on", "pk")
    return [
        Candidate(
            str(meeting.pk), f"{date_format(meeting.held_on)}: {meeting.get_kind_display()}", meeting.held_on
        )
        for meeting in meetings
    ]


def link_meeting(*, activity: ProgrammeActivity, ref: str, by) -> ProgrammeActivity:
    meeting = Meeting.objects.filter(pk=int(ref) if ref.isdigit() else 0).first()
    if meeting is None or meeting.unit_id != activity.programme.unit_id:
        raise ValidationError(_("Choose a meeting of the unit."))
    return mark_realised(
        activity=activity, on=meeting.held_on, how=RealisedBy.MEETING, meeting=meeting, by=by
    )


register_source(
    Source(
        key=RealisedBy.MEETING,
        label=_("A meeting of the unit"),
        candidates=_meeting_candidates,
        link=link_meeting,
        kinds=frozenset({ProgrammeActivityKind.PERTEMUAN, ProgrammeActivityKind.LAINNYA}),
    )
)


# --- Figures ---------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Planned, realised and overdue activities (of a programme, a unit's year, or a region's units)."""

    planned: int = 0
    realised: int = 0
    overdue: int = 0
    units: int = 0  # units in the group (a region's rows)
    with_programme: int = 0  # of those, units with a programme for the year
    key: str = ""
    name: str = ""
    url: str = ""

    @property
    def share(self) -> float | None:
        return self.realised / self.planned if self.planned else None

    @property
    def percent(self) -> float | None:
        return percent(self.share)


def months_ended(year: int, today: datetime.date) -> int:
    """How many months of `year` have ended by `today` (0-12): their activities are overdue if not
    realised."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def tally(activities, year: int, today: datetime.date) -> Tally:
    figures = activities.tally(through_month=months_ended(year, today))
    return Tally(planned=figures["planned"], realised=figures["realised"], overdue=figures["overdue"])


def unit_tally(unit: Unit, year: int, today: datetime.date) -> Tally:
    """The unit page's figures for the year (one query)."""
    return tally(ProgrammeActivity.objects.filter(programme__unit=unit, programme__year=year), year, today)


def region_tallies(code: str, year: int, today: datetime.date) -> tuple[Tally, list[Tally]]:
    """The region's figures and its groups' (sub-regions, or the units of a kecamatan), lowest share first,
    groups with no programme at all last. Two queries at any scale (grouped by code prefix)."""
    length = CHILD_LENGTH.get(len(code), len(code))
    activities = (
        ProgrammeActivity.objects.within(code)
        .filter(programme__year=year)
        .annotate(key=Substr("programme__unit__region__code", 1, length))
        .values("key")
        .annotate(**ProgrammeActivity.objects.figures(through_month=months_ended(year, today)))
    )
    units = (
        Unit.objects.within(code)
        .annotate(key=Substr("region__code", 1, length))
        .values("key")
        .annotate(
            units=Count("pk", distinct=True),
            with_programme=Count("programmes", filter=Q(programmes__year=year), distinct=True),
        )
    )
    groups: dict[str, Tally] = {}
    for row in units:
        groups[row["key"]] = Tally(key=row["key"], units=row["units"], with_programme=row["with_programme"])
    for row in activities:
        group = groups.setdefault(row["key"], Tally(key=row["key"]))
        group.planned, group.realised, group.overdue = row["planned"], row["realised"], row["overdue"]
    total = Tally(key=code)
    for group in groups.values():
        for name in ("planned", "realised", "overdue", "units", "with_programme"):
            setattr(total, name, getattr(total, name) + getattr(group, name))
    ordered = sorted(groups.values(), key=lambda g: (g.share is None, g.share or 0, g.key))
    return total, ordered
