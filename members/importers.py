"""Roster import: members matched on NIK, kelurahan on Kemendagri code or name (ipsm.imports does the rest).

A row with a known NIK updates the profile fields it fills (blank cells leave a field as it is); status,
unit and KTA are never changed by an import: they have their own steps (status change, mutasi).
"""

from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ipsm.imports import Column, Importer, KelurahanLookup, Row
from ipsm.models import ImportKind, RowOutcome
from ipsm.spreadsheets import (
    CellError,
    normalise_header,
    parse_date,
    parse_nik_cell,
    parse_phone,
    parse_sex,
    parse_text,
)
from members.access import NIK_CANNOT_BE_REGISTERED, NikPolicy
from members.forms import MIN_AGE_AT_JOINING, years_after
from members.models import Education, Member, MemberStatus, StatusChange, Unit
from members.nik import mask_nik, nik_mismatches, parse_nik
from members.services import format_kta

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

# Profile fields an import may set, in the order the preview lists changes.
PROFILE_FIELDS = [
    "full_name",
    "sex",
    "birth_place",
    "birth_date",
    "address",
    "rt",
    "rw",
    "kelurahan_id",
    "phone",
    "email",
    "education",
    "occupation",
    "joined_on",
    "sk_number",
    "sk_date",
]
REQUIRED_FOR_NEW = [SEX, BIRTH_PLACE, BIRTH_DATE, ADDRESS]


def _parse_education(value) -> str:
    key = normalise_header(parse_text(value))
    if not key:
        return ""
    if key not in _EDUCATION:
        raise CellError(_("Education not understood: write SD, SMP, SMA, D3, S1, S2 or S3."))
    return _EDUCATION[key]


def _parse_rt_rw(value) -> str:
    text = parse_text(value)
    if text and not (text.isascii() and text.isdigit() and len(text) <= 3):
        raise CellError(_("Must be a number of up to 3 digits."))
    return text.zfill(3) if text else ""


def _parse_status(value) -> str:
    key = normalise_header(parse_text(value))
    if not key:
        return ""
    if key not in _NEW_STATUSES:
        raise CellError(_("A new member's status is Calon or Aktif."))
    return _NEW_STATUSES[key]


class MemberImporter(Importer):
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
            self._check_nik_agrees(row)
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
        for column in (BIRTH_DATE, JOINED_ON, SK_DATE):
            if fields.get(column.key) and fields[column.key] > self.today:
                row.error(column, _("The date cannot be in the future."))
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

    def _check_nik_agrees(self, row: Row) -> None:
        fields = row.payload
        sex = fields.get("sex")
        for problem in nik_mismatches(
            parse_nik(fields["nik"]),
            is_female=(sex == "P") if sex else None,
            birth_date=fields.get("birth_date"),
        ):
            row.error(NIK, problem)

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
        joined_on = fields.get("joined_on", self.today)
        birth_date = fields.get("birth_date")
        if birth_date and years_after(birth_date, MIN_AGE_AT_JOINING) > joined_on:
            row.error(BIRTH_DATE, _("A PSM must be at least 18 years old on the join date."))
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
        birth_date = fields.get("birth_date", member.birth_date)
        if years_after(birth_date, MIN_AGE_AT_JOINING) > fields.get("joined_on", member.joined_on):
            row.error(BIRTH_DATE, _("A PSM must be at least 18 years old on the join date."))
        if row.has_error:
            return
        values = {**fields, "kelurahan_id": fields.get("kelurahan")}
        changed = [
            name
            for name in PROFILE_FIELDS
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
        per_unit = Counter(fields["unit"] for fields in new)
        # Raise each unit's KTA serial once for the whole batch, under a row lock as register_member does.
        units = {unit.pk: unit for unit in Unit.objects.select_for_update().filter(pk__in=per_unit)}
        serials = {pk: unit.kta_serial for pk, unit in units.items()}
        Unit.objects.bulk_update(
            [Unit(pk=pk, kta_serial=serials[pk] + count) for pk, count in per_unit.items()], ["kta_serial"]
        )
        members = []
        for fields in new:
            unit = units[fields["unit"]]
            serials[unit.pk] += 1
            joined_on = fields.get("joined_on", self.today)
            members.append(
                Member(
                    nik=fields["nik"],
                    kta_number=format_kta(unit, serials[unit.pk]),
                    unit=unit,
                    kelurahan_id=fields["kelurahan"],
                    status=fields.get("status", MemberStatus.CALON),
                    status_since=joined_on,
                    joined_on=joined_on,
                    **{
                        name: fields.get(name, "")
                        for name in PROFILE_FIELDS
                        if name not in ("kelurahan_id", "joined_on", "birth_date", "sk_date")
                    },
                    birth_date=fields["birth_date"],
                    sk_date=fields.get("sk_date"),
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
