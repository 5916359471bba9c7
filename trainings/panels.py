"""What trainings adds to the registry's pages (registered in TrainingsConfig.ready through members.panels).

- On a member's page, their training history, for whoever may see the member and participants (coordinators
  included); links to an event and its certificate only where the user may open that event.
- On a unit's page, its training coverage and the active PSM not yet trained; staff who may invite get a
  form that invites them all to an upcoming event of an office above the unit.
- Before a member becomes active, the bimtek dasar check (Permensos No. 10 Tahun 2019).
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member, Unit
from trainings.coverage import unit_training_counts, untrained_active_psm
from trainings.models import (
    RECENT_TRAINING_YEARS,
    Attendance,
    Event,
    Organiser,
    TrainingType,
    has_basic_training,
)

VIEW_PARTICIPANT = "trainings.view_participant"


def member_training_panel(request: HttpRequest, member: Member) -> dict | None:
    """The events the member was invited to, newest first, with attendance and scores (3 queries)."""
    user = request.user
    if not user.has_perm(VIEW_PARTICIPANT):
        return None
    participants = list(
        member.trainings.select_related("event")
        .prefetch_related(Prefetch("attendance", queryset=Attendance.objects.order_by("day")))
        .order_by("-event__starts_on", "-event__pk")
    )
    visible_events = set()
    if participants and user.has_perm("trainings.view_event"):
        visible_events = set(
            Event.objects.visible_to(user)
            .filter(pk__in=[p.event_id for p in participants])
            .values_list("pk", flat=True)
        )
    rows = [
        {
            "participant": p,
            "event": p.event,
            "day_count": len(p.event.days),
            "present_days": p.present_days(),
            "completed": p.was_present_every_day(),
            "can_open": p.event_id in visible_events,
        }
        for p in participants
    ]
    context = {
        "member": member,
        "rows": rows,
        "has_basic_training": any(
            row["completed"] and row["event"].training_type == TrainingType.BIMTEK_DASAR for row in rows
        ),
    }
    return {"template": "trainings/_member_trainings.html", "context": context}


def _invite_events(user, unit: Unit):
    """Upcoming or ongoing events the user sees, organised by an office whose PSM include the unit's."""
    code = unit.region_id
    above = [code[:length] for length in (2, 5, 8) if length < len(code)] + [code]
    organised = Organiser.objects.accepted().filter(event=OuterRef("pk"), region_id__in=above)
    return (
        Event.objects.visible_to(user)
        .filter(Exists(organised), ends_on__gte=timezone.localdate())
        .order_by("starts_on", "pk")
    )


def unit_training_panel(request: HttpRequest, unit: Unit) -> dict | None:
    """Active PSM trained ever / recently, and the untrained ones (2 queries, 3 with the invite form)."""
    user = request.user
    if not user.has_perm(VIEW_PARTICIPANT):
        return None
    untrained = list(untrained_active_psm(unit).order_by("full_name", "pk"))
    can_invite = user.has_perm("trainings.add_participant")
    context = {
        "unit": unit,
        "counts": unit_training_counts(unit),
        "untrained": untrained,
        "can_invite": can_invite,
        "invite_events": list(_invite_events(user, unit)) if can_invite and untrained else [],
        "next": reverse("members:unit_detail", args=[unit.pk]),
        "recent_years": RECENT_TRAINING_YEARS,
    }
    return {"template": "trainings/_unit_training.html", "context": context}


def basic_training_check(member: Member) -> str | None:
    """Permensos No. 10 Tahun 2019 asks for bimtek dasar before a PSM becomes active."""
    if has_basic_training(member):
        return None
    return _(
        "No completed bimtek dasar (present on every day of one): "
        "Permensos No. 10 Tahun 2019 asks for it before a PSM becomes active."
    )
