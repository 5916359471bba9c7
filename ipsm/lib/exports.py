"""Exports of the lists to XLSX and CSV: one code path for every list, and every export recorded.

Each list declares what it exports as an `Export` (its columns and rows) in its app's `exports.py`
(members, cases, trainings); this module writes the file and records the export in ipsm.models.ExportLog
(who took which data out, with which filters, how many rows, whether NIK were masked: UU PDP 27/2022).

Memory stays flat however many rows there are: rows come from the database through
`QuerySet.iterator(chunk_size=...)`; a CSV streams to the client as it is written, and an XLSX is written
by openpyxl's write-only mode to a temporary file (a zip cannot be streamed while it is built) and sent
from there.

CSV is UTF-8 with a byte order mark, so that Excel reads names with accents right, and comma-separated.
Cells that a spreadsheet would run as a formula are neutralised in both formats (CSV/formula injection).
"""

import csv
import datetime
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ipsm.lib.query import PAGE, PER_PAGE
from ipsm.lib.redact import redact_niks
from ipsm.models import ExportLog

XLSX, CSV = "xlsx", "csv"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
CHUNK_SIZE = 2000
# CSV lines sent to the client at once: fewer, larger writes without holding many rows.
CSV_LINES_PER_CHUNK = 500
XLSX_DATE_FORMAT = "DD/MM/YYYY"
XLSX_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
# Query parameters of a list page that shape the page, not which rows it holds.
PAGE_PARAMS = frozenset({PAGE, PER_PAGE})

# The lists that export (ExportLog.list_name) and how the export log names them.
LIST_LABELS = {
    "members": _("Members (PSM)"),
    "units": _("IPSM units"),
    "case_summary": _("Case summary"),
    "pmks_counts": _("PMKS counts"),
    "coverage": _("PSM coverage"),
    "trainings": _("Training events"),
    "participants": _("Training participants"),
    "indicators": _("Indicator report"),
    "reporting": _("PSM reporting rate"),
    "legality": _("Legality (SK of PSM, units and boards; age profile)"),
    "partners": _("Partner directory"),
    "contributions": _("Partner contributions"),
    "programmes": _("Work programme realisation"),
}

# A CSV cell starting like this would be run by a spreadsheet as a formula; "+" and "-" only when what
# follows is not a plain number, so that phone numbers (+628...) and negative figures stay as they are.
_FORMULA_START = re.compile(r"^(?:[=@\t\r]|[+-](?![\d\s.,]*$))")


@dataclass(frozen=True)
class Column:
    """One column of an export: its header (translated when the file is written) and the cell of a row."""

    header: str | Promise
    value: Callable[[Any], Any]
    width: int = 14  # XLSX column width, in characters


@dataclass
class Export:
    """What one export writes. `rows` is a QuerySet (read in chunks) or a ready sequence of small results."""

    list_name: str  # a key of LIST_LABELS
    file_stem: str  # e.g. "anggota-33.71": the file is called <stem>-<date>.<format>
    columns: Sequence[Column]
    rows: QuerySet | Sequence
    filters: dict = field(default_factory=dict)
    # False when the file carries at least one whole NIK (the export log shows it).
    nik_masked: bool = True
    sheet_title: str | Promise = ""

    def count(self) -> int:
        return self.rows.count() if isinstance(self.rows, QuerySet) else len(self.rows)

    def iter_rows(self) -> Iterator:
        if isinstance(self.rows, QuerySet):
            return self.rows.iterator(chunk_size=CHUNK_SIZE)
        return iter(self.rows)

    def file_name(self, file_format: str) -> str:
        return f"{self.file_stem}-{timezone.localdate():%Y-%m-%d}.{file_format}"


def choice_labels(choices) -> Callable[[str], str]:
    """The labels of a TextChoices class, translated once per export: get_FOO_display() would translate
    (and hash every lazy label) again on each of 100,000 rows."""
    table = {value: str(label) for value, label in choices.choices}
    return lambda value: table.get(value, value)


def clean_filters(params, keys: Iterable[str], **fixed: str) -> dict:
    """The query parameters that chose the rows, without empty values (what the export log keeps).

    `fixed` adds what the URL path chose (a region code, an event) or what the export settled on (the period).
    """
    cleaned = {}
    for key in keys:
        if key in PAGE_PARAMS:
            continue
        values = [value.strip() for value in params.getlist(key) if value.strip()]
        if values:
            cleaned[key] = values[0] if len(values) == 1 else values
    cleaned.update({key: value for key, value in fixed.items() if value})
    return cleaned


def filterset_filters(filterset, params, **fixed: str) -> dict:
    """clean_filters() for a django-filter FilterSet: only the parameters that validated, since a value the
    list page refuses (say a region outside the user's area) does not choose the rows either."""
    filterset.is_valid()
    valid = [key for key, value in filterset.form.cleaned_data.items() if value not in (None, "", [])]
    return clean_filters(params, valid, **fixed)


def export_response(export: Export, *, user, file_format: str):
    """The file of `export` in `file_format` ("xlsx" or "csv", else 404), recorded in the export log."""
    if file_format not in CONTENT_TYPES:
        raise Http404
    if file_format == XLSX:
        return _xlsx_response(export, user)
    # A CSV streams, so its rows are counted first: the log is written before the first byte is sent.
    _record(export, user, CSV, export.count())
    chunks = _csv_chunks(export, translation.get_language())
    response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES[CSV])
    response["Content-Disposition"] = content_disposition_header(True, export.file_name(CSV))
    return response


def _masked(value):
    """A filter value as the log keeps it: a NIK typed into a search is masked, as in the server log."""
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return redact_niks(value) if isinstance(value, str) else value


def _record(export: Export, user, file_format: str, row_count: int) -> ExportLog:
    return ExportLog.objects.create(
        user=user,
        list_name=export.list_name,
        file_format=file_format,
        filters={key: _masked(value) for key, value in export.filters.items()},
        row_count=row_count,
        nik_masked=export.nik_masked,
    )


# --- CSV -------------------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() hands the line back, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def _csv_chunks(export: Export, language: str) -> Iterator[str]:
    """The file in chunks of lines. A streamed body is produced after the view has returned, when the
    request's language may no longer be active, so each chunk is written in the language of the request
    (only while it is written: never across a yield)."""
    writer = csv.writer(_Echo())
    columns = export.columns
    rows = export.iter_rows()
    with translation.override(language):
        header = "\ufeff" + writer.writerow([_csv_text(str(column.header)) for column in columns])
    yield header
    while True:
        with translation.override(language):
            lines = [
                writer.writerow([_csv_value(column.value(row)) for column in columns])
                for row in islice(rows, CSV_LINES_PER_CHUNK)
            ]
        if not lines:
            return
        yield "".join(lines)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    return _csv_text(str(value))


def _csv_text(text: str) -> str:
    # A leading apostrophe makes a spreadsheet show the cell as text instead of running it.
    return f"'{text}" if _FORMULA_START.match(text) else text


# --- XLSX ------------------------------------------------------------------------------------------------


def _xlsx_response(export: Export, user) -> FileResponse:
    # Not a `with` block: FileResponse closes the file (and so deletes it) once it is sent.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        row_count = _write_xlsx(export, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    _record(export, user, XLSX, row_count)
    return FileResponse(
        file, as_attachment=True, filename=export.file_name(XLSX), content_type=CONTENT_TYPES[XLSX]
    )


def _write_xlsx(export: Export, file) -> int:
    """Write the workbook into `file`; the number of data rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(export))
    # Column widths and the frozen header must be set before the first row in write-only mode.
    for index, column in enumerate(export.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in export.columns:
        cell = WriteOnlyCell(sheet, value=_xlsx_text(str(column.header)))
        cell.font = bold
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    row_count = 0
    for row in export.iter_rows():
        sheet.append([_xlsx_cell(sheet, column.value(row)) for column in export.columns])
        row_count += 1
    workbook.save(file)
    return row_count


def _sheet_title(export: Export) -> str:
    title = str(export.sheet_title or LIST_LABELS.get(export.list_name, export.list_name))
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]


def _xlsx_cell(sheet, value: Any) -> Any:
    """A plain value for openpyxl, or a cell where the value needs a format or must stay text."""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if value is None or isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=_local(value).replace(tzinfo=None))
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    text = _xlsx_text(str(value))
    if text.startswith("="):
        # openpyxl stores a string starting with "=" as a formula; keep it text.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def _xlsx_text(text: str) -> str:
    # Control characters are not allowed in the XML of a workbook (openpyxl would refuse the value).
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value
