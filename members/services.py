"""Writes that touch several rows: registering, status changes, transfers, boards, roster checks.

Each takes the acting user explicitly and records it, in our own tables and in django-simple-history.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import (
    SINGLE_SEAT_ROLES,
    BoardPosition,
    InactiveReason,
    Member,
    MemberStatus,
    StatusChange,
    Transfer,
    Unit,
)


def format_kta(unit: Unit, serial: int) -> str:
    """KTA number: the issuing unit's region code without dots, a dash, then its serial (4+ digits)."""
    return f"{unit.region_id.replace('.', '')}-{serial:04d}"


@transaction.atomic
def register_member(*, member: Member, by) -> Member:
    """Save a new member (built by a form) with a fresh KTA number and the first step of their lifecycle."""
    unit = Unit.objects.select_for_update().get(pk=member.unit_id)  # serialises KTA serials per unit
    unit.kta_serial += 1
    unit.save(update_fields=["kta_serial"])
    member.kta_number = format_kta(unit, unit.kta_serial)
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
) -> BoardPosition:
    """Seat a member on a unit's board; a single seat (ketua, ...) passes from its previous holder."""
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
