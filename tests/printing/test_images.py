"""The picture engine (ipsm.lib.images): what a file is comes from its content; a picture is drawn anew from
its pixels (no EXIF, GPS, comment, text or ICC profile), upright, shrunk; anything else is refused with a
message; stored files have no URL."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from ipsm.lib.images import PrivateStorage, clean_image
from tests.printing.pictures import (
    MAKER,
    SECRET_TEXT,
    logo_png,
    opened,
    phone_photo,
    picture,
    upload,
)

MB = 1024 * 1024


def _clean(data: bytes, **kwargs):
    options = {"max_side": 600, "max_bytes": 5 * MB, **kwargs}
    return clean_image(upload(data), **options)


def _refusal(data: bytes, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        _clean(data, **kwargs)
    return refused.value


def test_phone_photo_loses_every_piece_of_metadata():
    original = phone_photo()
    assert MAKER.encode() in original and SECRET_TEXT.encode() in original  # the test photo has them
    cleaned = _clean(original)
    image = opened(cleaned.content)
    assert image.format == "JPEG"
    assert not image.getexif()  # no EXIF at all: no GPS, no maker, no orientation
    assert "icc_profile" not in image.info and "comment" not in image.info and "exif" not in image.info
    for secret in (MAKER.encode(), SECRET_TEXT.encode(), b"Exif", b"GPS"):
        assert secret not in cleaned.content


def test_phone_photo_is_turned_upright_then_shrunk_to_600_px():
    cleaned = _clean(phone_photo(size=(1600, 1200), orientation=6))
    assert (cleaned.width, cleaned.height) == (450, 600)  # stored landscape, a portrait photo
    image = opened(cleaned.content).convert("RGB")
    # The blue band of the stored top edge is now on the right, as the camera meant.
    right = image.getpixel((image.width - 5, image.height // 2))
    left = image.getpixel((5, image.height // 2))
    assert right[2] > 200 and right[0] < 60
    assert left[0] > 150 and left[2] < 90


def test_small_picture_is_not_enlarged():
    cleaned = _clean(picture("JPEG", size=(120, 160)))
    assert (cleaned.width, cleaned.height) == (120, 160)


def test_logo_keeps_transparency_and_loses_png_text():
    original = logo_png(size=(800, 600))
    assert SECRET_TEXT.encode() in original
    cleaned = _clean(original, max_side=400, lossless=True)
    image = opened(cleaned.content)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (400, 300))
    assert image.getpixel((2, 2))[3] == 0  # transparent corner kept
    assert image.getpixel((200, 150)) == (13, 94, 60, 255)
    assert SECRET_TEXT.encode() not in cleaned.content
    assert not image.info  # no text chunks, no profile


def test_transparent_picture_as_photo_is_flattened_on_white():
    cleaned = _clean(logo_png(size=(200, 200)))
    image = opened(cleaned.content)
    assert image.mode == "RGB"
    assert image.getpixel((2, 2)) == (255, 255, 255)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_accepted_formats(fmt):
    cleaned = _clean(picture(fmt))
    assert cleaned.source_format == fmt
    assert opened(cleaned.content).format == "JPEG"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (picture("GIF", mode="P"), "foto.jpg"),  # a GIF named .jpg
        (picture("BMP"), "foto.jpg"),
        (picture("TIFF"), "foto.png"),
        (b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "foto.jpg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.png"),
        (b"MZ\x90\x00" + b"\x00" * 100, "foto.jpg"),
    ],
)
def test_other_files_are_refused_by_content_whatever_their_name(data, name):
    with pytest.raises(ValidationError) as refused:
        clean_image(upload(data, name=name), max_side=600, max_bytes=5 * MB)
    assert refused.value.code == "not_an_image"
    assert "JPEG, PNG" in refused.value.messages[0]


def test_truncated_photo_is_refused_as_damaged():
    data = phone_photo()
    refusal = _refusal(data[: len(data) // 2])
    assert refusal.code == "damaged"
    assert refusal.messages == [
        "Gambar tidak dapat dibaca: berkas rusak atau tidak lengkap. Pilih ulang berkasnya atau berkas lain."
    ]


def test_png_with_garbled_pixel_data_is_refused_as_damaged():
    data = bytearray(picture("PNG", size=(300, 300)))
    start = data.index(b"IDAT") + 8
    data[start : start + 40] = b"\xff" * 40
    assert _refusal(bytes(data)).code == "damaged"


def test_empty_file_is_refused():
    assert _refusal(b"").code == "empty"


def test_file_over_the_size_limit_is_refused_before_reading():
    refusal = _refusal(phone_photo(), max_bytes=10_000)
    assert refusal.code == "too_large"
    assert "MB" in refusal.messages[0]


def test_picture_claiming_too_many_pixels_is_refused_before_decoding():
    output = io.BytesIO()
    Image.new("1", (5000, 5000)).save(output, "PNG")  # 25 megapixels in a few kilobytes
    refusal = _refusal(output.getvalue())
    assert refusal.code == "too_many_pixels"
    assert "16" in refusal.messages[0]


def test_private_storage_has_no_url_and_lives_under_the_setting(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "rahasia"
    storage = PrivateStorage()
    name = storage.save("photos/a.jpg", io.BytesIO(b"x"))
    assert (tmp_path / "rahasia" / name).exists()
    assert oct((tmp_path / "rahasia" / name).stat().st_mode & 0o777) == oct(0o600)
    with pytest.raises(ValueError):
        storage.url(name)
    assert not str(settings.PRIVATE_MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))
