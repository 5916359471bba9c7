"""Uploaded images (a member's pas foto, an office's logo): checked by their content, drawn anew from their
pixels, and kept where no public URL reaches them.

- `clean_image()` lets Pillow decide what a file is (never its name or the browser's content type): JPEG,
  PNG or WebP only, at most `max_bytes` and a number of pixels, decoded to the end (a truncated or damaged
  file is refused). The picture is turned upright by its EXIF orientation, brought into sRGB, shrunk to fit
  `max_side` and encoded again from its pixels alone: nothing of the original file survives, no EXIF (with
  the GPS position a phone writes), XMP, IPTC, ICC profile, comment or PNG text.
- `PrivateStorage` keeps files under settings.PRIVATE_MEDIA_ROOT, outside STATIC_ROOT and any media URL;
  `private_file_response()` hands one out once a view has checked that the user may see it.
"""

import io
import os
import struct
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Pixels a file may declare before anything is decoded (a small file can claim a huge picture). A JPEG is
# decoded at a reduced scale (Image.draft), so a phone's 50-megapixel photo costs little memory; PNG and
# WebP are decoded whole: 16 megapixels with transparency are 64 MB.
MAX_PIXELS = {"JPEG": 60_000_000, "PNG": 16_000_000, "WEBP": 16_000_000}
JPEG_QUALITY = 85
CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}
# What private_file_response hands out: these pictures and the PDFs ipsm.lib.documents stores.
SERVED_TYPES = {**CONTENT_TYPES, ".pdf": "application/pdf"}

# Everything Pillow raises on a file it cannot read to the end.
_UNREADABLE = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError, struct.error)

TOO_LARGE = _("The file is larger than %(limit)s MB. Choose a smaller picture.")
EMPTY = _("The file is empty.")
NOT_AN_IMAGE = _(
    "The file is not a JPEG, PNG or WebP picture. Choose a photo or picture in one of these formats."
)
DAMAGED = _(
    "The picture cannot be read: the file is damaged or incomplete. Choose the file again or another one."
)
TOO_MANY_PIXELS = _("The picture has more than %(megapixels)s megapixels. Choose a smaller picture.")


@dataclass(frozen=True)
class CleanImage:
    """A picture as it is stored: freshly encoded bytes, nothing of the uploaded file but its pixels."""

    content: bytes
    width: int
    height: int
    extension: str  # ".jpg" or ".png"
    source_format: str  # what the upload was: "JPEG", "PNG" or "WEBP"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


def clean_image(file, *, max_side: int, max_bytes: int, lossless: bool = False) -> CleanImage:
    """Check an uploaded picture and draw it anew (ValidationError with a message for the user if refused).

    `max_side`: the longest side in pixels after shrinking (never enlarged). `lossless`: a PNG keeping
    transparency (logos); otherwise a JPEG on a white background (photos).
    """
    data = read_at_most(file, max_bytes)
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as original:
            source_format = original.format
            width, height = original.size
            if width * height > MAX_PIXELS[source_format]:
                raise _too_many_pixels(MAX_PIXELS[source_format])
            if source_format == "JPEG":
                original.draft("RGB", (max_side, max_side))  # decode at 1/2, 1/4 or 1/8 where that suffices
            original.load()  # decodes to the end: a truncated or damaged file fails here
            picture = _upright(original)
            picture = _in_srgb(picture, original.info.get("icc_profile"))
            picture = _plain_mode(picture, keep_alpha=lossless)
            picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            # From the pixels alone: a new image with an empty `info` carries no metadata into the encoder.
            fresh = Image.frombytes(picture.mode, picture.size, picture.tobytes())
    except UnidentifiedImageError:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    except Image.DecompressionBombError:  # Pillow's own guard, before the format is known
        raise _too_many_pixels(min(MAX_PIXELS.values())) from None
    except _UNREADABLE:
        raise ValidationError(DAMAGED, code="damaged") from None
    output = io.BytesIO()
    if lossless:
        fresh.save(output, format="PNG", optimize=True)
    else:
        fresh.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanImage(
        content=output.getvalue(),
        width=fresh.width,
        height=fresh.height,
        extension=".png" if lossless else ".jpg",
        source_format=source_format,
    )


def _too_many_pixels(limit: int) -> ValidationError:
    return ValidationError(TOO_MANY_PIXELS, code="too_many_pixels", params={"megapixels": limit // 1_000_000})


def read_at_most(file, max_bytes: int) -> bytes:
    """The upload's bytes; a ValidationError when it is empty or larger than `max_bytes` (read no further)."""
    limit = {"limit": f"{max_bytes / (1024 * 1024):g}"}
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(TOO_LARGE, code="too_large", params=limit)
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(TOO_LARGE, code="too_large", params=limit)
    if not data:
        raise ValidationError(EMPTY, code="empty")
    return data


def _upright(image: Image.Image) -> Image.Image:
    """Rotated as the camera said (the EXIF orientation goes with the rest of the EXIF)."""
    try:
        return ImageOps.exif_transpose(image)
    except _UNREADABLE:  # a garbled EXIF block: the pixels as stored
        return image.copy()


_SRGB = ImageCms.createProfile("sRGB")


def _in_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """The colours converted to sRGB where the file had its own profile (a phone's Display P3, a CMYK
    print file), since the profile is not kept."""
    if not icc_profile or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(
            image, source, _SRGB, outputMode="RGBA" if image.mode == "RGBA" else "RGB"
        )
    except (ImageCms.PyCMSError, *_UNREADABLE):
        return image


def _plain_mode(image: Image.Image, *, keep_alpha: bool) -> Image.Image:
    """RGB, or RGBA where transparency is kept; transparency flattened on white otherwise."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):  # 16-bit greyscale PNG
        image = image.point(lambda value: value / 256).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if not has_alpha:
        return image.convert("RGB")
    image = image.convert("RGBA")
    if keep_alpha:
        return image
    background = Image.new("RGB", image.size, "white")
    background.paste(image, mask=image.getchannel("A"))
    return background


@deconstructible(path="ipsm.lib.images.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT (read at each use, so tests may move it): no URL serves them.

    Only the web server's user may read them (0600 files in 0700 directories)."""

    def __init__(self) -> None:
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL: serve them through a view that checks access.")


def private_file_response(field_file) -> FileResponse:
    """A stored image or PDF for a user a view has let through; 404 when the file is missing. Never cached
    (`private, no-store`, as every page for a signed-in user)."""
    extension = os.path.splitext(field_file.name or "")[1].lower()
    if extension not in SERVED_TYPES:
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=SERVED_TYPES[extension])
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response
