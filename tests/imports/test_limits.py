"""Import limits a file cannot lie to (settings IMPORT_MAX_*: rows, columns, unpacked size, time to check),
the preview keeping a few hundred rows of each outcome, and cells PostgreSQL cannot store (NUL), through the
upload page, the commands and the engine."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.defaultfilters import filesizeformat
from django.utils import translation

from ipsm.lib.spreadsheets import FileRefused, open_sheet
from ipsm.models import ImportStatus, RowOutcome
from members.models import Member
from tests.imports.files import unpacked_size, with_sheet_xml
from tests.imports.test_member_import import (
    BUDI,
    HEADER,
    SITI,
    csv_file,
    last_job,
    nik_of,
    problems,
    upload,
    xlsx,
)

COLUMNS = "The file is over the limit of %(max)s columns (row %(row)s); remove the extra columns."
ROWS = "The file is over the limit of %(max)s data rows; split it into smaller files."
SIZE = "The file is over the limit of %(size)s once unpacked; split it into smaller files."
TIME = "The file is over the time limit for checking (%(seconds)s seconds); split it into smaller files."
CONTROL = (
    "Invalid character: the cell holds a control character (such as NUL) that cannot be saved; delete it "
    "and upload the file again."
)


def in_indonesian(message: str, **values) -> str:
    with translation.override("id"):
        return translation.gettext(message) % values if values else translation.gettext(message)


def members(count: int, *, bad_date: bool = False) -> list[list]:
    """`count` distinct PSM of Rejowinangun Utara; with `bad_date`, each with a date that does not exist."""
    births = [datetime.date(1980, 1, 1) + datetime.timedelta(days=n) for n in range(count)]
    return [
        [nik_of(born, False, n + 1), f"Anggota {n}", "L", "Magelang", "31/02/1980" if bad_date else born,
         "Jl. A", "33.71.03.1003", ""]
        for n, born in enumerate(births)
    ]  # fmt: skip


def claims_16384_columns(xml: str) -> str:
    """The sheet declares A1:XFD40000, and holds one more cell, at XFD40000."""
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD40000"/>', xml)
    return xml.replace(
        "</sheetData>", '<row r="40000"><c r="XFD40000" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )


def run_command(name: str, content: bytes, tmp_path, *args, file_name: str = "roster.xlsx") -> str:
    path = tmp_path / file_name
    path.write_bytes(content)
    out = io.StringIO()
    call_command(name, str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


# Columns: counted as the cells come, never taken from the sheet's <dimension>


def test_a_5_kb_workbook_claiming_16384_columns_is_refused_at_the_cell_past_the_limit(
    as_user, staff, unit_a, tmp_path
):
    content = with_sheet_xml(xlsx([SITI]), claims_16384_columns)
    assert len(content) < 6000
    response = upload(as_user(staff), content)
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert job.message == in_indonesian(COLUMNS, max=60, row="40.000")
    assert job.message in response.content.decode()
    assert job.message == "Berkas melebihi batas 60 kolom (baris 40.000); hapus kolom yang berlebih."
    assert not job.rows.exists() and not Member.objects.exists()
    with pytest.raises(CommandError, match="60 kolom"):
        run_command("import_members", content, tmp_path, "--dry-run")


def test_a_declared_dimension_costs_nothing_only_the_cells_there_are_read(settings):
    settings.IMPORT_MAX_ROWS = 1000
    content = with_sheet_xml(
        xlsx([SITI]),
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD40000"/>', xml),
    )
    sheet = open_sheet(content, "roster.xlsx")
    assert sheet.header == HEADER
    rows = list(sheet.rows)
    assert [number for number, _values in rows] == [2]
    assert len(rows[0][1]) == len(HEADER)  # as wide as the cells written, not 16,384
    assert (sheet.reading.rows, sheet.reading.cells) == (1, 2 * len(HEADER))
    assert sheet.row_count == 1000  # the progress bar's guess (39,999 declared), at most the limit


def test_a_csv_past_the_column_limit_is_refused(settings, as_user, staff, unit_a):
    settings.IMPORT_MAX_COLUMNS = 10
    client = as_user(staff)
    upload(client, csv_file([[*SITI, "", "", "catatan"]]), name="roster.csv")  # column 11
    assert last_job().message == in_indonesian(COLUMNS, max=10, row=2)
    upload(client, csv_file([[*SITI, *[""] * 5000]]), name="roster.csv")  # a line of separators
    assert last_job().message == in_indonesian(COLUMNS, max=10, row=2)
    upload(client, csv_file([[*SITI, "", ""]]), name="roster.csv")  # blank cells up to the limit are fine
    assert last_job().status == ImportStatus.CHECKED


# Rows: data rows counted as they are read


def test_a_highly_compressed_workbook_of_identical_rows_over_the_row_limit_is_refused(
    settings, as_user, staff, unit_a, tmp_path
):
    settings.IMPORT_MAX_ROWS = 2000
    content = xlsx([SITI] * 2001)
    assert unpacked_size(content) > 15 * len(content)  # 57 KB of zip, 1 MB of XML
    upload(as_user(staff), content)
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert job.message == in_indonesian(ROWS, max="2.000")
    assert (
        job.message
        == "Berkas melebihi batas 2.000 baris data; bagi menjadi beberapa berkas yang lebih kecil."
    )
    assert not job.rows.exists()  # the batches checked before the limit leave nothing behind
    with pytest.raises(CommandError, match="2.000 baris data"):
        run_command("import_members", content, tmp_path)
    assert not Member.objects.exists()

    # At the limit a file is checked; blank rows between the data are not counted.
    settings.IMPORT_MAX_ROWS = 2
    blank = [""] * len(HEADER)
    upload(as_user(staff), csv_file([SITI, blank, blank, BUDI, blank]), name="roster.csv")
    job = last_job()
    assert (job.status, job.new_rows, job.processed_rows) == (ImportStatus.CHECKED, 2, 2)


def test_the_other_kinds_have_the_same_limits(settings, staff, magelang, tmp_path):
    settings.IMPORT_MAX_ROWS = 1
    content = xlsx([["33.71.03.1003", 95], ["33.71.03.1002", 3]], header=["Kode Wilayah", "Fakir Miskin"])
    with pytest.raises(CommandError, match="batas 1 baris data"):
        run_command(
            "import_pmks_counts", content, tmp_path, "--period", "2023", "--source", "dtks",
            "--data-date", "2023-12-31",
        )  # fmt: skip


# Unpacked size: declared by the zip, and counted as it is inflated


def test_a_workbook_unpacking_past_the_size_limit_is_refused(settings, as_user, staff, unit_a):
    content = xlsx(members(50))
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = unpacked_size(content) - 1
    upload(as_user(staff), content)
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    with translation.override("id"):
        size = filesizeformat(settings.IMPORT_MAX_UNCOMPRESSED_BYTES)
    assert job.message == in_indonesian(SIZE, size=size)
    assert job.message.startswith("Berkas melebihi batas ukuran setelah diekstrak")

    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = unpacked_size(content)
    sheet = open_sheet(content, "roster.xlsx")
    assert sum(1 for _row in sheet.rows) == 50
    # What was really inflated is counted: the parts read, the sheet's 50 rows among them.
    assert 50 * 100 < sheet.reading.uncompressed_bytes <= unpacked_size(content)


def test_a_csv_is_its_own_unpacked_size(settings):
    content = csv_file(members(20))
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = len(content) - 1
    with pytest.raises(FileRefused, match="setelah diekstrak"):
        open_sheet(content, "roster.csv")


# Time: a budget for the check, counted as rows are read; a checked file is imported however long it takes


def test_a_file_over_the_time_limit_for_checking_is_refused_but_confirming_is_not_timed(
    settings, as_user, staff, unit_a
):
    client = as_user(staff)
    settings.IMPORT_MAX_SECONDS = 0
    upload(client, xlsx([SITI]))
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert job.message == in_indonesian(TIME, seconds=0)
    assert "batas waktu pemeriksaan" in job.message

    settings.IMPORT_MAX_SECONDS = 300
    upload(client, xlsx([SITI]))
    job = last_job()
    assert job.status == ImportStatus.CHECKED
    settings.IMPORT_MAX_SECONDS = 0
    client.post(f"/impor/berkas/{job.pk}/impor/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Member.objects.get().full_name == "Siti Rahayu"


# The preview keeps a few hundred rows of each outcome and counts the rest


def test_error_rows_past_the_listed_limit_are_counted_not_stored(settings, as_user, staff, unit_a):
    settings.IMPORT_MAX_LISTED_ROWS = 5
    client = as_user(staff)
    rows = members(12, bad_date=True) + members(20)[12:]  # 12 rows with errors, then 8 valid ones
    upload(client, csv_file(rows), name="roster.csv")
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert (job.error_rows, job.new_rows) == (12, 8)
    assert job.rows.filter(outcome=RowOutcome.ERROR).count() == 5
    assert job.rows.filter(outcome=RowOutcome.NEW).count() == 5
    assert job.unlisted_rows == {RowOutcome.ERROR: 7, RowOutcome.NEW: 3}
    page = client.get(f"/impor/berkas/{job.pk}/").content.decode()  # the errors' tab
    assert "… dan 7 baris lain dengan masalah (tidak ditampilkan di sini)." in page
    assert 'id="unlisted-rows"' not in page
    page = client.get(f"/impor/berkas/{job.pk}/?tampil=semua").content.decode()
    assert "… dan 7 baris lain dengan masalah" in page
    assert "… dan 3 baris lain tanpa kesalahan (tidak ditampilkan di sini)." in page


def test_confirm_imports_every_row_when_the_preview_lists_only_some(settings, as_user, staff, unit_a):
    settings.IMPORT_MAX_LISTED_ROWS = 5
    client = as_user(staff)
    upload(client, xlsx(members(12)))
    job = last_job()
    assert (job.status, job.new_rows) == (ImportStatus.CHECKED, 12)
    assert job.rows.count() == 5 and job.unlisted_rows == {RowOutcome.NEW: 7}
    client.post(f"/impor/berkas/{job.pk}/impor/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Member.objects.count() == 12


# Control characters: a row error at the check, never a failure at confirm


def test_a_nul_in_an_address_is_a_row_error_at_the_check(as_user, staff, unit_a, tmp_path):
    client = as_user(staff)
    siti = [*SITI[:5], "Jl. Sriwijaya\x0012", *SITI[6:]]
    content = csv_file([siti, BUDI])
    response = upload(client, content, name="roster.csv")
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert problems(job) == [(2, "Alamat", in_indonesian(CONTROL))]
    assert in_indonesian(CONTROL).startswith("Karakter tidak sah")
    assert "Karakter tidak sah" in response.content.decode()
    client.post(f"/impor/berkas/{job.pk}/impor/")  # a refused file cannot be confirmed
    job.refresh_from_db()
    assert job.status == ImportStatus.REFUSED
    assert not Member.objects.exists()

    with pytest.raises(CommandError):
        run_command("import_members", content, tmp_path, file_name="roster.csv")
    assert not Member.objects.exists()


def test_control_characters_in_any_cell_or_header_never_reach_the_database(as_user, staff, unit_a, magelang):
    client = as_user(staff)
    siti = [SITI[0], "Siti\x1bRahayu", SITI[2], SITI[3], "05/08\x00/1985", *SITI[5:]]
    upload(client, csv_file([siti]), name="roster.csv")
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert [(row, column) for row, column, _message in problems(job)] == [
        (2, "Nama Lengkap"),
        (2, "Tanggal Lahir"),
    ]
    # A header that is not understood is quoted in the refusal, without the NUL.
    data = {"period": "2023", "source": "dtks", "data_date": "2023-12-31"}
    content = csv_file([["33.71.03.1003", 95, ""]], header=["Kode Wilayah", "Fakir Miskin", "Kolom\x00 Aneh"])
    client.post("/impor/pmks/", {**data, "file": SimpleUploadedFile("rekap.csv", content)})
    job = last_job()
    assert job.status == ImportStatus.REFUSED
    assert "C “Kolom Aneh”" in job.message


def test_a_unicode_text_file_saved_by_excel_is_read_not_seen_as_nul_bytes(unit_a, tmp_path):
    text = "\r\n".join("\t".join(str(cell) for cell in row) for row in [HEADER, SITI]) + "\r\n"
    run_command("import_members", text.encode("utf-16"), tmp_path, file_name="roster.txt")
    assert Member.objects.get().full_name == "Siti Rahayu"
