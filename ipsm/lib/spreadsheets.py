"""Reading the spreadsheets that offices really keep: XLSX or CSV, one row at a time, and their messy cells.

Readers stream: an XLSX sheet's XML is fed to expat a chunk at a time and a CSV is read line by line, so a
file of 100,000 rows never sits in memory as Python objects. Cell parsers turn what people type (NIK with
dots or a leading apostrophe, dates as Excel serials or dd/mm/yyyy, "Laki-laki", "0812-3456-789") into
clean values or raise CellError with an Indonesian message for the preview.

A file is never trusted about its own size. Rows, columns, unpacked bytes and seconds are counted as they
are read and checked against Limits (settings IMPORT_MAX_*), the same for every kind of import and for
both the browser and the commands: a 5 KB workbook can claim 16,384 columns in its <dimension> (which
openpyxl's read-only mode believes) or inflate to gigabytes of XML.
"""

import codecs
import csv
import datetime
import io
import re
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any
from xml.parsers import expat

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.workbook import Workbook
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

EXCEL_EPOCH = datetime.date(
    1899, 12, 30
)  # serial day 0 in Excel's 1900 date system (its 1900 leap bug included)


class FileRefused(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no recognised header, over a limit, ...)."""


class CellError(Exception):
    """One cell cannot be understood; the message is shown next to the row and column in the preview."""


# Limits: what one import may read, counted as it is read.


@dataclass(frozen=True)
class Limits:
    rows: int  # data rows below the header; blank rows are not counted
    columns: int  # a value in a column past this refuses the file
    uncompressed_bytes: int  # XML inflated from an XLSX (declared and counted), or a CSV's own bytes
    seconds: int
    # time.monotonic() past which reading stops; None when writing a file that passed its check, which
    # must then import every row however long the database takes.
    deadline: float | None

    @classmethod
    def from_settings(cls, *, timed: bool = True) -> "Limits":
        seconds = settings.IMPORT_MAX_SECONDS
        return cls(
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            seconds=seconds,
            deadline=time.monotonic() + seconds if timed else None,
        )

    def over_rows(self) -> FileRefused:
        return FileRefused(
            _("The file is over the limit of %(max)s data rows; split it into smaller files.")
            % {"max": number_format(self.rows, force_grouping=True)}
        )

    def over_columns(self, row: int) -> FileRefused:
        return FileRefused(
            _("The file is over the limit of %(max)s columns (row %(row)s); remove the extra columns.")
            % {"max": self.columns, "row": number_format(row, force_grouping=True)}
        )

    def over_size(self) -> FileRefused:
        return FileRefused(
            _("The file is over the limit of %(size)s once unpacked; split it into smaller files.")
            % {"size": filesizeformat(self.uncompressed_bytes)}
        )

    def over_time(self) -> FileRefused:
        return FileRefused(
            _(
                "The file is over the time limit for checking (%(seconds)s seconds); split it into "
                "smaller files."
            )
            % {"seconds": self.seconds}
        )


@dataclass
class Reading:
    """What reading one file has cost so far, checked against its limits each time it grows."""

    limits: Limits
    rows: int = 0  # data rows read below the header (blank rows are skipped, not counted)
    cells: int = 0  # cells read, blank or not
    uncompressed_bytes: int = 0

    def add_bytes(self, size: int) -> None:
        self.uncompressed_bytes += size
        if self.uncompressed_bytes > self.limits.uncompressed_bytes:
            raise self.limits.over_size()
        self.check_time()

    def check_time(self) -> None:
        if self.limits.deadline is not None and time.monotonic() >= self.limits.deadline:
            raise self.limits.over_time()

    def trimmed(self, number: int, values: Sequence) -> tuple:
        """A row's values up to its last filled cell; a filled cell past the column limit refuses the file."""
        self.cells += len(values)
        last = len(values)
        while last and is_blank(values[last - 1]):
            last -= 1
        if last > self.limits.columns:
            raise self.limits.over_columns(number)
        return tuple(values[:last])

    def data_rows(self, rows: Iterator[tuple[int, tuple]]) -> Iterator[tuple[int, tuple]]:
        for number, values in rows:
            self.check_time()
            if is_blank_row(values):
                continue
            self.rows += 1
            if self.rows > self.limits.rows:
                raise self.limits.over_rows()
            yield number, values


@dataclass
class Sheet:
    """A spreadsheet's header (row 1) and an iterator over the rows below it, numbered as Excel shows them."""

    header: list[str]
    rows: Iterator[tuple[int, tuple]]
    # Rows below the header as the file declares them, at most the row limit: for progress only.
    row_count: int | None
    reading: Reading


def open_sheet(content: bytes, file_name: str, limits: Limits | None = None) -> Sheet:
    reading = Reading(limits or Limits.from_settings())
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        return _open_xlsx(content, reading)
    if file_name.lower().endswith((".csv", ".txt")):
        return _open_csv(content, reading)
    raise FileRefused(_("Only .xlsx and .csv files can be imported; save the file in one of those formats."))


# XLSX: openpyxl reads the workbook's small parts (which sheet is first, which styles are dates); its
# shared strings and the first sheet's rows are streamed here, so only cells that are there cost anything.

_CHUNK = 64 * 1024
_NS = SHEET_MAIN_NS + " "  # expat joins a namespace and a name with the separator given below
_ROW, _CELL, _VALUE, _INLINE, _RUN, _TEXT, _SHARED = (
    _NS + name for name in ("row", "c", "v", "is", "r", "t", "si")
)
_DIMENSION = _NS + "dimension"
EXCEL_MAX_ROW = 1_048_576


class _CountedMember:
    """A zip member whose inflated bytes are added to the file's Reading as they are read: the sizes a
    zip declares are checked first, and this stops reading whatever they said."""

    def __init__(self, member, reading: Reading) -> None:
        self.member = member
        self.reading = reading

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_CHUNK), b""))
        data = self.member.read(size)
        self.reading.add_bytes(len(data))
        return data

    def close(self) -> None:
        self.member.close()

    def __enter__(self) -> "_CountedMember":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class _CountedZipFile(zipfile.ZipFile):
    def __init__(self, content: bytes, reading: Reading) -> None:
        super().__init__(io.BytesIO(content))
        self.reading = reading
        if sum(info.file_size for info in self.infolist()) > reading.limits.uncompressed_bytes:
            raise reading.limits.over_size()

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):  # ZipFile.read() comes here too
        member = super().open(name, mode, pwd, force_zip64=force_zip64)
        return _CountedMember(member, self.reading) if mode == "r" else member


class _WorkbookParts(ExcelReader):
    """openpyxl's reading of the content types, the workbook and the styles, from the counted zip."""

    def __init__(self, archive: _CountedZipFile) -> None:
        # Not ExcelReader.__init__: it opens the bytes again in a zip that counts nothing. These are the
        # attributes read_manifest and read_workbook use (openpyxl 3.1).
        self.archive = archive
        self.valid_files = archive.namelist()
        self.read_only = True
        self.keep_vba = False
        self.data_only = True
        self.keep_links = False  # external links hold cached copies of other workbooks
        self.rich_text = False
        self.shared_strings = []
        self.read_manifest()
        self.read_workbook()
        apply_stylesheet(archive, self.wb)

    def shared_strings_path(self) -> str | None:
        part = self.package.find(SHARED_STRINGS)
        return part.PartName[1:] if part is not None else None

    def first_sheet_path(self) -> str:
        # As openpyxl's workbook.worksheets[0]: chart sheets and sheets without their part are skipped.
        for _sheet, relation in self.parser.find_sheets():
            if relation.target in self.valid_files and "chartsheet" not in relation.Type:
                return relation.target
        raise ValueError("the workbook has no worksheet")


class _XmlStream:
    """A zip member fed to expat a chunk at a time; subclasses act on elements (names are
    "namespace name"). A document type declaration is refused: no workbook has one, and entities are
    the way an XML file grows past its bytes."""

    def __init__(self, source: _CountedMember, reading: Reading) -> None:
        self.source = source
        self.reading = reading
        self.path: list[str] = []  # the open elements
        self.text: list[str] | None = None  # the text being collected, if any
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        parser.StartDoctypeDeclHandler = self._doctype
        self.parser = parser

    def feed(self) -> bool:
        """Parse the next chunk; False once the member has been read to its end."""
        chunk = self.source.read(_CHUNK)
        self.parser.Parse(chunk, not chunk)
        return bool(chunk)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        self.path.append(name)
        self.start(name, attributes)

    def _end(self, name: str) -> None:
        self.path.pop()
        self.end(name)

    def _data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def _doctype(self, *args) -> None:
        raise ValueError("a document type declaration in a workbook part")

    def in_string(self, root: str) -> bool:
        """Whether a <t> just opened is text of a string (<si> or <is>): plain or in a rich-text run,
        not a phonetic reading."""
        parents = self.path[-3:-1]
        return parents[-1:] == [root] or parents == [root, _RUN]

    def start(self, name: str, attributes: dict[str, str]) -> None:
        raise NotImplementedError

    def end(self, name: str) -> None:
        raise NotImplementedError


class _SharedStrings(_XmlStream):
    def read(self) -> list[str]:
        self.strings: list[str] = []
        self.parts: list[str] = []
        while self.feed():
            pass
        return self.strings

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _SHARED:
            self.parts = []
        elif name == _TEXT and self.in_string(_SHARED):
            self.text = self.parts

    def end(self, name: str) -> None:
        if name == _TEXT:
            self.text = None
        elif name == _SHARED:
            # As openpyxl: "_x005F_" is Excel's escape of an underscore before "x0000_"-like text.
            self.strings.append("".join(self.parts).replace("x005F_", ""))
            self.reading.check_time()


class _SheetRows(_XmlStream):
    """The rows of a worksheet, each a tuple up to its last filled cell. A cell is placed by its own
    reference, so rows and columns that are not in the file are never made up."""

    def __init__(self, source: _CountedMember, reading: Reading, strings: list[str], workbook: Workbook):
        super().__init__(source, reading)
        self.strings = strings
        self.date_styles = workbook._date_formats
        self.duration_styles = workbook._timedelta_formats
        self.epoch = workbook.epoch
        self.declared_rows: int | None = None
        self.ready: list[tuple[int, tuple]] = []
        self.row_number = 0
        self.column = 0
        self.cells: dict[int, Any] = {}
        self.kind = "n"
        self.style = 0
        self.value: list[str] | None = None
        self.inline: list[str] | None = None

    def rows(self) -> Iterator[tuple[int, tuple]]:
        more = True
        while more:
            more = self.feed()
            ready, self.ready = self.ready, []
            yield from ready

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _CELL:
            reference = attributes.get("r")
            self.column = _column_of(reference) if reference else self.column + 1
            self.kind = attributes.get("t", "n")
            self.style = int(attributes.get("s") or 0)
            self.value = self.inline = None
            self.reading.cells += 1
        elif name == _VALUE and self.path[-2:-1] == [_CELL]:
            self.text = self.value = []
        elif name == _INLINE and self.path[-2:-1] == [_CELL]:
            self.inline = []
        elif name == _TEXT and self.inline is not None and self.in_string(_INLINE):
            self.text = self.inline
        elif name == _ROW:
            number = attributes.get("r")
            self.row_number = int(number) if number else self.row_number + 1
            if not 1 <= self.row_number <= EXCEL_MAX_ROW:
                raise ValueError(f"row number {self.row_number}")
            self.column = 0
            self.cells = {}
        elif name == _DIMENSION:
            self.declared_rows = _last_row(attributes.get("ref", ""))

    def end(self, name: str) -> None:
        if name in (_VALUE, _TEXT):
            self.text = None
        elif name == _CELL:
            value = self._cell_value()
            if not is_blank(value):
                if self.column > self.reading.limits.columns:
                    raise self.reading.limits.over_columns(self.row_number)
                self.cells[self.column] = value
        elif name == _ROW and self.cells:  # a row without a filled cell is blank: skipped here
            self.ready.append(
                (self.row_number, tuple(self.cells.get(n) for n in range(1, max(self.cells) + 1)))
            )

    def _cell_value(self) -> Any:
        """The cell's value as openpyxl gives it with data_only=True (a formula's last result)."""
        if self.kind == "inlineStr":
            return "".join(self.inline) if self.inline is not None else None
        text = "".join(self.value) if self.value else None
        if not text:
            return None
        if self.kind == "n":
            number = float(text) if any(char in text for char in ".eE") else int(text)
            if self.style not in self.date_styles:
                return number
            try:
                return from_excel(number, self.epoch, timedelta=self.style in self.duration_styles)
            except (OverflowError, ValueError):
                return "#VALUE!"  # as openpyxl: a date cell outside the calendar
        if self.kind == "s":
            return self.strings[int(text)]
        if self.kind == "b":
            return bool(int(text))
        if self.kind == "d":
            return from_ISO8601(text)
        return text  # "str" (a formula's text) and "e" (#N/A, ...)


_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?[0-9]+")


def _column_of(reference: str) -> int:
    match = _REFERENCE.fullmatch(reference)
    if match is None:
        raise ValueError(f"cell reference {reference!r}")
    return column_index_from_string(match[1].upper())


def _last_row(reference: str) -> int | None:
    match = re.search(r"([0-9]+)$", reference)
    return int(match[1]) if match else None


def _open_xlsx(content: bytes, reading: Reading) -> Sheet:
    unreadable = _("The file cannot be read as an Excel workbook (.xlsx).")
    try:
        archive = _CountedZipFile(content, reading)
        parts = _WorkbookParts(archive)
        strings_path = parts.shared_strings_path()
        strings = _SharedStrings(archive.open(strings_path), reading).read() if strings_path else []
        sheet = _SheetRows(archive.open(parts.first_sheet_path()), reading, strings, parts.wb)
        rows = sheet.rows()
        first = next(rows, None)
    except FileRefused:
        raise
    except Exception as error:  # not a zip, or a damaged workbook: openpyxl and expat fail with whatever
        raise FileRefused(unreadable) from error
    if first is None:
        raise FileRefused(_("The first sheet of the workbook is empty."))
    number, values = first
    if number != 1:  # row 1 is blank: no header, and the row read is the first of the data
        rows, values = chain([first], rows), ()
    row_count = None
    if sheet.declared_rows is not None:
        row_count = max(0, min(sheet.declared_rows - 1, reading.limits.rows))
    return Sheet(
        header=[_header_text(value) for value in values],
        rows=_refuse_on_error(reading.data_rows(rows), unreadable),
        row_count=row_count,
        reading=reading,
    )


# CSV

# Quoted text may hold the delimiter (an address with commas), so this only stops a line of millions of
# separators before the csv module makes a list of it; the column limit is checked on every parsed row.
_DELIMITERS_PER_COLUMN = 20


def _open_csv(content: bytes, reading: Reading) -> Sheet:
    reading.add_bytes(len(content))  # a CSV is its own unpacked size
    text = _decode(content)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # one column, or nothing to sniff: commas
    # newline="": line breaks inside quoted cells stay in the cell, and old Mac files end lines with \r only.
    lines = _guarded_lines(io.StringIO(text, newline=""), dialect.delimiter, reading)
    reader = csv.reader(lines, dialect)
    unreadable = _("The file cannot be read as CSV.")
    try:
        first = next(reader, None)
    except csv.Error as error:
        raise FileRefused(unreadable) from error
    if first is None:
        raise FileRefused(_("The file is empty."))
    header = reading.trimmed(reader.line_num, first)
    rows = ((reader.line_num, reading.trimmed(reader.line_num, row)) for row in reader)
    return Sheet(
        header=[_header_text(value) for value in header],
        rows=_refuse_on_error(reading.data_rows(rows), unreadable),
        row_count=min(text.count("\n") or text.count("\r"), reading.limits.rows),
        reading=reading,
    )


def _guarded_lines(lines: Iterator[str], delimiter: str, reading: Reading) -> Iterator[str]:
    most = reading.limits.columns * _DELIMITERS_PER_COLUMN
    for number, line in enumerate(lines, start=1):
        if line.count(delimiter) > most:
            raise reading.limits.over_columns(number)
        yield line


def _refuse_on_error(rows: Iterator[tuple[int, tuple]], message: str) -> Iterator[tuple[int, tuple]]:
    """Rows are read as the import goes: a file damaged further down is refused like one damaged on top."""
    try:
        yield from rows
    except FileRefused:
        raise  # a limit, with its own message
    except Exception as error:
        raise FileRefused(message) from error


def _decode(content: bytes) -> str:
    # Excel's "Unicode Text" is UTF-16 with a byte order mark; read as UTF-8 or cp1252, every other
    # character would be a NUL.
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", errors="replace")
    # Excel on Windows saves "CSV UTF-8" with a BOM, and plain "CSV" in the Windows code page.
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _header_text(value) -> str:
    # Header texts reach messages saved in PostgreSQL, which refuses NUL in text.
    return "" if value is None else strip_control_characters(str(value)).strip()


def normalise_header(text: str) -> str:
    """`No. HP` -> `no hp`, `Desa/Kelurahan` -> `desa kelurahan`, `Tgl  Lahir:` -> `tgl lahir`."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def is_blank(value) -> bool:
    return value is None or str(value).strip() == ""


def is_blank_row(values: tuple) -> bool:
    return all(is_blank(value) for value in values)


# Control characters (C0 and C1) other than tab and line breaks: nobody types them, they come from broken
# exports, and PostgreSQL refuses NUL in text, so a cell holding one is a row error at the check.
# A cell may hold tabs and line breaks (an address on two lines); a URL may not (ipsm.lib.query).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str) -> bool:
    return _CONTROL_CHARACTERS.search(text) is not None


def strip_control_characters(text: str) -> str:
    return _CONTROL_CHARACTERS.sub("", text)


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
