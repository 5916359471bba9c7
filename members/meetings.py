"""The rules of the IPSM's meetings (members.models.institution): who is expected, attendance, decisions,
follow-ups and attachments. The pages are members/views/meetings.py.

Who is expected at a meeting is fixed when it is recorded (the list does not change when the roster does):
- a unit's meeting: the unit's active members;
- a forum's meeting (kecamatan or kab/kota, no unit): the forum's own people (forum_attendees): the board
  of the IPSM of that region, if it has a unit, and the ketua of each unit within it.
"""

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ipsm.lib.documents import CleanDocument
from members.models import (
    BoardPosition,
    BoardRole,
    FollowUp,
    Meeting,
    MeetingAttachment,
    MeetingAttendance,
    MeetingDecision,
    Member,
    MemberStatus,
    RegionLevel,
    Unit,
)

FORUM_LEVELS = (RegionLevel.KECAMATAN, RegionLevel.KABUPATEN, RegionLevel.KOTA)


def expected_members(*, unit: Unit | None, region_code: str) -> QuerySet:
    """The members expected at a meeting of `unit`, or of the forum of the region `region_code`."""
    if unit is not None:
        return Member.objects.not_merged().filter(status=MemberStatus.AKTIF, unit=unit)
    return forum_attendees(region_code)


def forum_attendees(region_code: str) -> QuerySet:
    """Who sits at the forum of a kecamatan or kab/kota: the whole current board of the region's own IPSM
    unit (if it has one), and the current ketua of every unit within the region, who speaks for it. Active
    members only, each once.

    Not every board member of every unit: a kab/kota has hundreds of desa units and thousands of board
    seats, while its rapat koordinasi gathers the forum's board and one person per unit. One per unit keeps
    the list bounded by the number of units (a unit without a ketua sends no one on the list; whoever comes
    in their place is recorded among the guests)."""
    seats = BoardPosition.objects.current()
    own_board = Q(unit__region_id=region_code)
    ketua_below = Q(role=BoardRole.KETUA, unit__region__code__startswith=f"{region_code}.")
    return Member.objects.not_merged().filter(
        status=MemberStatus.AKTIF, pk__in=seats.filter(own_board | ketua_below).values("member_id")
    )


@transaction.atomic
def create_meeting(*, meeting: Meeting, by) -> Meeting:
    """Record a meeting (unsaved, from its form) with its attendance list, nobody ticked present yet."""
    if meeting.unit_id is not None:
        meeting.region_id = meeting.unit.region_id
    elif meeting.region.level not in FORUM_LEVELS:
        raise ValidationError(_("A forum meeting belongs to a kecamatan or a kab/kota."))
    meeting.created_by = by
    meeting._history_user = by
    meeting.save()
    expected = expected_members(unit=meeting.unit, region_code=meeting.region_id)
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, member_id=member_id)
        for member_id in expected.values_list("pk", flat=True)
    )
    return meeting


@transaction.atomic
def record_attendance(*, meeting: Meeting, present_ids: Iterable[int], by) -> int:
    """Tick exactly `present_ids` of the list present (the others absent); how many were present."""
    present = set(present_ids)
    rows = list(meeting.attendance.select_for_update())
    ids = [row.pk for row in rows if row.member_id in present]
    meeting.attendance.filter(pk__in=ids).update(present=True)
    meeting.attendance.exclude(pk__in=ids).update(present=False)
    _touch(meeting, by)
    return len(ids)


@transaction.atomic
def mark_all_present(*, meeting: Meeting, by) -> int:
    """ "Semua hadir": everyone on the list present; the absent are then unticked one by one."""
    count = meeting.attendance.update(present=True)
    _touch(meeting, by)
    return count


@transaction.atomic
def add_decision(*, meeting: Meeting, text: str, by) -> MeetingDecision:
    decision = MeetingDecision.objects.create(meeting=meeting, text=text.strip())
    _touch(meeting, by)
    return decision


@transaction.atomic
def remove_decision(*, decision: MeetingDecision, by) -> None:
    """Its follow-ups stay (they lose the link to it)."""
    meeting = decision.meeting
    decision.delete()
    _touch(meeting, by)


@transaction.atomic
def add_follow_up(
    *,
    meeting: Meeting,
    task: str,
    due_on: datetime.date,
    by,
    responsible: Member | None = None,
    decision: MeetingDecision | None = None,
    note: str = "",
) -> FollowUp:
    """A follow-up; the one responsible is someone on the meeting's attendance list."""
    if responsible is not None and not meeting.attendance.filter(member=responsible).exists():
        raise ValidationError(_("The person responsible must be on the meeting's attendance list."))
    if decision is not None and decision.meeting_id != meeting.pk:
        raise ValidationError(_("The decision belongs to another meeting."))
    follow_up = FollowUp(
        meeting=meeting, task=task, due_on=due_on, responsible=responsible, decision=decision, note=note
    )
    follow_up._history_user = by
    follow_up.save()
    return follow_up


@transaction.atomic
def mark_follow_up_done(
    *, follow_up: FollowUp, by, done_on: datetime.date | None = None, note: str = ""
) -> None:
    """Done on `done_on` (today if not given; never a day to come)."""
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError(_("The date it was done cannot be in the future."))
    follow_up.done_on = done_on
    if note:
        follow_up.note = note
    follow_up._history_user = by
    follow_up.save(update_fields=["done_on", "note"])


@transaction.atomic
def reopen_follow_up(*, follow_up: FollowUp, by) -> None:
    follow_up.done_on = None
    follow_up._history_user = by
    follow_up.save(update_fields=["done_on"])


@transaction.atomic
def add_attachment(*, meeting: Meeting, document: CleanDocument, title: str, by) -> MeetingAttachment:
    """Store a checked document (ipsm.lib.documents.clean_document); no file is left without its row."""
    attachment = MeetingAttachment(meeting=meeting, title=title, pages=document.pages, uploaded_by=by)
    attachment.file.save(f"{uuid.uuid4().hex}{document.extension}", ContentFile(document.content), save=False)
    name = attachment.file.name
    try:
        attachment.save()
        _touch(meeting, by)
    except Exception:
        attachment.file.storage.delete(name)
        raise
    return attachment


@transaction.atomic
def remove_attachment(*, attachment: MeetingAttachment, by) -> None:
    storage, name, meeting = attachment.file.storage, attachment.file.name, attachment.meeting
    attachment.delete()
    _touch(meeting, by)
    transaction.on_commit(lambda: storage.delete(name))


def _touch(meeting: Meeting, by) -> None:
    """A change to the meeting's lists is a change of the meeting: a history row with its author."""
    meeting._history_user = by
    meeting._change_reason = _("Meeting record updated")
    meeting.save(update_fields=["updated_at"])


def unit_summary(unit: Unit, today: datetime.date) -> dict:
    """The unit page's figures: the last meeting's date and the open (and overdue) follow-ups. Two queries."""
    last = Meeting.objects.filter(unit=unit).aggregate(last=Max("held_on"))["last"]
    counts = FollowUp.objects.filter(meeting__unit=unit, done_on__isnull=True).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    return {
        "last_meeting_on": last,
        "open_follow_ups": counts["open"],
        "overdue_follow_ups": counts["overdue"],
    }
