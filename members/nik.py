"""NIK (Nomor Induk Kependudukan): normalising and validating the 16-digit population number.

Layout: province (2) + kab/kota (2) + kecamatan (2) where it was first issued, date of birth DDMMYY with
40 added to the day for women, and a serial of 4 digits starting at 0001. The region part never changes
when a person moves, so it is not compared with where the member lives.
"""

import datetime
import math
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Masking is the engines' too (the logs, the export log), so it lives in ipsm.lib; the NIK rules are ours.
from ipsm.lib.redact import mask_nik as mask_nik
from ipsm.lib.spreadsheets import CellError

# The 38 province codes of Kemendagri (members/data/wilayah_indonesia.csv.gz).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 "  # noqa: SIM905
    "71 72 73 74 75 76 81 82 91 92 93 94 95 96".split()
)
FEMALE_DAY_OFFSET = 40

_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class NikParts:
    province: str
    day: int
    month: int
    year_2digit: int
    is_female: bool
    serial: str


def normalize_nik(raw: object) -> str:
    """Strip what people type around a NIK: spaces, dots, dashes and Excel's leading apostrophe."""
    text = str(raw or "").strip().lstrip("'")
    return _SEPARATORS.sub("", text)


def is_typed_nik(raw: object) -> bool:
    """Whether a search text is a whole NIK (16 digits once the separators are dropped): such a text must
    never be put in a URL, where access logs would keep it."""
    digits = normalize_nik(raw)
    return len(digits) == 16 and digits.isdigit()


def _is_real_date(day: int, month: int, year_2digit: int) -> bool:
    # The century is not in the NIK: the date is real if it exists in either (29 February included).
    for century in (1900, 2000):
        try:
            datetime.date(century + year_2digit, month, day)
            return True
        except ValueError:
            continue
    return False


def parse_nik(nik: str) -> NikParts:
    """Check a normalised NIK on its own; raise ValidationError with a message naming the field."""
    if not re.fullmatch(r"[0-9]{16}", nik):  # \d would take other scripts' digits too
        raise ValidationError(_("NIK must be 16 digits."), code="nik_length")
    province = nik[:2]
    if province not in PROVINCE_CODES:
        raise ValidationError(
            _("NIK must start with a province code; %(code)s is not one."),
            code="nik_province",
            params={"code": province},
        )
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    is_female = day > FEMALE_DAY_OFFSET
    real_day = day - FEMALE_DAY_OFFSET if is_female else day
    if not _is_real_date(real_day, month, year):
        raise ValidationError(
            _("NIK digits 7 to 12 must be a date of birth (DDMMYY, day + 40 for women)."),
            code="nik_date",
        )
    serial = nik[12:]
    if serial == "0000":
        raise ValidationError(_("NIK cannot end in serial number 0000."), code="nik_serial")
    return NikParts(province, real_day, month, year, is_female, serial)


def nik_mismatches(parts: NikParts, *, is_female: bool | None, birth_date: datetime.date | None) -> list[str]:
    """Messages for where the NIK disagrees with the sex and birth date entered (none when they agree)."""
    problems = []
    if is_female is not None and parts.is_female != is_female:
        problems.append(
            _("NIK does not match the sex entered: for women the birth day in the NIK is increased by 40.")
        )
    if birth_date is not None and (parts.day, parts.month, parts.year_2digit) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        problems.append(_("NIK does not match the date of birth entered (digits 7 to 12 are DDMMYY)."))
    return problems


def build_nik(*, region_code: str, birth_date: datetime.date, is_female: bool, serial: int) -> str:
    """A NIK that agrees with the given person (for demo data and tests). `region_code` like `33.71.03`."""
    region = region_code.replace(".", "")[:6]
    day = birth_date.day + (FEMALE_DAY_OFFSET if is_female else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


# A NIK cell of an import (members, participants): ipsm.lib.spreadsheets reads the sheet, this the cell.


@dataclass(frozen=True)
class ParsedNik:
    nik: str
    # Set when the cell was a number: Excel keeps 15 significant digits, so the 16th may have become 0.
    warning: str = ""


def parse_nik_cell(value) -> ParsedNik:
    warning = ""
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError(_("NIK must be 16 digits."))
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        if digits.endswith("0"):
            raise CellError(
                _(
                    "The NIK is stored as a number, and Excel keeps only 15 digits, so its last digit may be "
                    "lost. Format the column as Text and type the NIK again (or start it with an apostrophe)."
                )
            )
        warning = _("The NIK is stored as a number; format the column as Text so Excel keeps all 16 digits.")
        value = digits
    nik = normalize_nik(value)
    if not nik:
        raise CellError(_("The NIK is missing."))
    try:
        parse_nik(nik)
    except ValidationError as error:
        raise CellError(" ".join(error.messages)) from error
    return ParsedNik(nik, warning)
