"""Training participants import for one event: PSM matched on NIK or KTA number, their attendance and scores.

The rules are the invite page's and the attendance sheet's (trainings.views.events): PSM of the units of
the organising regions may be invited (both regions of a joint event), never an inactive one; attendance is
one status per day of the event; scores run from 0 to 100. A member not yet invited is invited by the
import (a new row); blank cells leave what is stored as it is.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ipsm.lib.imports import Column, Row, column_letter
from ipsm.lib.spreadsheets import CellError, FileRefused, normalise_header, parse_date, parse_text
from ipsm.models import ImportKind, RowOutcome
from members.importing import ScopedImporter
from members.models import Member, MemberStatus
from members.nik import mask_nik, parse_nik_cell
from trainings.models import Attendance, AttendanceStatus, Event, Participant

NIK = Column(
    "nik",
    "NIK",
    ("No NIK", "Nomor NIK", "Nomor Induk Kependudukan", "NIK KTP"),
    note=gettext_lazy("The NIK or the KTA number of the PSM: at least one of the two columns."),
)
KTA = Column(
    "kta_number",
    "No. KTA",
    ("No KTA", "Nomor KTA", "KTA", "Nomor Anggota", "No Anggota"),
    note=gettext_lazy("The KTA number, where the NIK is not given."),
)
NAME = Column(
    "full_name",
    "Nama",
    ("Nama Lengkap", "Nama PSM", "Nama Peserta", "Nama Anggota"),
    note=gettext_lazy("Optional; when given, it must be the name of the PSM with that NIK or KTA number."),
)
ATTENDANCE = Column(
    "attendance",
    "Kehadiran",
    ("Status Kehadiran", "Presensi", "Absensi", "Daftar Hadir"),
    note=gettext_lazy(
        "Hadir, Izin, Tidak hadir or Diundang (or H, I, S, A), for every day of the event. For an event of "
        "several days you may write one column per day instead, headed with its date (dd/mm/yyyy) or "
        "Hari 1, Hari 2, ..."
    ),
)
PRE_TEST = Column(
    "pre_test_score",
    "Pre-test",
    ("Pre Test", "Pretest", "Nilai Pre-test", "Nilai Pre Test", "Nilai Pretest", "Pre"),
    note=gettext_lazy("Score from 0 to 100; blank leaves a stored score as it is."),
)
POST_TEST = Column(
    "post_test_score",
    "Post-test",
    ("Post Test", "Posttest", "Nilai Post-test", "Nilai Post Test", "Nilai Posttest", "Post"),
    note=gettext_lazy("Score from 0 to 100; blank leaves a stored score as it is."),
)

# What attendance sheets write; the letters are those of school registers (Hadir, Izin, Sakit, Alpa).
_STATUSES = {
    "hadir": AttendanceStatus.HADIR,
    "h": AttendanceStatus.HADIR,
    "present": AttendanceStatus.HADIR,
    "izin": AttendanceStatus.IZIN,
    "ijin": AttendanceStatus.IZIN,
    "i": AttendanceStatus.IZIN,
    "sakit": AttendanceStatus.IZIN,
    "s": AttendanceStatus.IZIN,
    "excused": AttendanceStatus.IZIN,
    "tidak hadir": AttendanceStatus.TIDAK_HADIR,
    "tdk hadir": AttendanceStatus.TIDAK_HADIR,
    "alpa": AttendanceStatus.TIDAK_HADIR,
    "alpha": AttendanceStatus.TIDAK_HADIR,
    "a": AttendanceStatus.TIDAK_HADIR,
    "absent": AttendanceStatus.TIDAK_HADIR,
    "diundang": AttendanceStatus.DIUNDANG,
    "invited": AttendanceStatus.DIUNDANG,
}
_TICKS = {"✓", "✔", "√"}
_DAY_NUMBER = re.compile(r"(?:kehadiran |presensi |absensi |hadir )?(?:hari|hr)(?: ke)? ?(\d{1,2})")
_DATE_IN_HEADER = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/\-.]\d{1,2}[/\-.]\d{4}")
_HUNDREDTH = Decimal("0.01")


def parse_attendance(value) -> str:
    text = parse_text(value)
    if text in _TICKS:
        return AttendanceStatus.HADIR
    key = normalise_header(text)
    if not key:
        return ""
    if key not in _STATUSES:
        raise CellError(
            _("Attendance not understood: write Hadir, Izin, Tidak hadir or Diundang (or H, I, S, A).")
        )
    return _STATUSES[key]


def parse_test_score(value) -> Decimal | None:
    """0 to 100, with up to two decimals (`85`, `85,5`, `85.5`); a longer fraction (an average) is rounded."""
    text = "" if value is None else str(value).strip().replace(",", ".")
    if not text:
        return None
    try:
        score = None if isinstance(value, bool) else Decimal(text)
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite() or not 0 <= score <= 100:
        raise CellError(_("A test score runs from 0 to 100."))
    return score.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def _score_text(score: Decimal | None) -> str:
    if score is None:
        return "—"
    text = f"{score:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _same_name(typed: str, registered: str) -> bool:
    return normalise_header(typed) == normalise_header(registered)


class ParticipantImporter(ScopedImporter):
    kind = ImportKind.PARTICIPANTS
    # As the attendance sheet (trainings.views.events); inviting also needs trainings.add_participant.
    permission = "trainings.change_participant"
    template_name = "template-impor-peserta"
    columns = [NIK, KTA, NAME, ATTENDANCE, PRE_TEST, POST_TEST]
    example_rows = [["3371034508850001", "", "Siti Rahayu", "Hadir", 60, 85]]

    def __init__(self, *, user, options=None):
        super().__init__(user=user, options=options)
        self.day_columns: list[tuple[Column, datetime.date]] = []
        self.seen_members: dict[int, int] = {}  # member -> first row, to catch a PSM twice in one file

    def required_columns(self) -> list[Column]:
        return []  # NIK or No. KTA: map_header checks that one of them is there

    # The event (an option) and the header.

    def _load(self) -> None:
        events = Event.objects.all() if self.user is None else Event.objects.visible_to(self.user)
        try:
            self.event = events.prefetch_related("organisers").get(pk=int(self.options.get("event")))
        except (TypeError, ValueError, Event.DoesNotExist):
            raise FileRefused(
                _("The training event was not found, or it is not organised by your office.")
            ) from None
        if self.user is not None and not self.user.has_perm(self.permission):
            raise FileRefused(_("You may not import this kind of data."))
        self.days = self.event.days
        self.may_invite = self.user is None or self.user.has_perm("trainings.add_participant")

    def map_header(self, header: list[str]) -> None:
        self._load()
        mapping: dict[str, int] = {}
        for index, text in enumerate(header):
            if not text:
                continue
            column = next((column for column in self.columns if column.matches(text)), None)
            if column is None:
                day = self._header_day(index, text)
                if day is None:
                    continue  # other columns (No., Unit, Keterangan, ...) are ignored
                column = Column(f"day_{day.isoformat()}", text)
                self.day_columns.append((column, day))
            if column.key in mapping:
                raise FileRefused(
                    _("Row 1 has the column “%(column)s” twice (columns %(first)s and %(second)s).")
                    % {
                        "column": column.header,
                        "first": column_letter(mapping[column.key]),
                        "second": column_letter(index),
                    }
                )
            mapping[column.key] = index
        if NIK.key not in mapping and KTA.key not in mapping:
            raise FileRefused(_("Row 1 must have a NIK column or a No. KTA column, to know who each row is."))
        if ATTENDANCE.key in mapping and self.day_columns:
            raise FileRefused(
                _("Use either one Kehadiran column for every day or one column per day, not both.")
            )
        self.mapping = mapping

    def _header_day(self, index: int, text: str) -> datetime.date | None:
        """The day a column is about ("Hari 2", "07/05/2024" or an Excel date), None for other columns."""
        where = {
            "column": f"{column_letter(index)} “{text}”",
            "start": f"{self.event.starts_on:%d/%m/%Y}",
            "end": f"{self.event.ends_on:%d/%m/%Y}",
        }
        numbered = _DAY_NUMBER.fullmatch(normalise_header(text))
        if numbered:
            number = int(numbered[1])
            if not 1 <= number <= len(self.days):
                raise FileRefused(
                    _("Column %(column)s: there is no such day; the event runs from %(start)s to %(end)s.")
                    % where
                )
            return self.days[number - 1]
        found = _DATE_IN_HEADER.search(text)
        if found is None:
            return None
        try:
            day = parse_date(found.group())
        except CellError:
            raise FileRefused(
                _("Column %(column)s: the date is not understood; write it as dd/mm/yyyy.") % where
            ) from None
        if day not in self.days:
            raise FileRefused(
                _("Column %(column)s: %(day)s is not a day of the event (%(start)s to %(end)s).")
                % {**where, "day": f"{day:%d/%m/%Y}"}
            )
        return day

    # Rows

    def check_batch(self, rows: list[Row]) -> None:
        for row in rows:
            self._parse(row)
        niks = {row.payload["nik"] for row in rows if row.payload["nik"]}
        ktas = {row.payload["kta"] for row in rows if row.payload["kta"]}
        members = list(self._reachable_members().filter(Q(nik__in=niks) | Q(kta_number__in=ktas)))
        by_nik = {member.nik: member for member in members}
        by_kta = {member.kta_number: member for member in members}
        participants = {
            participant.member_id: participant
            for participant in Participant.objects.filter(
                event=self.event, member__in=members
            ).prefetch_related("attendance")
        }
        for row in rows:
            member = self._match(row, by_nik, by_kta)
            if member is None or row.has_error:
                continue
            participant = participants.get(member.pk)
            if participant is None:
                self._decide_new(row, member)
            else:
                self._decide_existing(row, participant)

    def _reachable_members(self):
        """PSM of the units of the organising regions, as the invite page offers them, and anyone already
        invited to the event (whose attendance the sheet shows). Others are not found: a NIK elsewhere in
        the country is not revealed."""
        reachable = Q(Exists(Participant.objects.filter(event=self.event, member=OuterRef("pk"))))
        for code in self.event.organiser_codes:
            reachable |= Q(unit__region__code__startswith=code)
        return Member.objects.filter(reachable)

    def _parse(self, row: Row) -> None:
        payload = {"nik": "", "kta": "", "marks": {}, "scores": {}}
        if parse_text(row.cells.get(NIK.key)):
            parsed = row.parse(NIK, parse_nik_cell)
            if parsed is not None:
                payload["nik"] = parsed.nik
                if parsed.warning:
                    row.warn(NIK, parsed.warning)
        payload["kta"] = "".join(parse_text(row.cells.get(KTA.key)).split())
        if not payload["nik"] and not payload["kta"] and not row.has_error:
            row.error(
                NIK if NIK.key in self.mapping else KTA, _("Write the NIK or the KTA number of the PSM.")
            )
        payload["name"] = parse_text(row.cells.get(NAME.key))
        status = row.parse(ATTENDANCE, parse_attendance)
        if status:
            payload["marks"] = dict.fromkeys(self.days, status)
        for column, day in self.day_columns:
            status = row.parse(column, parse_attendance)
            if status:
                payload["marks"][day] = status
        for column in (PRE_TEST, POST_TEST):
            score = row.parse(column, parse_test_score)
            if score is not None:
                payload["scores"][column.key] = score
        row.payload = payload
        who = mask_nik(payload["nik"]) if payload["nik"] else payload["kta"]
        row.label = f"{payload['name']} ({who})" if payload["name"] else who

    def _match(self, row: Row, by_nik: dict, by_kta: dict) -> Member | None:
        nik, kta = row.payload["nik"], row.payload["kta"]
        by_nik_member, by_kta_member = by_nik.get(nik), by_kta.get(kta)
        if nik and by_nik_member is None:
            row.error(NIK, _("No PSM with this NIK in the regions organising this event."))
        if kta and by_kta_member is None:
            row.error(KTA, _("No PSM with this KTA number in the regions organising this event."))
        if by_nik_member and by_kta_member and by_nik_member != by_kta_member:
            row.error(KTA, _("This KTA number belongs to another PSM than the NIK."))
        member = by_nik_member or by_kta_member
        if member is None:
            return None
        column = NIK if by_nik_member else KTA
        row.label = f"{member.full_name} ({member.kta_number})"
        if row.payload["name"] and not _same_name(row.payload["name"], member.full_name):
            row.error(
                NAME,
                _("The NIK and the name do not match.")
                if column is NIK
                else _("The KTA number and the name do not match."),
            )
        first = self.seen_members.setdefault(member.pk, row.number)
        if first != row.number:
            row.error(column, _("This PSM is already in row %(row)d of this file.") % {"row": first})
        row.payload["member"] = member
        return member

    def _decide_new(self, row: Row, member: Member) -> None:
        column = NIK if row.payload["nik"] else KTA
        if member.status == MemberStatus.NONAKTIF:
            row.error(column, _("This PSM is inactive (nonaktif) and cannot be invited."))
        if not self.may_invite:
            row.error(column, _("You may not invite PSM to this event."))
        if not row.has_error:
            row.outcome = RowOutcome.NEW

    def _decide_existing(self, row: Row, participant: Participant) -> None:
        stored = {attendance.day: attendance for attendance in participant.attendance.all()}
        labels = dict(AttendanceStatus.choices)
        changes, marks = [], []
        for day, status in sorted(row.payload["marks"].items()):
            attendance = stored.get(day)
            old = attendance.status if attendance else AttendanceStatus.DIUNDANG
            if old != status:
                marks.append((attendance or Attendance(participant=participant, day=day), status))
                changes.append(
                    _("Attendance %(day)s: %(old)s → %(new)s")
                    % {"day": f"{day:%d/%m/%Y}", "old": labels[old], "new": labels[status]}
                )
        scores = {}
        for name, score in row.payload["scores"].items():
            old = getattr(participant, name)
            if old is None or old != score:
                scores[name] = score
                verbose = Participant._meta.get_field(name).verbose_name
                changes.append(f"{verbose}: {_score_text(old)} → {_score_text(score)}")
        row.outcome = RowOutcome.UPDATED if changes else RowOutcome.UNCHANGED
        row.changes = changes
        row.payload = {"participant": participant, "marks": marks, "scores": scores}

    def write_batch(self, rows: list[Row]) -> None:
        new = [row.payload for row in rows if row.outcome == RowOutcome.NEW]
        participants = Participant.objects.bulk_create(
            Participant(event=self.event, member=payload["member"], invited_by=self.user, **payload["scores"])
            for payload in new
        )
        attendance = [
            Attendance(
                participant=participant, day=day, status=payload["marks"].get(day, AttendanceStatus.DIUNDANG)
            )
            for participant, payload in zip(participants, new, strict=True)
            for day in self.days
        ]
        changed_attendance, changed_participants = [], []
        for row in rows:
            if row.outcome != RowOutcome.UPDATED:
                continue
            for mark, status in row.payload["marks"]:
                mark.status = status
                (changed_attendance if mark.pk else attendance).append(mark)
            if row.payload["scores"]:
                participant = row.payload["participant"]
                for name, score in row.payload["scores"].items():
                    setattr(participant, name, score)
                changed_participants.append(participant)
        Attendance.objects.bulk_create(attendance)
        Attendance.objects.bulk_update(changed_attendance, ["status"])
        Participant.objects.bulk_update(changed_participants, ["pre_test_score", "post_test_score"])
