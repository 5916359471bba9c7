"""Spreadsheets for the import tests, built as offices save them (XLSX from Excel, CSV with , or ;)."""

import csv
import io
import zipfile
from collections.abc import Callable

from openpyxl import Workbook


def xlsx(header: list, rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet_xml(content: bytes, edit: Callable[[str], str]) -> bytes:
    """The workbook with its first sheet's XML edited as text, as a hand-made or malicious file would be."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as edited:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = edit(data.decode()).encode()
            edited.writestr(name, data)
    return buffer.getvalue()


def unpacked_size(content: bytes) -> int:
    """What a workbook's zip says its parts hold once inflated."""
    return sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(content)).infolist())


def csv_file(header: list, rows: list[list], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def problems(job) -> list[tuple[int, str, str]]:
    """(row, column, message) of every problem of an import job's preview, in row order."""
    return [
        (row.row_number, problem["column"], problem["message"])
        for row in job.rows.order_by("row_number")
        for problem in row.problems
    ]
