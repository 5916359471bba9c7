"""ipsm.lib.exports itself: cell values in both formats, formula injection, row counts of ready-made rows."""

import datetime
import io
from decimal import Decimal

import pytest
from django.http import Http404, QueryDict
from django.utils import translation
from openpyxl import load_workbook

from ipsm.lib.exports import Column, Export, clean_filters, export_response
from ipsm.models import ExportLog
from tests.exports.helpers import body, csv_rows

VALUES = [
    '=HYPERLINK("http://x","klik")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "+6281234567890",
    "-5",
    "Budi Santoso",
    "Nama\x07aneh",
]


def _export(rows) -> Export:
    return Export(
        list_name="members",
        file_stem="uji",
        columns=[Column("Text", lambda row: row)],
        rows=rows,
        filters={"status": "aktif"},
    )


def test_csv_neutralises_formulas_but_keeps_phone_numbers_and_numbers(staff):
    rows = csv_rows(export_response(_export(VALUES), user=staff, file_format="csv"))
    assert [row[0] for row in rows] == [
        "Text",
        '\'=HYPERLINK("http://x","klik")',
        "'+cmd|' /C calc'!A0",
        "'@SUM(1+1)",
        "'-2+3",
        "+6281234567890",
        "-5",
        "Budi Santoso",
        "Nama\x07aneh",
    ]


def test_xlsx_keeps_every_text_as_text(staff):
    response = export_response(_export(VALUES), user=staff, file_format="xlsx")
    sheet = load_workbook(io.BytesIO(body(response))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells)
    assert cells[0].value == '=HYPERLINK("http://x","klik")'
    assert cells[-1].value == "Namaaneh"  # control characters are not allowed in a workbook


@translation.override("id")
def test_values_of_each_type(staff):
    moment = datetime.datetime(2026, 11, 29, 1, 30, tzinfo=datetime.UTC)
    row = [datetime.date(2024, 5, 6), moment, Decimal("87.50"), 3, 2.5, None, True, False]
    export = Export(
        list_name="members",
        file_stem="uji",
        columns=[Column(f"c{index}", lambda r, index=index: r[index]) for index in range(len(row))],
        rows=[row],
    )
    csv_line = csv_rows(export_response(export, user=staff, file_format="csv"))[1]
    # Times in Asia/Jakarta.
    assert csv_line == ["2024-05-06", "2026-11-29 08:30", "87.50", "3", "2.5", "", "Ya", "Tidak"]
    sheet = load_workbook(io.BytesIO(body(export_response(export, user=staff, file_format="xlsx")))).active
    values = [cell.value for cell in sheet[2]]
    assert values[:5] == [
        datetime.datetime(2024, 5, 6),
        datetime.datetime(2026, 11, 29, 8, 30),
        87.5,
        3,
        2.5,
    ]
    assert values[6:] == ["Ya", "Tidak"]
    assert sheet["A2"].number_format == "DD/MM/YYYY"
    assert sheet.freeze_panes == "A2"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_ready_list_is_counted_and_logged(staff, fmt):
    body(export_response(_export(["a", "b", "c"]), user=staff, file_format=fmt))
    log = ExportLog.objects.get()
    assert (log.row_count, log.file_format, log.nik_masked) == (3, fmt, True)
    assert log.filters == {"status": "aktif"}


def test_unknown_format_is_refused_before_anything_is_logged(staff):
    with pytest.raises(Http404):
        export_response(_export(["a"]), user=staff, file_format="xls")
    assert not ExportLog.objects.exists()


def test_clean_filters_drops_empty_values_and_page_parameters():
    params = QueryDict("status=aktif&jenis_kelamin=&halaman=3&per_halaman=50&unit=1&unit=2&cari=+budi+")
    keys = ["status", "jenis_kelamin", "halaman", "per_halaman", "unit", "cari"]
    assert clean_filters(params, keys, wilayah="33.71", periode="") == {
        "status": "aktif",
        "unit": ["1", "2"],
        "cari": "budi",
        "wilayah": "33.71",
    }
