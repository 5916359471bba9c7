"""One import engine for every kind of spreadsheet, with two doors: the web (upload -> preview -> confirm,
run by the task worker) and management commands for large files and administrators.

An importer (members.importers, cases.importers, trainings.importers) declares its columns and checks and
writes a batch of rows at a time. The engine reads the sheet row by row, hands over batches of BATCH_SIZE,
and keeps only counts and per-row outcomes, so memory stays flat however long the file is. Importing is all
or nothing: every batch is written inside one transaction, and the first error anywhere rolls it all back.
"""

import io
import logging
import resource
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ipsm.lib.redact import redact_niks
from ipsm.lib.spreadsheets import (
    CellError,
    FileRefused,
    Limits,
    has_control_characters,
    is_blank_row,
    normalise_header,
    open_sheet,
    strip_control_characters,
)
from ipsm.models import ImportJob, ImportRow, ImportStatus, RowOutcome

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# A message quoting a cell (a date not understood, a kelurahan not found) quotes at most this much of it:
# a cell may hold 32,767 characters, and each row's problems are stored for the preview.
MAX_MESSAGE_LENGTH = 500


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in the downloadable template
    aliases: tuple[str, ...] = ()  # other headers people use, compared after normalise_header
    required: bool = False  # the header must be there
    note: str = ""  # what to write, for the template's notes

    def matches(self, header: str) -> bool:
        wanted = {normalise_header(self.header), *(normalise_header(alias) for alias in self.aliases)}
        return normalise_header(header) in wanted


@dataclass
class Row:
    number: int  # as Excel shows it: the header is row 1
    cells: dict[str, Any]  # raw cell values by column key (only the columns present in the file)
    label: str = ""
    outcome: str = ""
    problems: list[dict] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    payload: Any = None  # what the importer will write

    def error(self, column: Column | None, message) -> None:
        self.problems.append({"column": column.header if column else "", "message": _shortened(message)})
        self.outcome = RowOutcome.ERROR

    def warn(self, column: Column | None, message) -> None:
        self.problems.append(
            {"column": column.header if column else "", "message": _shortened(message), "warning": 1}
        )

    @property
    def has_error(self) -> bool:
        return self.outcome == RowOutcome.ERROR

    def parse(self, column: Column, parser: Callable, **kwargs):
        """The parsed cell, or None after recording the cell's error on the row."""
        try:
            return parser(self.cells.get(column.key), **kwargs)
        except CellError as error:
            self.error(column, error)
            return None

    def refuse_control_characters(self, columns: dict[str, Column]) -> None:
        """A cell holding NUL or another control character is an error of its row, found at the check
        (PostgreSQL refuses NUL in text: it would otherwise fail at the import). The cell is cleaned so
        that the row's other checks, and their messages, see text that can be stored."""
        for key, value in self.cells.items():
            if isinstance(value, str) and has_control_characters(value):
                self.error(
                    columns[key],
                    _(
                        "Invalid character: the cell holds a control character (such as NUL) that cannot be "
                        "saved; delete it and upload the file again."
                    ),
                )
                self.cells[key] = strip_control_characters(value)


def _shortened(message) -> str:
    """A problem as the preview stores it: masked where it quotes a NIK, at most MAX_MESSAGE_LENGTH long."""
    text = redact_niks(str(message))
    return text if len(text) <= MAX_MESSAGE_LENGTH else text[: MAX_MESSAGE_LENGTH - 1] + "…"


# Which importer serves which kind of import (ipsm.models.ImportKind): each app registers its own in its
# AppConfig.ready(), so this engine never names the apps.
_IMPORTERS: dict[str, type["Importer"]] = {}


def register_importer(importer: type["Importer"]) -> None:
    _IMPORTERS[importer.kind] = importer


def importer_class(kind: str) -> type["Importer"]:
    return _IMPORTERS[kind]


class Importer:
    """Subclasses declare `kind`, `columns`, and implement check_batch (and write_batch)."""

    kind: str
    columns: list[Column]
    permission: str  # needed to import this kind, on top of the scope
    # Template file name and example rows for the downloadable template.
    template_name: str = "template"
    example_rows: list[list] = []

    def __init__(self, *, user, options: dict | None = None):
        # The command line may run without a user: an administrator on the server, who sees everything.
        self.user = user
        self.options = options or {}
        self.mapping: dict[str, int] = {}

    @classmethod
    def template_columns(cls, user) -> list[Column]:
        return cls.columns

    def required_columns(self) -> list[Column]:
        return [column for column in self.columns if column.required]

    def map_header(self, header: list[str]) -> None:
        mapping = {}
        for index, text in enumerate(header):
            if not text:
                continue
            column = next((column for column in self.columns if column.matches(text)), None)
            if column is None:
                continue  # extra columns (No., Keterangan, ...) are ignored
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
        missing = [column.header for column in self.required_columns() if column.key not in mapping]
        if missing:
            raise FileRefused(
                _("Row 1 must hold the column names; missing: %(columns)s. Download the template to compare.")
                % {"columns": ", ".join(missing)}
            )
        self.mapping = mapping

    def row(self, number: int, values: tuple) -> Row:
        cells = {key: values[index] if index < len(values) else None for key, index in self.mapping.items()}
        return Row(number=number, cells=cells)

    def check_batch(self, rows: list[Row]) -> None:
        """Give each row its outcome (new, updated, unchanged, error), label, problems and payload."""
        raise NotImplementedError

    def write_batch(self, rows: list[Row]) -> None:
        """Write the new and updated rows of a batch that has no error."""
        raise NotImplementedError


@dataclass
class Summary:
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RowOutcome.values, 0))

    @property
    def errors(self) -> int:
        return self.counts[RowOutcome.ERROR]


class ImportRefused(Exception):
    """Raised inside the import transaction so that nothing is kept when any row has an error."""

    def __init__(self, summary: Summary):
        super().__init__(f"{summary.errors} rows with errors")
        self.summary = summary


def _batches(rows: Iterator[tuple[int, tuple]], size: int) -> Iterator[list[tuple[int, tuple]]]:
    while batch := list(islice(rows, size)):
        yield batch


def process(
    importer: Importer,
    content: bytes,
    file_name: str,
    *,
    write: bool,
    on_batch: Callable[[list[Row], Summary], None] = lambda rows, summary: None,
    on_start: Callable[[int | None], None] = lambda total: None,
) -> Summary:
    """Check (and with `write`, import) a file; FileRefused when it cannot be read at all, or when it is
    over one of the import limits (ipsm.lib.spreadsheets.Limits: rows, columns, unpacked size, and the time
    to check it; a file being written after its check is not timed).

    With `write`, call inside a transaction: batches are written while no error has been seen, and
    ImportRefused is raised at the end if any row had one, after every row was checked and reported.
    """
    sheet = open_sheet(content, file_name, Limits.from_settings(timed=not write))
    importer.map_header(sheet.header)
    columns = _mapped_columns(importer, sheet.header)
    on_start(sheet.row_count)
    summary = Summary()
    rows = ((number, values) for number, values in sheet.rows if not is_blank_row(values))
    for batch in _batches(rows, BATCH_SIZE):
        parsed = [importer.row(number, values) for number, values in batch]
        for row in parsed:
            row.refuse_control_characters(columns)
        importer.check_batch(parsed)
        for row in parsed:
            if any(not problem.get("warning") for problem in row.problems):
                row.outcome = RowOutcome.ERROR  # whatever the importer decided after recording the error
            summary.counts[row.outcome] += 1
        summary.total += len(parsed)
        if write and not summary.errors:
            importer.write_batch(parsed)
        on_batch(parsed, summary)
    if summary.total == 0:
        raise FileRefused(_("The file has no rows below the header."))
    if write and summary.errors:
        raise ImportRefused(summary)
    return summary


def _mapped_columns(importer: Importer, header: list[str]) -> dict[str, Column]:
    """Every column the importer reads, by key, to name it in a message: as declared, or as row 1 writes
    it for the columns an importer makes from the header (PMKS categories, training days)."""
    declared = {column.key: column for column in importer.columns}
    return {key: declared.get(key) or Column(key, header[index]) for key, index in importer.mapping.items()}


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: columns as Excel names them."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# Jobs: the web door. The task worker calls check_job and import_job (ipsm.lib.tasks).


def _save_progress(job: ImportJob, **fields) -> None:
    # Through a second connection, outside the import's transaction, so the browser sees it move.
    ImportJob.objects.using(settings.IMPORT_PROGRESS_DATABASE).filter(pk=job.pk).update(**fields)


class _Preview:
    """Stores the check's rows as ImportRows for the preview: at most IMPORT_MAX_LISTED_ROWS of each
    outcome, in file order; the others are only counted (ImportJob.unlisted_rows). A file of 100,000 bad
    or identical rows is then a page of examples and a count, not 100,000 records. Nothing else needs the
    rows: confirming reads the file again and imports every row."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.most = settings.IMPORT_MAX_LISTED_ROWS
        self.listed = dict.fromkeys(RowOutcome.values, 0)
        self.unlisted = dict.fromkeys(RowOutcome.values, 0)

    def __call__(self, rows: list[Row], summary: Summary) -> None:
        kept = []
        for row in rows:
            if self.listed[row.outcome] < self.most:
                self.listed[row.outcome] += 1
                kept.append(
                    ImportRow(
                        job=self.job,
                        row_number=row.number,
                        outcome=row.outcome,
                        label=row.label[:255],
                        problems=row.problems,
                        changes=row.changes,
                    )
                )
            else:
                self.unlisted[row.outcome] += 1
        ImportRow.objects.bulk_create(kept)
        _save_progress(self.job, processed_rows=summary.total)

    def unlisted_rows(self) -> dict[str, int]:
        return {outcome: count for outcome, count in self.unlisted.items() if count}


def _finish(job: ImportJob, status: str, summary: Summary | None = None, message: str = "", **fields) -> None:
    job.status = status
    job.message = message
    if summary is not None:
        job.processed_rows = summary.total
        job.new_rows = summary.counts[RowOutcome.NEW]
        job.updated_rows = summary.counts[RowOutcome.UPDATED]
        job.unchanged_rows = summary.counts[RowOutcome.UNCHANGED]
        job.error_rows = summary.errors
    if status in (ImportStatus.REFUSED, ImportStatus.DONE, ImportStatus.FAILED):
        job.content = b""  # the file is not kept once it is of no more use
        job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.save()


def importer_for(job: ImportJob) -> Importer:
    return importer_class(job.kind)(user=job.user, options={**job.options, "file_name": job.file_name})


def check_job(job: ImportJob) -> None:
    """The preview: rows' outcomes stored as ImportRows (a few hundred of each at most, the rest counted);
    nothing else is written. A file refused as a whole keeps no rows."""
    job.rows.all().delete()
    _finish(job, ImportStatus.CHECKING, processed_rows=0, unlisted_rows={})
    preview = _Preview(job)
    try:
        summary = process(
            importer_for(job),
            bytes(job.content),
            job.file_name,
            write=False,
            on_start=lambda total: _save_progress(job, total_rows=total),
            on_batch=preview,
        )
    except FileRefused as refusal:
        job.rows.all().delete()  # the rows of the batches checked before the refusal
        _finish(job, ImportStatus.REFUSED, message=str(refusal))
        return
    except Exception:
        logger.exception("Import %s could not be checked", job.pk)
        job.rows.all().delete()
        _finish(
            job, ImportStatus.FAILED, message=_("The file could not be checked because of an internal error.")
        )
        return
    job.refresh_from_db(fields=["total_rows"])
    status = ImportStatus.REFUSED if summary.errors else ImportStatus.CHECKED
    _finish(
        job,
        status,
        summary,
        checked_at=timezone.now(),
        total_rows=summary.total,
        unlisted_rows=preview.unlisted_rows(),
    )


def import_job(job: ImportJob) -> None:
    """Write the checked file in one transaction; if the data changed since the check, refuse it all."""
    _finish(job, ImportStatus.IMPORTING, processed_rows=0)
    try:
        with transaction.atomic():
            summary = process(
                importer_for(job),
                bytes(job.content),
                job.file_name,
                write=True,
                on_batch=lambda rows, summary: _save_progress(job, processed_rows=summary.total),
            )
    except ImportRefused:
        # Something changed between the preview and now (e.g. a NIK registered meanwhile): show the new check.
        check_job(job)
        if job.status == ImportStatus.CHECKED:  # cannot happen unless the data changed back: be safe
            _finish(job, ImportStatus.REFUSED)
        return
    except FileRefused as refusal:
        _finish(job, ImportStatus.REFUSED, message=str(refusal))
        return
    except Exception:
        logger.exception("Import %s failed", job.pk)
        _finish(
            job,
            ImportStatus.FAILED,
            message=_("The import failed because of an internal error; nothing was saved."),
        )
        return
    _finish(job, ImportStatus.DONE, summary)


# Services of the web door.


def start_import(*, user, kind: str, upload, options: dict) -> ImportJob:
    """Keep the uploaded file and queue its check (the preview)."""
    from ipsm.lib.tasks import check_import

    # The worker writes the preview's messages in the language of the person who uploaded the file.
    options = {**options, "language": translation.get_language()}
    job = ImportJob.objects.create(
        # The name is shown in the activity log: a NIK in it is kept masked.
        kind=kind,
        user=user,
        file_name=redact_niks(upload.name)[:255],
        content=upload.read(),
        options=options,
    )
    check_import.enqueue(job.pk)
    return job


def confirm_import(*, job: ImportJob) -> bool:
    """Queue the import of a checked file; False when it is not (or no longer) waiting for confirmation.

    The conditional update makes a double click, or two tabs, queue it only once.
    """
    from ipsm.lib.tasks import run_import

    if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.QUEUED
    ):
        return False
    run_import.enqueue(job.pk)
    return True


def template_workbook(importer: type[Importer], user) -> bytes:
    """The downloadable template: the columns in row 1, example rows, and a sheet of notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = importer.template_columns(user)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append([column.header for column in columns])
    for row in importer.example_rows:
        sheet.append(row)
    for index, column in enumerate(columns):
        letter = column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.header) + 4)
        sheet[f"{letter}1"].font = Font(bold=True)
        if column.key in TEXT_COLUMNS:
            # Typed as text, a NIK keeps all 16 digits and a phone number its leading 0.
            for row_number in range(1, TEMPLATE_TEXT_ROWS + 1):
                sheet.cell(row=row_number, column=index + 1).number_format = "@"
    notes = workbook.create_sheet(_("Notes"))
    notes.append([_("Column"), _("Required"), _("What to write")])
    for column in columns:
        notes.append([column.header, _("yes") if column.required else "", str(column.note)])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEXT_COLUMNS = {"nik", "phone", "kta_number", "rt", "rw", "kelurahan"}
TEMPLATE_TEXT_ROWS = 1000


# The command door: import_members, import_pmks_counts and import_participants.


class ImportCommand(BaseCommand):
    """Check (--dry-run) or import a file with the same engine as the web door, for large files and
    administrators. Without --user it acts as an administrator on the server (every region, history
    without a user); with --user it acts as that user, within their scope and permissions.
    Exits non-zero (CommandError) when the file is refused: unreadable, or any row with an error."""

    kind: str  # an ipsm.models.ImportKind

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check the file only; write nothing")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="act as this user, within their scope (recorded in the history)",
        )
        self.add_kind_arguments(parser)

    def add_kind_arguments(self, parser) -> None:
        """The kind's own options (the choices the upload form asks for)."""

    def kind_options(self, options: dict) -> dict:
        """The importer's options from the command's, as ImportUploadForm.options() gives them."""
        return {}

    def handle(self, *args, **options) -> None:
        # The office reads the report in Indonesian, as in the browser.
        with translation.override("id"):
            self._import(options)

    def _import(self, options: dict) -> None:
        path = Path(options["path"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from None
        importer_type = importer_class(self.kind)
        user = self._user(options.get("user"), importer_type.permission)
        importer = importer_type(user=user, options={**self.kind_options(options), "file_name": path.name})
        write = not options["dry_run"]
        started = time.monotonic()
        expected: dict[str, int | None] = {"total": None}

        def on_batch(rows: list[Row], summary: Summary) -> None:
            for row in rows:
                for problem in row.problems:
                    self.stdout.write(_problem_line(row, problem))
            if expected["total"]:
                progress = _("Rows processed: %(done)d of %(total)d") % {
                    "done": summary.total,
                    "total": max(expected["total"], summary.total),
                }
            else:
                progress = _("Rows processed: %(done)d") % {"done": summary.total}
            self.stderr.write(progress)

        def on_start(total: int | None) -> None:
            expected["total"] = total

        try:
            if write:
                with transaction.atomic():
                    summary = process(
                        importer, content, path.name, write=True, on_batch=on_batch, on_start=on_start
                    )
            else:
                summary = process(
                    importer, content, path.name, write=False, on_batch=on_batch, on_start=on_start
                )
        except FileRefused as refusal:
            raise CommandError(str(refusal)) from None
        except ImportRefused as refusal:
            summary = refusal.summary
        self._report(summary, time.monotonic() - started)
        if summary.errors:
            raise CommandError(
                _("The file was refused (rows with errors: %(count)d); nothing was imported.")
                % {"count": summary.errors}
            )
        if write:
            self.stdout.write(self.style.SUCCESS(_("Imported.")))
        else:
            self.stdout.write(_("Checked only (--dry-run): nothing was written."))

    def _user(self, username: str | None, permission: str):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user named %(username)s.") % {"username": username})
        if not user.has_perm(permission):
            raise CommandError(_("%(username)s may not import this kind of data.") % {"username": username})
        return user

    def _report(self, summary: Summary, seconds: float) -> None:
        self.stdout.write(
            _(
                "%(total)d rows: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(errors)d with errors."
            )
            % {
                "total": summary.total,
                "new": summary.counts[RowOutcome.NEW],
                "updated": summary.counts[RowOutcome.UPDATED],
                "unchanged": summary.counts[RowOutcome.UNCHANGED],
                "errors": summary.errors,
            }
        )
        self.stdout.write(
            _("Time: %(seconds).1f s; peak memory: %(megabytes).0f MB.")
            % {"seconds": seconds, "megabytes": _peak_memory_megabytes()}
        )


def _problem_line(row: Row, problem: dict) -> str:
    """`Baris 12, kolom NIK: ...` as the preview shows it."""
    if problem["column"]:
        where = _("Row %(row)d, column %(column)s") % {"row": row.number, "column": problem["column"]}
    else:
        where = _("Row %(row)d") % {"row": row.number}
    if problem.get("warning"):
        return _("%(where)s (warning): %(message)s") % {"where": where, "message": problem["message"]}
    return f"{where}: {problem['message']}"


def _peak_memory_megabytes() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts kilobytes, macOS bytes.
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
