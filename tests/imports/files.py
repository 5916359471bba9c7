"""Spreadsheets for the import tests, built as offices save them (XLSX from Excel, CSV with , or ;)."""

import csv
import io

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
