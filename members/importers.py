"""Roster import: members matched on NIK, kelurahan on Kemendagri code or name (ipsm.lib.imports: the rest).

A row with a known NIK updates the profile fields it fills (blank cells leave a field as it is); status,
unit and KTA are never changed by an import: they have their own steps (status change, mutasi).
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ipsm.lib.imports import Column, Row
from ipsm.lib.spreadsheets import (
    CellError,
    normalise_header,
    parse_date,
    parse_sex,
    parse_text,
)
from ipsm.models import ImportKind, RowOutcome
from members.access import NIK_CANNOT_BE_REGISTERED, NikPolicy
from members.importing import KelurahanLookup, ScopedImporter
from members.models import Education, Member, MemberStatus, StatusChange, Unit
from members.nik import mask_nik, parse_nik_cell
from members.phone import parse_phone
from members.rules import PROFILE_FIELDS, member_problems, normalize_rt_rw
from members.services import issue_kta_numbers

NIK = Column("nik", "NIK", ("No NIK", "Nomor NIK", "Nomor Induk Kependudukan", "NIK KTP"), required=True)
NAME = Column("full_name", "Nama Lengkap", ("Nama", "Nama PSM", "Nama Anggota"), required=True)
SEX = Column("sex", "L/P", ("Jenis Kelamin", "JK", "Kelamin", "P/L"))
BIRTH_PLACE = Column("birth_place", "Tempat Lahir", ("Tmp Lahir", "Tempat Lhr", "Tmpt Lahir"))
BIRTH_DATE = Column("birth_date", "Tanggal Lahir", ("Tgl Lahir", "Tanggal Lhr", "Tgl Lhr"))
ADDRESS = Column("address", "Alamat", ("Alamat Lengkap", "Alamat Rumah"))
RT = Column("rt", "RT")
RW = Column("rw", "RW")
KELURAHAN = Column(
    "kelurahan",
    "Kelurahan",
    ("Desa/Kelurahan", "Kelurahan/Desa", "Desa", "Kel/Desa", "Kode Kelurahan", "Kode Wilayah", "Kode Desa"),
)
KECAMATAN = Column("kecamatan", "Kecamatan", ("Kec",))
PHONE = Column(
    "phone",
    "No. HP",
    ("No HP", "Nomor HP", "HP", "No Telp", "Nomor Telepon", "Telepon", "No WA", "Nomor WA", "WhatsApp"),
)
EMAIL = Column("email", "Email", ("E-mail", "Surel"))
EDUCATION = Column("education", "Pendidikan", ("Pendidikan Terakhir",))
OCCUPATION = Column("occupation", "Pekerjaan")
JOINED_ON = Column("joined_on", "Tanggal Bergabung", ("Tgl Bergabung", "Tanggal Masuk", "Tgl Masuk", "TMT"))
SK_NUMBER = Column("sk_number", "No. SK", ("Nomor SK", "No SK", "SK Penetapan"))
SK_DATE = Column("sk_date", "Tanggal SK", ("Tgl SK",))
SK_ISSUER = Column("sk_issuer", "Penerbit SK", ("SK Diterbitkan Oleh", "Pejabat Penerbit SK"))
SK_VALID_UNTIL = Column("sk_valid_until", "SK Berlaku Sampai", ("Masa Berlaku SK", "Tgl Akhir SK"))
STATUS = Column("status", "Status")

_EDUCATION = {
    "tidak sekolah": Education.TIDAK_SEKOLAH,
    "tidak tamat sd": Education.TIDAK_SEKOLAH,
    "sd": Education.SD,
    "sd mi": Education.SD,
    "mi": Education.SD,
    "smp": Education.SMP,
    "sltp": Education.SMP,
    "mts": Education.SMP,
    "smp mts": Education.SMP,
    "sma": Education.SMA,
    "smk": Education.SMA,
    "slta": Education.SMA,
    "ma": Education.SMA,
    "sma smk": Education.SMA,
    "d1": Education.DIPLOMA,
    "d2": Education.DIPLOMA,
    "d3": Education.DIPLOMA,
    "diploma": Education.DIPLOMA,
    "d4": Education.S1,
    "s1": Education.S1,
    "sarjana": Education.S1,
    "s2": Education.S2,
    "magister": Education.S2,
    "s3": Education.S3,
    "doktor": Education.S3,
}
_NEW_STATUSES = {"calon": MemberStatus.CALON, "aktif": MemberStatus.AKTIF}

# Profile fields an import may set (the profile but the NIK, which finds the member), in the order the
# preview lists changes.
IMPORTED_FIELDS = [
    *(("kelurahan_id" if name == "kelurahan" else name) for name in PROFILE_FIELDS if name != "nik"),
]
REQUIRED_FOR_NEW = [SEX, BIRTH_PLACE, BIRTH_DATE, ADDRESS]
DATE_FIELDS = ("sk_date", "sk_valid_until")  # empty: None, never ""


def _parse_education(value) -> str:
    key = normalise_header(parse_text(value))
    if not key:
        return ""
    if key not in _EDUCATION:
        raise CellError(_("Education not understood: write SD, SMP, SMA, D3, S1, S2 or S3."))
    return _EDUCATION[key]


def _parse_rt_rw(value) -> str:
    try:
        return normalize_rt_rw(parse_text(value))
    except ValidationError as error:
        raise CellError(error.messages[0]) from None


def _parse_status(value) -> str:
    key = normalise_header(parse_text(value))
    if not key:
        return ""
    if key not in _NEW_STATUSES:
        raise CellError(_("A new member's status is Calon or Aktif."))
    return _NEW_STATUSES[key]


class MemberImporter(ScopedImporter):
    kind = ImportKind.MEMBERS
    permission = "members.add_member"
    template_name = "template-impor-anggota"
    columns = [
        NIK,
        NAME,
        SEX,
        BIRTH_PLACE,
        BIRTH_DATE,
        ADDRESS,
        RT,
        RW,
        KELURAHAN,
        KECAMATAN,
        PHONE,
        EMAIL,
        EDUCATION,
        OCCUPATION,
        JOINED_ON,
        SK_NUMBER,
        SK_DATE,
        SK_ISSUER,
        SK_VALID_UNTIL,
        STATUS,
    ]
    example_rows = [
        [
            "3371034508850001",
            "Siti Rahayu",
            "P",
            "Magelang",
            "05/08/1985",
            "Jl. Sriwijaya 12",
            "002",
            "005",
            "33.71.03.1003",
            "Magelang Tengah",
            "0812-2750-1234",
            "",
            "SMA",
            "Wiraswasta",
            "01/02/2024",
            "",
            "",
            "",
            "",
            "Aktif",
        ]
    ]

    def __init__(self, *, user, options=None):
        super().__init__(user=user, options=options)
        self.today = timezone.localdate()
        self.kelurahan = KelurahanLookup(self.scope)
        units = Unit.objects.all() if self.user is None else Unit.objects.visible_to(self.user)
        self.unit_by_region = dict(units.values_list("region_id", "pk"))
        self.unit_ids = set(self.unit_by_region.values())
        self.seen_niks: dict[str, int] = {}  # NIK -> first row, to catch a NIK twice in one file
        self.nik_policy = None if self.user is None else NikPolicy(self.user)

    def required_columns(self) -> list[Column]:
        # A coordinator's rows belong to their own unit; staff must say which kelurahan each row is.
        return [NIK, NAME] if self.scope.unit_id else [NIK, NAME, KELURAHAN]

    def check_batch(self, rows: list[Row]) -> None:
        for row in rows:
            self._parse(row)
        niks = [row.payload["nik"] for row in rows if "nik" in row.payload]
        existing = {
            member.nik: member for member in Member.objects.filter(nik__in=niks).select_related("unit")
        }
        for row in rows:
            nik = row.payload.get("nik")
            if nik is None:
                continue
            first_row = self.seen_niks.setdefault(nik, row.number)
            if first_row != row.number:
                row.error(NIK, _("This NIK is already in row %(row)d of this file.") % {"row": first_row})
            member = existing.get(nik)
            if member is None:
                self._decide_new(row)
            else:
                self._decide_existing(row, member)

    def _parse(self, row: Row) -> None:
        fields: dict = {}
        parsed_nik = row.parse(NIK, parse_nik_cell)
        if parsed_nik is not None:
            fields["nik"] = parsed_nik.nik
            if parsed_nik.warning:
                row.warn(NIK, parsed_nik.warning)
        name = row.parse(NAME, parse_text, max_length=150)
        if not name and NAME.key in row.cells:
            row.error(NAME, _("The name is missing."))
        readers = [
            (NAME, lambda value: name),
            (SEX, parse_sex),
            (BIRTH_PLACE, lambda value: parse_text(value, max_length=100)),
            (BIRTH_DATE, parse_date),
            (ADDRESS, lambda value: parse_text(value, max_length=255)),
            (RT, _parse_rt_rw),
            (RW, _parse_rt_rw),
            (PHONE, parse_phone),
            (EMAIL, lambda value: parse_text(value, max_length=254)),
            (EDUCATION, _parse_education),
            (OCCUPATION, lambda value: parse_text(value, max_length=100)),
            (JOINED_ON, parse_date),
            (SK_NUMBER, lambda value: parse_text(value, max_length=100)),
            (SK_DATE, parse_date),
            (SK_ISSUER, lambda value: parse_text(value, max_length=150)),
            (SK_VALID_UNTIL, parse_date),
            (STATUS, _parse_status),
        ]
        for column, reader in readers:
            if column.key not in row.cells:
                continue
            value = row.parse(column, reader)
            if value not in (None, ""):
                fields[column.key] = value
        if fields.get("email") and "@" not in fields["email"]:
            row.error(EMAIL, _("Not an email address."))
        self._parse_kelurahan(row, fields)
        row.label = name or ""
        if "nik" in fields:
            row.label = f"{row.label} ({mask_nik(fields['nik'])})"
        row.payload = fields

    def _parse_kelurahan(self, row: Row, fields: dict) -> None:
        if KELURAHAN.key not in row.cells or not parse_text(row.cells[KELURAHAN.key]):
            if self.scope.unit_id:
                fields["kelurahan"] = self.scope.unit_region_code
            return
        try:
            code = self.kelurahan.find(row.cells[KELURAHAN.key], row.cells.get(KECAMATAN.key))
        except CellError as error:
            row.error(KELURAHAN, error)
            return
        fields["kelurahan"] = code

    def _check_rules(self, row: Row, values: dict) -> None:
        """The member rules (members.rules, as Member.clean() applies them) on the record as the row
        would leave it, each problem shown under its column."""
        columns = {
            "nik": NIK,
            "birth_date": BIRTH_DATE,
            "joined_on": JOINED_ON,
            "sk_date": SK_DATE,
            "sk_valid_until": SK_VALID_UNTIL,
        }
        if JOINED_ON.key not in self.mapping:
            columns["joined_on"] = BIRTH_DATE  # too young on today's date: the file only has the birth date
        problems = member_problems(
            nik=values["nik"],
            sex=values.get("sex"),
            birth_date=values.get("birth_date"),
            joined_on=values.get("joined_on"),
            sk_date=values.get("sk_date"),
            sk_valid_until=values.get("sk_valid_until"),
            today=self.today,
        )
        for field, messages in problems.items():
            for message in messages:
                row.error(columns[field], message)

    def _unit_of(self, row: Row) -> int | None:
        code = row.payload.get("kelurahan")
        if code is None:
            return None
        unit = self.unit_by_region.get(code)
        if unit is None:
            row.error(KELURAHAN, _("This kelurahan/desa has no IPSM unit in the registry yet."))
        elif self.scope.unit_id and unit != self.scope.unit_id:
            row.error(KELURAHAN, _("You may import only into your own IPSM unit."))
        return unit

    def _decide_new(self, row: Row) -> None:
        fields = row.payload
        unit = self._unit_of(row)
        if "kelurahan" not in fields and KELURAHAN.key in self.mapping and not row.has_error:
            row.error(KELURAHAN, _("The kelurahan/desa is missing."))
        for column in REQUIRED_FOR_NEW:
            if column.key not in fields and not any(p["column"] == column.header for p in row.problems):
                row.error(column, _("Required for a new member."))
        self._check_rules(row, {**fields, "joined_on": fields.get("joined_on", self.today)})
        if not row.has_error:
            row.outcome = RowOutcome.NEW
            fields["unit"] = unit

    def _decide_existing(self, row: Row, member: Member) -> None:
        fields = row.payload
        hidden = self.nik_policy is not None and not self.nik_policy.shows_whole(member)
        if member.unit_id not in self.unit_ids or hidden:
            row.error(NIK, NIK_CANNOT_BE_REGISTERED)
            return
        if member.merged_into_id:
            # The person's record is now the survivor's, which has its own NIK.
            row.error(
                NIK, _("This NIK belongs to a record merged into another one; update that record instead.")
            )
            return
        unit = self._unit_of(row)
        if unit is not None and unit != member.unit_id:
            row.error(
                KELURAHAN,
                _("This member belongs to %(unit)s: move them with a transfer (mutasi), not by import.")
                % {"unit": member.unit},
            )
        if fields.get("status") and fields["status"] != member.status:
            row.warn(STATUS, _("An import does not change a member's status; use the member's page."))
        checked = ("sex", "birth_date", "joined_on", "sk_date", "sk_valid_until")
        current = {name: getattr(member, name) for name in checked}
        self._check_rules(row, {**current, **fields})
        if row.has_error:
            return
        values = {**fields, "kelurahan_id": fields.get("kelurahan")}
        changed = [
            name
            for name in IMPORTED_FIELDS
            if values.get(name) not in (None, "") and values[name] != getattr(member, name)
        ]
        row.changes = [str(Member._meta.get_field(name.removesuffix("_id")).verbose_name) for name in changed]
        row.outcome = RowOutcome.UPDATED if changed else RowOutcome.UNCHANGED
        row.payload = {"member": member, "values": {name: values[name] for name in changed}}

    def write_batch(self, rows: list[Row]) -> None:
        reason = _("Imported from %(file)s") % {"file": self.options.get("file_name", "")}
        self._create([row.payload for row in rows if row.outcome == RowOutcome.NEW], reason)
        self._update([row.payload for row in rows if row.outcome == RowOutcome.UPDATED], reason)

    def _create(self, new: list[dict], reason: str) -> None:
        if not new:
            return
        issued = issue_kta_numbers(counts=Counter(fields["unit"] for fields in new))
        kta_numbers = {unit: iter(numbers) for unit, numbers in issued.items()}
        members = []
        for fields in new:
            joined_on = fields.get("joined_on", self.today)
            members.append(
                Member(
                    nik=fields["nik"],
                    kta_number=next(kta_numbers[fields["unit"]]),
                    unit_id=fields["unit"],
                    kelurahan_id=fields["kelurahan"],
                    status=fields.get("status", MemberStatus.CALON),
                    status_since=joined_on,
                    joined_on=joined_on,
                    **{
                        name: fields.get(name, "")
                        for name in IMPORTED_FIELDS
                        if name not in ("kelurahan_id", "joined_on", "birth_date", *DATE_FIELDS)
                    },
                    birth_date=fields["birth_date"],
                    sk_date=fields.get("sk_date"),
                    sk_valid_until=fields.get("sk_valid_until"),
                )
            )
        bulk_create_with_history(members, Member, default_user=self.user, default_change_reason=reason)
        StatusChange.objects.bulk_create(
            StatusChange(
                member=member,
                new_status=member.status,
                changed_on=member.status_since,
                changed_by=self.user,
                note=reason[:255],
            )
            for member in members
        )

    def _update(self, updated: list[dict], reason: str) -> None:
        if not updated:
            return
        members, fields = [], set()
        now = timezone.now()
        for change in updated:
            member = change["member"]
            for name, value in change["values"].items():
                setattr(member, name, value)
            member.updated_at = now
            fields.update(change["values"])
            members.append(member)
        bulk_update_with_history(
            members,
            Member,
            sorted(fields | {"updated_at"}),
            default_user=self.user,
            default_change_reason=reason,
        )
