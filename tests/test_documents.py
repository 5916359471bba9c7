"""Uploaded documents (ipsm/lib/documents.py): a PDF or a picture, by content, size-limited, no metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader, PdfWriter

from ipsm.lib.documents import MAX_PAGES, clean_document
from tests.printing.pictures import opened, phone_photo, upload

LIMIT = 1024 * 1024


def _pdf(pages: int = 1, *, author: str = "Budi Rahasia", password: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": author, "/Title": "SK Pengurus"})
    if password:
        writer.encrypt(password)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_a_pdf_is_kept_page_by_page_without_its_document_information():
    clean = clean_document(upload(_pdf(3), "sk.pdf", "application/pdf"), max_bytes=LIMIT)
    assert clean.extension == ".pdf" and clean.pages == 3
    assert b"Budi Rahasia" not in clean.content
    reader = PdfReader(io.BytesIO(clean.content))
    assert len(reader.pages) == 3 and not reader.metadata


def test_a_photo_of_a_paper_sk_is_redrawn_without_its_location():
    clean = clean_document(upload(phone_photo(), "sk.jpg"), max_bytes=LIMIT * 5)
    assert clean.extension == ".jpg" and clean.pages == 1
    assert not opened(clean.content).getexif()  # no EXIF at all: no GPS position, no maker


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"MZ\x90\x00 an executable", "not_a_document", id="not-a-document"),
        pytest.param(_pdf()[:200], "damaged", id="truncated-pdf"),
        pytest.param(_pdf(password="rahasia"), "encrypted", id="encrypted-pdf"),
        pytest.param(_pdf(MAX_PAGES + 1), "too_many_pages", id="too-many-pages"),
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b"%PDF-" + b"0" * (LIMIT + 1), "too_large", id="too-large"),
    ],
)
def test_refused_with_a_clear_reason(data, code):
    with pytest.raises(ValidationError) as refused:
        clean_document(upload(data, "sk.pdf", "application/pdf"), max_bytes=LIMIT)
    assert refused.value.code == code
    assert str(refused.value.messages[0])  # a sentence for the user, in their language
