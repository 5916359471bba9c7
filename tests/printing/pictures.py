"""Pictures for upload tests, made with Pillow: a phone photo with EXIF (GPS position, maker, orientation),
a logo with transparency and PNG text, a WebP, and files that are not pictures or are broken."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

GPS_LATITUDE = (7.0, 28.0, 42.0)  # Magelang, 7°28'42" S
MAKER = "SecretPhoneMaker"
SECRET_TEXT = "Rahasia Penulis"


def phone_photo(size=(1600, 1200), orientation: int = 6, colour=(180, 40, 40)) -> bytes:
    """A JPEG as a phone writes it: EXIF with maker, GPS position and orientation 6 (rotate 90° clockwise:
    the stored landscape pixels are a portrait photo), a comment and an ICC profile."""
    image = Image.new("RGB", size, colour)
    # A blue band along the stored top edge: after rotation it is the right edge.
    image.paste((0, 0, 255), (0, 0, size[0], size[1] // 10))
    exif = Image.Exif()
    exif[0x010F] = MAKER
    exif[0x0112] = orientation
    exif[0x8825] = {1: "S", 2: GPS_LATITUDE, 3: "E", 4: (110.0, 13.0, 5.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif.tobytes(), comment=SECRET_TEXT.encode(), icc_profile=icc, quality=90)
    return output.getvalue()


def logo_png(size=(800, 600)) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    image.paste((13, 94, 60, 255), (size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET_TEXT)
    output = io.BytesIO()
    image.save(output, "PNG", pnginfo=info)
    return output.getvalue()


def picture(fmt: str, size=(200, 300), mode="RGB") -> bytes:
    output = io.BytesIO()
    Image.new(mode, size, (20, 120, 200) if mode == "RGB" else 0).save(output, fmt)
    return output.getvalue()


def upload(data: bytes, name: str = "foto.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
