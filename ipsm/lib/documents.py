"""Uploaded documents (an SK, meeting minutes, an attachment): a PDF or a picture, checked by content, size-
limited, and stored without what the file carried besides its pages.

- A PDF is known by its content (pypdf reads it to the last page; never the name or the browser's type): at
  most `max_bytes` and MAX_PAGES pages, not encrypted. It is written anew page by page, without the
  document information (author, producer, dates), XMP metadata, attached files, JavaScript or form actions:
  what is kept is what a reader sees on the pages.
- A picture (JPEG, PNG, WebP: a phone's photo of a paper SK) goes through `ipsm.lib.images.clean_image`:
  redrawn from its pixels, no EXIF or GPS position.
Store the result with `PrivateStorage` and hand it out with `private_file_response` after the view has
checked the reader's access.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from ipsm.lib.images import TOO_LARGE, clean_image, read_at_most

MAX_PAGES = 200
# A document's pictures are kept legible (an SK photographed on a phone), not shrunk to a thumbnail.
PICTURE_MAX_SIDE = 2400
PDF_MAGIC = b"%PDF-"
CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}

NOT_A_DOCUMENT = _(
    "The file is not a PDF or a JPEG, PNG or WebP picture. Choose a PDF or a photo of the document."
)
DAMAGED_PDF = _(
    "The PDF cannot be read: the file is damaged or incomplete. Choose the file again or another one."
)
ENCRYPTED_PDF = _("The PDF is protected with a password. Save it without the password and choose it again.")
TOO_MANY_PAGES = _("The PDF has more than %(pages)s pages. Choose a shorter document.")


@dataclass(frozen=True)
class CleanDocument:
    content: bytes
    extension: str  # ".pdf", ".jpg" or ".png"
    pages: int  # 1 for a picture

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


def clean_document(file, *, max_bytes: int) -> CleanDocument:
    """The upload as it may be stored, or a ValidationError saying what is wrong in the user's language."""
    data = read_at_most(file, max_bytes)
    if data.lstrip()[:5] == PDF_MAGIC:
        return _clean_pdf(data)
    try:
        picture = clean_image(io.BytesIO(data), max_side=PICTURE_MAX_SIDE, max_bytes=max_bytes)
    except ValidationError as error:
        if error.code == "not_an_image":
            raise ValidationError(NOT_A_DOCUMENT, code="not_a_document") from None
        raise
    return CleanDocument(content=picture.content, extension=picture.extension, pages=1)


def _clean_pdf(data: bytes) -> CleanDocument:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(ENCRYPTED_PDF, code="encrypted")
        count = len(reader.pages)
        if count == 0:
            raise ValidationError(DAMAGED_PDF, code="damaged")
        if count > MAX_PAGES:
            raise ValidationError(TOO_MANY_PAGES, code="too_many_pages", params={"pages": MAX_PAGES})
        writer = PdfWriter()
        for page in reader.pages:
            page.get_contents()  # reads each page's content: a truncated file fails here, not for the reader
            for key in ("/Metadata", "/PieceInfo", "/AA"):  # a page's XMP, editor data, actions
                page.pop(key, None)
            writer.add_page(page)
        writer.remove_annotations(subtypes=None)  # links and form actions may run or leak
        writer.metadata = None  # no document information dictionary (author, producer, dates)
        output = io.BytesIO()
        writer.write(output)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, OSError, RecursionError):
        raise ValidationError(DAMAGED_PDF, code="damaged") from None
    return CleanDocument(content=output.getvalue(), extension=".pdf", pages=count)


__all__ = ["TOO_LARGE", "CleanDocument", "clean_document"]
