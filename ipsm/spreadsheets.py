"""Reading the spreadsheets that offices really keep: XLSX or CSV, one row at a time, and their messy cells.

Readers stream: an XLSX sheet is read with openpyxl's read-only mode and a CSV line by line, so a file of
100,000 rows never sits in memory as Python objects. Cell parsers turn what people type (NIK with dots or
a leading apostrophe, dates as Excel serials or dd/mm/yyyy, "Laki-laki", "0812-3456-789") into clean values
or raise CellError with an Indonesian message for the preview.
"""

import csv
import datetime
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from members.nik import normalize_nik, parse_nik
from members.phone import normalize_phone

EXCEL_EPOCH = datetime.date(
    1899, 12, 30
)  # serial day 0 in Excel's 1900 date system (its 1900 leap bug included)


class FileRefused(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no recognised header, ...)."""


class CellError(Exception):
    """One cell cannot be understood; the message is shown next to the row and column in the preview."""


@dataclass
class Sheet:
    """A spreadsheet's header (row 1) and an iterator over the rows below it, numbered as Excel shows them."""

    header: list[str]
    rows: Iterator[tuple[int, tuple]]
    # Rows below the header, as the file declares them (for progress); None when unknown.
    row_count: int | None


def open_sheet(content: bytes, file_name: str) -> Sheet:
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        return _open_xlsx(content)
    if file_name.lower().endswith((".csv", ".txt")):
        return _open_csv(content)
    raise FileRefused(_("Only .xlsx and .csv files can be imported; save the file in one of those formats."))


def _open_xlsx(content: bytes) -> Sheet:
    unreadable = _("The file cannot be read as an Excel workbook (.xlsx).")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # Read-only sheets yield every row, blank ones included, so the count below is Excel's row number.
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        first = next(rows, None)
        row_count = sheet.max_row - 1 if sheet.max_row else None
    except Exception as error:  # not a zip, or a damaged workbook: openpyxl fails with whatever it meets
        raise FileRefused(unreadable) from error
    if first is None:
        raise FileRefused(_("The first sheet of the workbook is empty."))
    header = [_header_text(value) for value in first[1]]
    return Sheet(header=header, rows=_refuse_on_error(rows, unreadable), row_count=row_count)


def _open_csv(content: bytes) -> Sheet:
    text = _decode(content)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # one column, or nothing to sniff: commas
    # newline="": line breaks inside quoted cells stay in the cell, and old Mac files end lines with \r only.
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    unreadable = _("The file cannot be read as CSV.")
    try:
        first = next(reader, None)
    except csv.Error as error:
        raise FileRefused(unreadable) from error
    if first is None:
        raise FileRefused(_("The file is empty."))
    rows = _refuse_on_error(((reader.line_num, tuple(row)) for row in reader), unreadable)
    return Sheet(
        header=[_header_text(value) for value in first],
        rows=rows,
        row_count=text.count("\n") or text.count("\r"),
    )


def _refuse_on_error(rows: Iterator[tuple[int, tuple]], message: str) -> Iterator[tuple[int, tuple]]:
    """Rows are read as the import goes: a file damaged further down is refused like one damaged on top."""
    try:
        yield from rows
    except Exception as error:
        raise FileRefused(message) from error


def _decode(content: bytes) -> str:
    # Excel on Windows saves "CSV UTF-8" with a BOM, and plain "CSV" in the Windows code page.
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _header_text(value) -> str:
    return "" if value is None else str(value).strip()


def normalise_header(text: str) -> str:
    """`No. HP` -> `no hp`, `Desa/Kelurahan` -> `desa kelurahan`, `Tgl  Lahir:` -> `tgl lahir`."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def is_blank_row(values: tuple) -> bool:
    return all(value is None or str(value).strip() == "" for value in values)


# Cell parsers: each takes a raw cell (str, int, float, datetime or None) and returns a clean value.


def parse_text(value, *, max_length: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # "5" not "5.0" for an RT typed as a number
    text = " ".join(str(value).split())
    if max_length and len(text) > max_length:
        raise CellError(_("Too long: at most %(max)d characters.") % {"max": max_length})
    return text


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


_DATE_PATTERNS = [
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("year", "month", "day")),  # ISO
    (re.compile(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})"), ("day", "month", "year")),  # dd/mm/yyyy, d-m-yyyy
]


def parse_date(value) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date cell Excel did not format as a date: the serial number of days since 1899-12-30.
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(_("Not a date: %(value)s.") % {"value": value})
    text = str(value).strip()
    text = text.split(" ")[0] if re.fullmatch(r"\S+ 00:00(:00)?", text) else text  # "1980-05-17 00:00:00"
    for pattern, order in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, map(int, match.groups()), strict=True))
            try:
                return datetime.date(parts["year"], parts["month"], parts["day"])
            except ValueError:
                break
    raise CellError(
        _("Date not understood: “%(value)s”. Write it as dd/mm/yyyy, for example 17/08/1980.")
        % {"value": text}
    )


_SEXES = {
    "l": "L",
    "lk": "L",
    "laki": "L",
    "laki laki": "L",
    "lakilaki": "L",
    "pria": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
    "w": "P",
}


def parse_sex(value) -> str:
    key = normalise_header(parse_text(value))
    if not key:
        return ""
    if key not in _SEXES:
        raise CellError(_("Sex not understood: write L or P (Laki-laki or Perempuan)."))
    return _SEXES[key]


def parse_phone(value) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        # A number cell has lost the leading 0 of 0812...: 812... becomes 0812..., 62812... stays.
        digits = str(int(value))
        value = digits if digits.startswith("62") else "0" + digits
    try:
        return normalize_phone(value)
    except ValidationError as error:
        raise CellError(" ".join(error.messages)) from error


# The largest figure the database keeps in a PositiveIntegerField.
MAX_COUNT = 2_147_483_647


def parse_count(value) -> int | None:
    """A whole number of at least 0; blank stays None. Accepts `1.234` (Indonesian thousands) and `1,234`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("Must be a whole number."))
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        text = str(value).strip().replace(" ", "")
        if re.fullmatch(r"[0-9]{1,3}([.,][0-9]{3})+", text):
            text = re.sub(r"[.,]", "", text)
        # ASCII only: isdigit() also takes "²" (which int() refuses) and other scripts' digits.
        if not (text.isascii() and text.isdigit()):
            raise CellError(_("Must be a whole number."))
        number = int(text)
    if number < 0:
        raise CellError(_("Cannot be negative."))
    if number > MAX_COUNT:
        raise CellError(_("Too large a number."))
    return number


def parse_score(value) -> int | None:
    number = parse_count(value)
    if number is not None and number > 100:
        raise CellError(_("A test score runs from 0 to 100."))
    return number
