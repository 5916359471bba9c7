"""Reading the files the exports send, and counting the queries an export takes (its body included)."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook


def body(response) -> bytes:
    """The whole file: every export streams (CSV as written, XLSX from its temporary file)."""
    return b"".join(response.streaming_content)


def xlsx_sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(body(response))).active


def xlsx_rows(response) -> list[tuple]:
    return list(xlsx_sheet(response).iter_rows(values_only=True))


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte order mark to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def records(rows: list) -> list[dict]:
    """Rows below the header as {header: value}."""
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def read(response) -> list[dict]:
    if response["Content-Type"].startswith("text/csv"):
        return records(csv_rows(response))
    return records(xlsx_rows(response))


def queries_of(client, url: str, params: dict | None = None) -> int:
    """Queries of one download, reading the streamed body inside the count."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
        assert response.status_code == 200
        body(response)
    return len(context.captured_queries)


def fetch(client, url: str, params: dict | None = None):
    """A download (200 expected) and its rows as records."""
    response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return read(response)
