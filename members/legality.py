"""The IPSM's legal standing (legalitas): the one home of what makes an SK valid, the lists a kab/kota's
legality page shows, and the writes that attach SK files and a board's SK.

The rules (each a Q for querysets and a function for one row, side by side so they cannot drift apart):
- A PSM's SK penetapan is **valid** on a day when it has a number and a date, and no end (`sk_valid_until`
  empty) or an end on or after that day. Without a number or date it is **missing**; with an end before the
  day it is **expired**.
- A unit **has its SK** (pembentukan) when it has both an SK number and an SK date.
- A unit's board is **lapsed** when one of its current seats (not ended) has a term that ended before the
  day; it is **without SK** when one of its current seats was appointed by no board SK
  (BoardPosition.decree empty). A unit with no current seat has no board to check (neither).
Regeneration (the age profile) counts active members and current board seats by age on the day; over 60 is
the share provincial meetings ask about.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from ipsm.lib.dates import years_after
from ipsm.lib.documents import CleanDocument
from members.models import BoardDecree, BoardPosition, Meeting, MeetingKind, Member, Region, Unit

SK_VALID, SK_MISSING, SK_EXPIRED = "valid", "missing", "expired"
BOARD_OK, BOARD_LAPSED, BOARD_WITHOUT_SK, BOARD_NONE = "ok", "lapsed", "without_sk", "none"
OLD_AGE = 60
# Age bands of the regeneration profile: (lowest age, label); the last band is OLD_AGE and over.
AGE_BANDS = ((0, "< 30"), (30, "30-39"), (40, "40-49"), (50, "50-59"), (OLD_AGE, "≥ 60"))


# --- The rules ----------------------------------------------------------------------------------------------


def member_sk_valid_q(day: datetime.date, prefix: str = "") -> Q:
    """Members whose SK penetapan is valid on `day` (see the module docstring)."""
    return Q(**{f"{prefix}sk_number__gt": "", f"{prefix}sk_date__isnull": False}) & (
        Q(**{f"{prefix}sk_valid_until__isnull": True}) | Q(**{f"{prefix}sk_valid_until__gte": day})
    )


def member_sk_status(member: Member, day: datetime.date) -> str:
    """SK_VALID, SK_MISSING or SK_EXPIRED: member_sk_valid_q() for one member."""
    if not (member.sk_number and member.sk_date):
        return SK_MISSING
    if member.sk_valid_until is not None and member.sk_valid_until < day:
        return SK_EXPIRED
    return SK_VALID


def unit_sk_q() -> Q:
    """Units with their SK pembentukan."""
    return Q(sk_number__gt="", sk_date__isnull=False)


def unit_has_sk(unit: Unit) -> bool:
    return bool(unit.sk_number and unit.sk_date)


def _lapsed_seats(day: datetime.date):
    return BoardPosition.objects.current().filter(unit=OuterRef("pk"), term_ends_on__lt=day)


def _seats_without_sk():
    return BoardPosition.objects.current().filter(unit=OuterRef("pk"), decree__isnull=True)


def with_board_state(units, day: datetime.date):
    """Units annotated with `board_lapsed` and `board_without_sk` (booleans, one query for any number)."""
    return units.annotate(
        board_lapsed=Exists(_lapsed_seats(day)), board_without_sk=Exists(_seats_without_sk())
    )


def board_state(unit: Unit, day: datetime.date) -> str:
    """BOARD_LAPSED, BOARD_WITHOUT_SK, BOARD_OK or BOARD_NONE (no current seat) for one unit; one query."""
    seats = unit.board.current().aggregate(
        seats=Count("pk"),
        lapsed=Count("pk", filter=Q(term_ends_on__lt=day)),
        without_sk=Count("pk", filter=Q(decree__isnull=True)),
    )
    if not seats["seats"]:
        return BOARD_NONE
    if seats["lapsed"]:
        return BOARD_LAPSED
    if seats["without_sk"]:
        return BOARD_WITHOUT_SK
    return BOARD_OK


# --- The lists of a kab/kota's legality page --------------------------------------------------------------


def members_without_valid_sk(members, day: datetime.date):
    """Active members (not merged) whose SK penetapan is missing or expired on `day`."""
    return (
        members.active()
        .not_merged()
        .exclude(member_sk_valid_q(day))
        .select_related("unit__region__parent")
        .order_by("unit__region_id", "full_name", "pk")
    )


def units_without_sk(units):
    return units.exclude(unit_sk_q()).select_related("region__parent").order_by("region_id")


def units_with_board_problems(units, day: datetime.date):
    """Units whose board is lapsed or without SK, each annotated as with_board_state() does."""
    return (
        with_board_state(units, day)
        .filter(Q(board_lapsed=True) | Q(board_without_sk=True))
        .select_related("region__parent")
        .order_by("region_id")
    )


@dataclass
class AgeRow:
    """One line of the age profile: a kecamatan (or the total), members and board seats per age band."""

    code: str
    name: str
    members: list[int] = field(default_factory=lambda: [0] * len(AGE_BANDS))
    board: list[int] = field(default_factory=lambda: [0] * len(AGE_BANDS))

    @property
    def member_total(self) -> int:
        return sum(self.members)

    @property
    def board_total(self) -> int:
        return sum(self.board)

    @property
    def member_old_share(self) -> float | None:
        """Share (0-100) of members aged OLD_AGE or more; None without members."""
        return round(100 * self.members[-1] / self.member_total, 1) if self.member_total else None

    @property
    def board_old_share(self) -> float | None:
        return round(100 * self.board[-1] / self.board_total, 1) if self.board_total else None

    @property
    def bands(self) -> list[tuple[str, int, int]]:
        """(band label, members, board seats) per age band."""
        return [
            (label, *counts)
            for (_low, label), *counts in zip(AGE_BANDS, self.members, self.board, strict=True)
        ]

    def add(self, other: "AgeRow") -> None:
        self.members = [a + b for a, b in zip(self.members, other.members, strict=True)]
        self.board = [a + b for a, b in zip(self.board, other.board, strict=True)]


def _band_counts(queryset, birth_field: str, day: datetime.date) -> dict:
    """Per kecamatan code (the unit's region code cut to a kecamatan's length), a count per age band."""
    bounds = [years_after(day, -low) for low, _label in AGE_BANDS]  # born on or before: at least `low`
    counts = {}
    for index in range(len(AGE_BANDS)):
        condition = Q(**{f"{birth_field}__lte": bounds[index]})
        if index + 1 < len(AGE_BANDS):
            condition &= Q(**{f"{birth_field}__gt": bounds[index + 1]})
        counts[f"band_{index}"] = Count("pk", filter=condition)
    rows = (
        queryset.order_by()
        .annotate(kecamatan=Substr("unit__region__code", 1, len("33.71.01")))
        .values("kecamatan")
        .annotate(**counts)
    )
    return {row["kecamatan"]: [row[f"band_{i}"] for i in range(len(AGE_BANDS))] for row in rows}


def age_profile(region: Region, day: datetime.date) -> tuple[list[AgeRow], AgeRow]:
    """The kab/kota's active members and current board seats by age band, per kecamatan, and the total.

    Three queries however many units: members grouped, seats grouped, the kecamatan names. Units of the
    kab/kota itself (its IPSM forum) fall on a row of their own named after the kab/kota."""
    members = _band_counts(Member.objects.within(region.code).active().not_merged(), "birth_date", day)
    seats = _band_counts(
        BoardPosition.objects.current().filter(unit__region__code__startswith=region.code),
        "member__birth_date",
        day,
    )
    names = dict(
        Region.objects.within(region.code).filter(code__in=[*members, *seats]).values_list("code", "name")
    )
    rows = []
    total = AgeRow(code=region.code, name=_("Total"))
    for code in sorted({*members, *seats}):
        row = AgeRow(code=code, name=names.get(code, region.name))
        row.members = members.get(code, row.members)
        row.board = seats.get(code, row.board)
        total.add(row)
        rows.append(row)
    return rows, total


def legality_counts(region: Region, day: datetime.date) -> dict[str, int]:
    """How many rows each list of the page has: three queries however many rows."""
    units = Unit.objects.within(region.code)
    return {
        "members": members_without_valid_sk(Member.objects.within(region.code), day).count(),
        "units": units_without_sk(units).count(),
        "boards": units_with_board_problems(units, day).count(),
    }


# --- Writes -------------------------------------------------------------------------------------------------


def _store(field_file, document: CleanDocument) -> str:
    field_file.save(f"{uuid.uuid4().hex}{document.extension}", ContentFile(document.content), save=False)
    return field_file.name


def _save_with_file(obj, field_name: str, document: CleanDocument, by, update_fields: list[str]) -> None:
    """Store the file and save `obj`; the new file is deleted if the save fails, the old one once the
    transaction commits."""
    field_file = getattr(obj, field_name)
    old_name = field_file.name or ""
    new_name = _store(field_file, document)
    obj._history_user = by
    try:
        obj.save(update_fields=update_fields)
    except Exception:
        field_file.storage.delete(new_name)
        raise
    if old_name:
        storage = field_file.storage
        transaction.on_commit(lambda: storage.delete(old_name))


@transaction.atomic
def set_unit_sk_file(*, unit: Unit, document: CleanDocument, by) -> Unit:
    """Attach the scanned SK pembentukan to the unit (replacing an earlier file)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _save_with_file(unit, "sk_file", document, by, ["sk_file"])
    return unit


@transaction.atomic
def set_member_sk_file(*, member: Member, document: CleanDocument, by) -> Member:
    """Attach the scanned SK penetapan to the member (replacing an earlier file)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _save_with_file(member, "sk_file", document, by, ["sk_file", "updated_at"])
    return member


def musyawarah_choices(unit: Unit):
    """The meetings a board SK may name as where the board was elected: the unit's musyawarah."""
    return Meeting.objects.filter(unit=unit, kind=MeetingKind.MUSYAWARAH).order_by("-held_on")


@transaction.atomic
def record_board_decree(
    *,
    unit: Unit,
    number: str,
    issued_on: datetime.date,
    issuer: str,
    positions: list[BoardPosition],
    meeting: Meeting | None = None,
    document: CleanDocument | None = None,
    by,
) -> BoardDecree:
    """Record a board SK for `unit` and point the current seats it appoints at it."""
    if not positions:
        raise ValidationError(_("Choose the board positions this SK appoints."))
    if any(p.unit_id != unit.pk or p.ended_on is not None for p in positions):
        raise ValidationError(_("Only current board positions of this unit can be appointed by its SK."))
    if meeting is not None and (meeting.unit_id != unit.pk or meeting.kind != MeetingKind.MUSYAWARAH):
        raise ValidationError(_("Choose a musyawarah of this unit."))
    decree = BoardDecree(unit=unit, number=number, issued_on=issued_on, issuer=issuer, meeting=meeting)
    decree._history_user = by
    new_name = _store(decree.file, document) if document is not None else ""
    try:
        decree.full_clean()
        decree.save()
        for position in positions:
            position.decree = decree
            if meeting is not None and position.elected_at_id is None:
                position.elected_at = meeting
            position._history_user = by
            position.save(update_fields=["decree", "elected_at"])
    except Exception:
        if new_name:
            decree.file.storage.delete(new_name)
        raise
    return decree
