"""Writes of the training app: events with their organisers, invitations, attendance, scores, certificates."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member, MemberStatus, Region
from trainings.models import Attendance, AttendanceStatus, Event, Organiser, Participant, Session, Speaker


@transaction.atomic
def save_event(
    *, event: Event, organiser_regions: Iterable[Region], other_organisers: Iterable[str], by
) -> Event:
    """Create or update an event and set exactly the given organisers (at least one)."""
    organiser_regions = list(organiser_regions)
    names = [name.strip() for name in other_organisers if name.strip()]
    if not organiser_regions and not names:
        raise ValidationError(_("An event needs at least one organiser."), code="no_organiser")
    if event.pk is None:
        event.created_by = by
    event._history_user = by
    event.save()
    event.organisers.exclude(region__in=organiser_regions).filter(region__isnull=False).delete()
    event.organisers.filter(region__isnull=True).exclude(institution_name__in=names).delete()
    for region in organiser_regions:
        Organiser.objects.get_or_create(event=event, region=region)
    for name in names:
        Organiser.objects.get_or_create(event=event, region=None, institution_name=name)
    _sync_attendance_days(event)
    return event


def _sync_attendance_days(event: Event) -> None:
    """Give every participant one attendance row per day of the event (after its dates change)."""
    days = event.days
    Attendance.objects.filter(participant__event=event).exclude(day__in=days).delete()
    existing = set(Attendance.objects.filter(participant__event=event).values_list("participant_id", "day"))
    Attendance.objects.bulk_create(
        Attendance(participant_id=participant_id, day=day)
        for participant_id in event.participants.values_list("pk", flat=True)
        for day in days
        if (participant_id, day) not in existing
    )


@transaction.atomic
def invite_members(*, event: Event, members: Iterable[Member], by) -> int:
    """Invite members (skipping those already invited); returns how many were newly invited."""
    members = [m for m in members if m.status != MemberStatus.NONAKTIF]
    already = set(event.participants.values_list("member_id", flat=True))
    new = [Participant(event=event, member=m, invited_by=by) for m in members if m.pk not in already]
    Participant.objects.bulk_create(new)
    Attendance.objects.bulk_create(Attendance(participant=p, day=day) for p in new for day in event.days)
    return len(new)


@transaction.atomic
def record_attendance(*, event: Event, marks: dict[tuple[int, object], str]) -> int:
    """Set attendance: marks maps (participant id, day) to a status. Returns how many rows changed."""
    rows = Attendance.objects.select_for_update().filter(participant__event=event)
    changed = []
    for row in rows:
        status = marks.get((row.participant_id, row.day))
        if status is not None and status != row.status:
            if status not in AttendanceStatus.values:
                raise ValidationError(_("Unknown attendance status."), code="bad_status")
            row.status = status
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["status"])
    return len(changed)


@transaction.atomic
def add_session(
    *,
    event: Event,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime | None,
    speaker: Speaker | None = None,
    new_speaker: dict | None = None,
    by,
) -> Session:
    """Add a materi with an existing speaker, or one entered on the spot (name, title, institution, PSM)."""
    if speaker is not None and new_speaker:
        raise ValidationError(
            _("Choose an existing speaker or enter a new one, not both."), code="two_speakers"
        )
    if new_speaker:
        speaker = Speaker.objects.create(**new_speaker)
    return Session.objects.create(
        event=event, title=title, starts_at=starts_at, ends_at=ends_at, speaker=speaker
    )


@transaction.atomic
def record_scores(*, event: Event, scores: dict[int, tuple[Decimal | None, Decimal | None]]) -> int:
    """Set pre- and post-test scores: scores maps participant id to (pre, post). Returns rows changed."""
    changed = []
    for participant in event.participants.select_for_update().filter(pk__in=scores):
        pre, post = scores[participant.pk]
        if (participant.pre_test_score, participant.post_test_score) != (pre, post):
            participant.pre_test_score, participant.post_test_score = pre, post
            changed.append(participant)
    Participant.objects.bulk_update(changed, ["pre_test_score", "post_test_score"])
    return len(changed)


@transaction.atomic
def save_attendance_sheet(
    *,
    event: Event,
    marks: dict[tuple[int, datetime.date], str],
    scores: dict[int, tuple[Decimal | None, Decimal | None]],
) -> None:
    """The attendance page's one POST: every day's attendance and the scores, all or nothing."""
    record_attendance(event=event, marks=marks)
    record_scores(event=event, scores=scores)


def certificate_number(event: Event, serial: int) -> str:
    """`IPSM/2024/0012/007`: year of the event, event number, participant serial."""
    return f"IPSM/{event.starts_on.year}/{event.pk:04d}/{serial:03d}"


@transaction.atomic
def issue_certificates(*, event: Event) -> int:
    """Number the certificates of everyone who attended every day and has none yet."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    # Continue after the highest serial (not the count): a removed participant leaves a gap, never a repeat.
    issued = event.participants.exclude(certificate_number__isnull=True).values_list(
        "certificate_number", flat=True
    )
    numbered = max((int(number.rsplit("/", 1)[1]) for number in issued), default=0)
    due = list(
        event.participants.attended().filter(certificate_number__isnull=True).order_by("member__full_name")
    )
    for offset, participant in enumerate(due, start=1):
        participant.certificate_number = certificate_number(event, numbered + offset)
    Participant.objects.bulk_update(due, ["certificate_number"])
    return len(due)
