"""Writes that touch several rows: registering, status changes, transfers, boards, roster checks.

Each takes the acting user explicitly and records it, in our own tables and in django-simple-history.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.utils import timezone
from django.utils.translation import gettext as _

from members.access import NikPolicy
from members.history import profile_differences
from members.models import (
    BOARD_ROLE_ORDER,
    SINGLE_SEAT_ROLES,
    BoardPosition,
    DuplicateDismissal,
    FollowUp,
    InactiveReason,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    Member,
    MemberStatus,
    NikSearch,
    NikSearchOutcome,
    StatusChange,
    Transfer,
    Unit,
)
from members.nik import mask_nik


class NikSearchRefused(Exception):
    """A NIK search the user may not make (now): the message says why, in the user's language."""


def look_up_nik(*, nik: str, by) -> Member:
    """The member with this (normalised) NIK among those whose NIK `by` sees whole; the search is recorded.

    Raises Member.DoesNotExist when there is none (whether or not the NIK is registered out of their sight),
    and NikSearchRefused for users who never see a NIK whole and past settings.NIK_SEARCHES_PER_HOUR
    searches in the last hour: a masked NIK's hidden digits are a date, which unlimited guesses would find."""
    policy = NikPolicy(by)
    record = NikSearch(user=by, masked_nik=mask_nik(nik))
    since = timezone.now() - datetime.timedelta(hours=1)
    refusal = None
    if policy.never_whole:
        record.outcome = NikSearchOutcome.NOT_ALLOWED
        refusal = _("Searching by NIK is only for users who may see NIK whole; search by name or KTA number.")
    elif NikSearch.objects.filter(user=by, searched_at__gte=since).count() >= settings.NIK_SEARCHES_PER_HOUR:
        record.outcome = NikSearchOutcome.LIMITED
        refusal = _("You have searched by NIK %(count)d times in the last hour; try again later.") % {
            "count": settings.NIK_SEARCHES_PER_HOUR
        }
    else:
        record.member = policy.whole_among(Member.objects.visible_to(by)).filter(nik=nik).first()
        record.outcome = NikSearchOutcome.FOUND if record.member else NikSearchOutcome.NOT_FOUND
    record.save()
    if refusal:
        raise NikSearchRefused(refusal)
    if record.member is None:
        raise Member.DoesNotExist
    return record.member


def format_kta(unit: Unit, serial: int) -> str:
    """KTA number: the issuing unit's region code without dots, a dash, then its serial (4+ digits)."""
    return f"{unit.region_id.replace('.', '')}-{serial:04d}"


@transaction.atomic
def issue_kta_numbers(*, counts: dict[int, int]) -> dict[int, list[str]]:
    """Fresh KTA numbers: `counts` maps a unit's pk to how many it needs; each unit's serial is raised once,
    under a row lock on the unit, so two registrations or imports never get the same number."""
    units = Unit.objects.select_for_update().filter(pk__in=counts).order_by("pk")  # pk order: no deadlock
    numbers = {}
    for unit in units:
        first = unit.kta_serial + 1
        unit.kta_serial += counts[unit.pk]
        numbers[unit.pk] = [format_kta(unit, serial) for serial in range(first, unit.kta_serial + 1)]
    Unit.objects.bulk_update(units, ["kta_serial"])
    return numbers


@transaction.atomic
def register_member(*, member: Member, by) -> Member:
    """Save a new member (built by a form) with a fresh KTA number and the first step of their lifecycle."""
    member.kta_number = issue_kta_numbers(counts={member.unit_id: 1})[member.unit_id][0]
    member.status_since = member.status_since or member.joined_on
    member._history_user = by
    member.save()
    StatusChange.objects.create(
        member=member, new_status=member.status, changed_on=member.status_since, changed_by=by
    )
    return member


@transaction.atomic
def change_member_status(
    *, member: Member, new_status: str, changed_on: datetime.date, by, reason: str = "", note: str = ""
) -> StatusChange:
    """Move a member along calon -> aktif -> nonaktif; leaving active duty also ends their board seats."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if new_status not in member.allowed_next_statuses():
        raise ValidationError(
            _("A member who is %(old)s cannot become %(new)s.")
            % {"old": member.get_status_display(), "new": MemberStatus(new_status).label}
        )
    if new_status == MemberStatus.NONAKTIF and reason not in InactiveReason.values:
        raise ValidationError(_("Choose why the member becomes inactive."))
    if changed_on < member.status_since:
        raise ValidationError(
            _("The date cannot be before the current status began (%(date)s).")
            % {"date": member.status_since.strftime("%d/%m/%Y")}
        )
    change = StatusChange.objects.create(
        member=member,
        old_status=member.status,
        new_status=new_status,
        reason=reason if new_status == MemberStatus.NONAKTIF else "",
        changed_on=changed_on,
        note=note,
        changed_by=by,
    )
    member.status = new_status
    member.status_reason = change.reason
    member.status_since = changed_on
    member._history_user = by
    member.save(update_fields=["status", "status_reason", "status_since", "updated_at"])
    if new_status == MemberStatus.NONAKTIF:
        _end_seats(BoardPosition.objects.current().filter(member=member), ended_on=changed_on, by=by)
    return change


@transaction.atomic
def transfer_member(
    *, member: Member, to_unit: Unit, transferred_on: datetime.date, by, note: str = ""
) -> Transfer:
    """Move a member to another unit; KTA, lifecycle and history go with them, board seats stay behind."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if to_unit.pk == member.unit_id:
        raise ValidationError(_("The member is already in this unit."))
    transfer = Transfer.objects.create(
        member=member,
        from_unit_id=member.unit_id,
        to_unit=to_unit,
        transferred_on=transferred_on,
        note=note,
        transferred_by=by,
    )
    _end_seats(
        BoardPosition.objects.current().filter(member=member, unit_id=member.unit_id),
        ended_on=transferred_on,
        by=by,
    )
    member.unit = to_unit
    member._history_user = by
    member._change_reason = _("Transferred")
    member.save(update_fields=["unit", "updated_at"])
    return transfer


@transaction.atomic
def appoint_board_member(
    *,
    unit: Unit,
    member: Member,
    role: str,
    term_starts_on: datetime.date,
    term_ends_on: datetime.date,
    by,
    sk_number: str = "",
    elected_at: Meeting | None = None,
) -> BoardPosition:
    """Seat a member on a unit's board; a single seat (ketua, ...) passes from its previous holder.
    `elected_at`: the unit's musyawarah that elected them (members/meetings.py records it)."""
    if elected_at and (elected_at.unit_id != unit.pk or elected_at.kind != MeetingKind.MUSYAWARAH):
        raise ValidationError(_("A board is elected at a members' assembly (musyawarah) of its own unit."))
    if member.status == MemberStatus.NONAKTIF:
        raise ValidationError(_("An inactive member cannot sit on the board."))
    if not member.unit.region_id.startswith(unit.region_id):
        raise ValidationError(_("The member must belong to a unit within this unit's region."))
    if BoardPosition.objects.current().filter(unit=unit, member=member).exists():
        raise ValidationError(_("This member already holds a seat on this board; end it first."))
    if role in SINGLE_SEAT_ROLES:
        previous = BoardPosition.objects.current().filter(unit=unit, role=role)
        _end_seats(previous, ended_on=term_starts_on, by=by)
    position = BoardPosition(
        unit=unit,
        member=member,
        role=role,
        term_starts_on=term_starts_on,
        term_ends_on=term_ends_on,
        sk_number=sk_number,
        elected_at=elected_at,
    )
    position._history_user = by
    position.save()
    return position


def end_board_position(*, position: BoardPosition, ended_on: datetime.date, by) -> None:
    _end_seats(BoardPosition.objects.filter(pk=position.pk, ended_on__isnull=True), ended_on=ended_on, by=by)


def _end_seats(positions, *, ended_on: datetime.date, by) -> None:
    # One by one, not .update(): each end is a history row with its author.
    for position in positions.select_for_update():
        position.ended_on = ended_on
        position._history_user = by
        position.save(update_fields=["ended_on"])


def confirm_roster(*, unit: Unit, by) -> None:
    """Record that someone checked the unit's roster today ("roster sudah diperiksa")."""
    unit.roster_confirmed_at = timezone.now()
    unit.roster_confirmed_by = by
    unit._history_user = by
    unit._change_reason = _("Roster checked")
    unit.save(update_fields=["roster_confirmed_at", "roster_confirmed_by"])


@transaction.atomic
def restore_member_version(*, member: Member, history_id: int, by) -> list[str]:
    """Bring back the profile of an earlier version of a member (members.rules.PROFILE_FIELDS).

    Status, unit and KTA number are never restored: they have their own workflows and records. The restored
    values are validated as they are now (a NIK since taken by another member is refused). Returns the names
    of the fields restored; with none, nothing is saved.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    version = member.history.filter(history_id=history_id).first()
    if version is None:
        raise ValidationError(_("This version does not belong to this member."), code="unknown_version")
    changed = profile_differences(member, version)
    if not changed:
        return []
    for name in changed:
        attname = Member._meta.get_field(name).attname
        setattr(member, attname, getattr(version, attname))
    if "nik" in changed and Member.objects.filter(nik=member.nik).exclude(pk=member.pk).exists():
        raise ValidationError(
            _("The NIK of this version is now registered to another member: it cannot be restored."),
            code="nik_taken",
        )
    if "kelurahan" in changed and not member.kelurahan_id.startswith(member.unit.region.kabkota_code):
        raise ValidationError(
            _("The kelurahan/desa of this version is outside the kab/kota of the member's current unit."),
            code="kelurahan_elsewhere",
        )
    member.full_clean()
    member._history_user = by
    member._change_reason = _("Restored from the version of %(date)s") % {
        "date": timezone.localtime(version.history_date).strftime("%d/%m/%Y %H:%M")
    }
    member.save(update_fields=[*changed, "updated_at"])
    return changed


# Merging duplicate records -----------------------------------------------------------------------------

# Taken from the merged record where the survivor has nothing; a value the survivor has is never replaced.
MERGE_FILL_FIELDS = ("phone", "email", "education", "occupation", "sk_number", "sk_date")

# Relations to Member that merge_members moves itself; other apps' come from members.panels.MERGE_HANDLERS.
_OWN_MERGE_RELATIONS = (
    "members.StatusChange.member",
    "members.Transfer.member",
    "members.BoardPosition.member",
    "members.Member.merged_into",
    # Left on the merged record on purpose: "not the same person" was said of that record, and the
    # duplicate finder no longer looks at merged records.
    "members.DuplicateDismissal.member_a",
    "members.DuplicateDismissal.member_b",
    # An audit record: who searched which NIK and what they found stays as it happened.
    "members.NikSearch.member",
    # A PSM account and its invitations stay with the merged record, which is inactive: it cannot log in
    # and its links no longer work (members.accounts); the survivor is invited anew.
    "members.Assignment.member",
    "members.AccountInvitation.member",
    # One person at a meeting: their attendance and the follow-ups they answer for go to the survivor.
    "members.MeetingAttendance.member",
    "members.FollowUp.responsible",
)


def _move_meeting_records(*, survivor: Member, merged: Member) -> None:
    """Attendance moves to the survivor (present if either record was, where both were on the list), and so
    do the follow-ups the merged record was responsible for."""
    merged_rows = MeetingAttendance.objects.filter(member=merged)
    survivor_rows = MeetingAttendance.objects.filter(member=survivor)
    survivor_rows.filter(meeting__in=merged_rows.filter(present=True).values("meeting")).update(present=True)
    merged_rows.filter(meeting__in=survivor_rows.values("meeting")).delete()
    MeetingAttendance.objects.filter(member=merged).update(member=survivor)
    FollowUp.objects.filter(responsible=merged).update(responsible=survivor)


def member_relations() -> set[str]:
    """Every foreign key to Member as "app_label.Model.field", django-simple-history's copies left out
    (history stays as it was written)."""
    return {
        f"{field.related_model._meta.label}.{field.field.name}"
        for field in Member._meta.get_fields(include_hidden=True)
        if field.is_relation
        and field.auto_created
        and not field.concrete
        and getattr(field.related_model, "instance_type", None) is None
    }


def unhandled_merge_relations() -> set[str]:
    from members.panels import MERGE_HANDLERS

    return member_relations() - set(_OWN_MERGE_RELATIONS).union(*MERGE_HANDLERS.values())


def merge_fill_fields(*, survivor: Member, merged: Member) -> list[str]:
    """The survivor's empty fields that merging fills from the merged record."""
    return [
        name
        for name in MERGE_FILL_FIELDS
        if getattr(survivor, name) in ("", None) and getattr(merged, name) not in ("", None)
    ]


def check_merge(*, survivor: Member, merged: Member, by) -> None:
    """Refuse (ValidationError) a merge that must not happen; the merge page shows why before anyone tries."""
    if survivor.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged into itself."), code="same_member")
    for member in (merged, survivor):
        if member.merged_into_id:
            raise ValidationError(
                _("%(name)s (KTA %(kta)s) was already merged into another record.")
                % {"name": member.full_name, "kta": member.kta_number},
                code="already_merged",
            )
    in_scope = Member.objects.visible_to(by).filter(pk__in=[survivor.pk, merged.pk]).count()
    if not by.has_perm("members.merge_member") or in_scope != 2:
        raise ValidationError(
            _("You may only merge members of your own area whose records you may edit."), code="out_of_scope"
        )


def merge_refusal(*, pair: tuple[Member, Member], by) -> list[str]:
    """Why the two records cannot be merged (nothing when they can): both merge pages, the registry's and
    the admin's, show it before anyone tries."""
    try:
        check_merge(survivor=pair[0], merged=pair[1], by=by)
    except ValidationError as error:
        return error.messages
    return []


@transaction.atomic
def merge_members(*, survivor: Member, merged: Member, by) -> Member:
    """Merge two records of one person: everything of `merged` moves to `survivor`, in one transaction.

    Moves status history (each step's note starts with the merged KTA), transfers, board seats (where both
    hold a current seat on one board the higher-ranked stays and the other ends today), records merged
    earlier into `merged`, and whatever other apps registered (members.panels.register_merge_handler:
    trainings, cases). Empty profile fields of the survivor are filled (MERGE_FILL_FIELDS). The merged
    record is kept: it becomes inactive ("lainnya", the note naming the survivor's KTA) and points at the
    survivor (merged_into). Both records get a status step and a history entry with the reason.
    """
    unhandled = unhandled_merge_relations()
    if unhandled:
        names = ", ".join(sorted(unhandled))
        raise ImproperlyConfigured(f"merge_members does not know where to move {names}")
    if survivor.pk == merged.pk:
        raise ValidationError(_("A record cannot be merged into itself."), code="same_member")
    # Both rows locked, in pk order so that two merges of the same pair cannot deadlock.
    pair = Member.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk]).order_by("pk")
    locked = {member.pk: member for member in pair}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    check_merge(survivor=survivor, merged=merged, by=by)
    today = timezone.localdate()
    into = _("Merged into KTA %(kta)s") % {"kta": survivor.kta_number}
    taken_in = _("Merged with KTA %(kta)s") % {"kta": merged.kta_number}

    merged.status_changes.update(
        member=survivor, note=Left(Concat(Value(f"[{merged.kta_number}] "), F("note")), 255)
    )
    merged.transfers.update(member=survivor)
    _move_board_seats(survivor=survivor, merged=merged, on=today, by=by, reason=taken_in)
    Member.objects.filter(merged_into=merged).update(merged_into=survivor)
    _move_meeting_records(survivor=survivor, merged=merged)
    from members.panels import MERGE_HANDLERS

    for handler in MERGE_HANDLERS:
        handler(survivor=survivor, merged=merged, by=by)

    if merged.status == MemberStatus.NONAKTIF:
        StatusChange.objects.create(
            member=merged,
            old_status=merged.status,
            new_status=merged.status,
            reason=merged.status_reason,
            changed_on=today,
            note=into,
            changed_by=by,
        )
    else:
        change_member_status(
            member=merged,
            new_status=MemberStatus.NONAKTIF,
            reason=InactiveReason.LAINNYA,
            changed_on=max(today, merged.status_since),
            note=into,
            by=by,
        )
        merged.refresh_from_db()
    merged.merged_into = survivor
    merged.merged_at = timezone.now()
    merged.merged_by = by
    merged._history_user = by
    merged._change_reason = into
    merged.save(update_fields=["merged_into", "merged_at", "merged_by", "updated_at"])

    filled = merge_fill_fields(survivor=survivor, merged=merged)
    for name in filled:
        setattr(survivor, name, getattr(merged, name))
    StatusChange.objects.create(
        member=survivor,
        old_status=survivor.status,
        new_status=survivor.status,
        reason=survivor.status_reason,
        changed_on=today,
        note=_("Record of %(name)s, KTA %(kta)s, merged into this one")
        % {"name": merged.full_name, "kta": merged.kta_number},
        changed_by=by,
    )
    survivor._history_user = by
    survivor._change_reason = taken_in
    survivor.save(update_fields=[*filled, "updated_at"])
    return survivor


def _move_board_seats(*, survivor: Member, merged: Member, on: datetime.date, by, reason: str) -> None:
    # A member holds one current seat per board (board_one_seat_per_member): where both records do, the
    # higher-ranked seat stays (ketua over anggota pengurus; the survivor's on a tie) and the other ends.
    held = {seat.unit_id: seat for seat in BoardPosition.objects.current().filter(member=survivor)}
    for seat in BoardPosition.objects.select_for_update().filter(member=merged).order_by("pk"):
        other = held.get(seat.unit_id) if seat.ended_on is None else None
        if other is not None:
            if BOARD_ROLE_ORDER[seat.role] < BOARD_ROLE_ORDER[other.role]:
                _end_seats(BoardPosition.objects.filter(pk=other.pk), ended_on=on, by=by)
                held[seat.unit_id] = seat
            else:
                seat.ended_on = on
        seat.member = survivor
        seat._history_user = by
        seat._change_reason = reason
        seat.save(update_fields=["member", "ended_on"])


def dismiss_duplicate(*, member: Member, other: Member, by) -> DuplicateDismissal:
    """Record that two members are different people ("bukan duplikat"): the finder stops offering them."""
    if member.pk == other.pk:
        raise ValidationError(_("A record cannot be merged into itself."), code="same_member")
    low, high = sorted((member.pk, other.pk))
    dismissal, _created = DuplicateDismissal.objects.get_or_create(
        member_a_id=low, member_b_id=high, defaults={"dismissed_by": by}
    )
    return dismissal
