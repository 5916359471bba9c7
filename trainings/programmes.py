"""A training event realises a unit's planned training (members/programmes.py's SOURCES; registered in
TrainingsConfig.ready).

The candidates are the events of the programme's year, already begun, to which members of the unit were
invited: one query. Linking records the event's first day and keeps the event beside the activity
(Event.programme_activities).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import ProgrammeActivity, ProgrammeActivityKind, RealisedBy
from members.programmes import Candidate, Source, mark_realised, year_bounds
from trainings.models import Event


def _events(activity: ProgrammeActivity):
    first, last = year_bounds(activity.programme.year)
    return (
        Event.objects.filter(
            starts_on__range=(first, min(last, timezone.localdate())),
            participants__member__unit_id=activity.programme.unit_id,
        )
        .distinct()
        .order_by("starts_on", "pk")
    )


def candidates(activity: ProgrammeActivity) -> list[Candidate]:
    return [
        Candidate(str(event.pk), f"{date_format(event.starts_on)}: {event.title}", event.starts_on)
        for event in _events(activity)
    ]


@transaction.atomic
def link(*, activity: ProgrammeActivity, ref: str, by) -> ProgrammeActivity:
    event = _events(activity).filter(pk=int(ref) if ref.isdigit() else 0).first()
    if event is None:
        raise ValidationError(_("Choose a training event of that year with participants from the unit."))
    activity = mark_realised(activity=activity, on=event.starts_on, how=RealisedBy.EVENT, by=by)
    activity.events.set([event])
    return activity


SOURCE = Source(
    key=RealisedBy.EVENT,
    label=gettext_lazy("A training event with participants from the unit"),
    candidates=candidates,
    link=link,
    kinds=frozenset({ProgrammeActivityKind.PELATIHAN}),
)
