"""Writes of the training app: events with their organisers, invitations, attendance, scores, certificates."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import partners
from members.access import scope_of
from members.models import Contribution, Member, MemberStatus, Partner, Region
from trainings.models import (
    Attendance,
    AttendanceStatus,
    Event,
    Organiser,
    OrganiserStatus,
    Participant,
    Session,
    Speaker,
)


@transaction.atomic
def save_event(
    *, event: Event, organiser_regions: Iterable[Region], other_organisers: Iterable[str], by
) -> Event:
    """Create or update an event with exactly the given organisers.

    The rules of who organises, in one place:
    - an office inside the acting user's own scope organises at once; another office is only invited, and
      organises once its own staff accept (answer_invitation); until then nothing of its region is in reach;
    - an organising office leaves only by its own staff (or a superuser): no one removes a partner;
    - an invitation not yet accepted (or declined) may be withdrawn by any organiser; naming a declined
      office again invites it again;
    - the event keeps at least one organising office (a superuser may leave institutions only).
    """
    scope = scope_of(by)
    wanted = {region.code: region for region in organiser_regions}
    names = list(dict.fromkeys(name.strip() for name in other_organisers if name.strip()))
    current = {o.region_id: o for o in event.organisers.filter(region__isnull=False)} if event.pk else {}

    def own(code: str) -> bool:
        return scope.everything or bool(scope.region_code and code.startswith(scope.region_code))

    for code, organiser in current.items():
        if code not in wanted and organiser.is_accepted and not own(code):
            raise ValidationError(
                _("Only Dinas Sosial %(region)s itself can leave this event.") % {"region": organiser.region},
                code="not_own_organiser",
            )
    organising = {code for code in wanted if own(code) or (code in current and current[code].is_accepted)}
    if not organising and not (scope.everything and names):
        if event.pk and not scope.everything and any(own(code) for code in current):
            raise ValidationError(
                _("Your Dinas Sosial is the last organiser of this event and cannot leave it."),
                code="last_organiser",
            )
        if scope.everything:
            raise ValidationError(_("An event needs at least one organiser."), code="no_organiser")
        raise ValidationError(
            _("Your own Dinas Sosial must be one of the organisers."), code="own_region_missing"
        )

    if event.pk is None:
        event.created_by = by
    event._history_user = by
    event.save()
    event.organisers.filter(region__isnull=False).exclude(region_id__in=wanted).delete()
    event.organisers.filter(region__isnull=True).exclude(institution_name__in=names).delete()
    now = timezone.now()
    for code, region in wanted.items():
        organiser = current.get(code)
        if organiser is not None and (organiser.is_accepted or organiser.status == OrganiserStatus.INVITED):
            continue
        accepted = own(code)
        fields = {
            "status": OrganiserStatus.ACCEPTED if accepted else OrganiserStatus.INVITED,
            "invited_by": None if accepted else by,
            "invited_at": None if accepted else now,
            "answered_by": None,
            "answered_at": None,
        }
        Organiser.objects.update_or_create(event=event, region=region, defaults=fields)
    for name in names:
        Organiser.objects.get_or_create(event=event, region=None, institution_name=name)
    _sync_attendance_days(event)
    return event


@transaction.atomic
def answer_invitation(*, organiser: Organiser, accept: bool, by) -> Organiser:
    """An invited office accepts (and from then organises the event) or declines. Who may answer is the
    caller's to check (trainings.views.events: Organiser.objects.invitations_for(user))."""
    organiser = Organiser.objects.select_for_update().get(pk=organiser.pk)
    if organiser.status != OrganiserStatus.INVITED:
        raise ValidationError(_("This invitation has already been answered."), code="answered")
    organiser.status = OrganiserStatus.ACCEPTED if accept else OrganiserStatus.DECLINED
    organiser.answered_by = by
    organiser.answered_at = timezone.now()
    organiser.save(update_fields=["status", "answered_by", "answered_at"])
    return organiser


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


def _check_days(event: Event, days: Iterable[datetime.date]) -> None:
    if not set(days) <= set(event.days):
        raise ValidationError(_("Choose a day of the event."), code="not_event_day")


@transaction.atomic
def record_attendance(*, event: Event, marks: dict[tuple[int, datetime.date], str]) -> int:
    """Set attendance: marks maps (participant id, day) to a status. Returns how many rows changed.

    The rules of attendance, in one place (mark_all_present comes through here too): a status of
    AttendanceStatus, on a day of the event. Any day of the event may be marked, before, during or after it.
    Like the rest of a participant's rows, attendance keeps no change history (Event.history does not
    cover participants)."""
    _check_days(event, (day for _participant, day in marks))
    if not set(marks.values()) <= set(AttendanceStatus.values):
        raise ValidationError(_("Unknown attendance status."), code="bad_status")
    rows = Attendance.objects.select_for_update().filter(participant__event=event)
    changed = []
    for row in rows:
        status = marks.get((row.participant_id, row.day))
        if status is not None and status != row.status:
            row.status = status
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["status"])
    return len(changed)


@dataclass(frozen=True)
class AllPresent:
    """What "Semua hadir" did on a day: how many were marked present, how many kept their exception."""

    marked: int
    kept: int


@transaction.atomic
def mark_all_present(*, event: Event, day: datetime.date) -> AllPresent:
    """Semua hadir: every participant not yet marked on `day` is marked present, in one write. Those
    already marked keep their mark (an exception entered first, Izin or Tidak hadir, is not undone)."""
    _check_days(event, [day])
    rows = Attendance.objects.select_for_update().filter(participant__event=event, day=day)
    statuses = dict(rows.values_list("participant_id", "status"))
    unmarked = [pk for pk, status in statuses.items() if status == AttendanceStatus.DIUNDANG]
    marked = record_attendance(event=event, marks={(pk, day): AttendanceStatus.HADIR for pk in unmarked})
    kept = sum(
        1 for status in statuses.values() if status in (AttendanceStatus.IZIN, AttendanceStatus.TIDAK_HADIR)
    )
    return AllPresent(marked=marked, kept=kept)


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


def certificate_number(event: Event, serial: int) -> str:
    """`IPSM/2024/0012/007`: year of the event, event number, participant serial."""
    return f"IPSM/{event.starts_on.year}/{event.pk:04d}/{serial:03d}"


@dataclass(frozen=True)
class CertificatePlan:
    """Who gets a certificate number, who does not and why, and who has one already."""

    due: list[Participant]
    left_out: list[tuple[Participant, str]]
    numbered: list[Participant]


def certificate_plan(event: Event) -> CertificatePlan:
    """What issue_certificates would do now: the confirm step shows it, the service follows it."""
    participants = event.participants.select_related("member").prefetch_related("attendance")
    due, left_out, numbered = [], [], []
    for participant in participants.order_by("member__full_name", "pk"):
        obstacle = participant.certificate_obstacle()
        if participant.certificate_number:
            numbered.append(participant)
        elif obstacle:
            left_out.append((participant, obstacle))
        else:
            due.append(participant)
    return CertificatePlan(due=due, left_out=left_out, numbered=numbered)


@transaction.atomic
def issue_certificates(*, event: Event) -> CertificatePlan:
    """Number the certificates of everyone who attended every day and has none yet; returns the plan that
    was followed (its `due` now numbered), so the caller can say who was left out and why."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    # Continue after the highest serial (not the count): a removed participant leaves a gap, never a repeat.
    issued = event.participants.exclude(certificate_number__isnull=True).values_list(
        "certificate_number", flat=True
    )
    last = max((int(number.rsplit("/", 1)[1]) for number in issued), default=0)
    plan = certificate_plan(event)
    for offset, participant in enumerate(plan.due, start=1):
        participant.certificate_number = certificate_number(event, last + offset)
    Participant.objects.bulk_update(plan.due, ["certificate_number"])
    return plan


def set_sponsors(*, event: Event, sponsors: Iterable[Partner], by) -> None:
    """The event's sponsors among the partners `by` sees; those of another organiser's kab/kota stay."""
    kept = event.sponsors.exclude(pk__in=Partner.objects.visible_to(by).values("pk"))
    event.sponsors.set([*kept, *sponsors])


@transaction.atomic
def add_event_contribution(*, event: Event, partner: Partner, by, **details) -> Contribution:
    """A partner's contribution to a training event (members.partners.record_contribution), linked to it."""
    contribution = partners.record_contribution(partner=partner, unit=None, by=by, **details)
    event.contributions.add(contribution)
    return contribution
