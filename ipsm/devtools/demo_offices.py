"""Demo office profiles: the Dinas Sosial of Kota Magelang and of Kabupaten Temanggung as their
certificates and member cards print them. Heads of office, NIPs and addresses are made up; the logos are
drawn here (a plain emblem, no real coat of arms) and go through the same checks as an upload.

Only a missing profile is created: a profile staff edited stays as they left it."""

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from ipsm.devtools.demo import MAGELANG, TEMANGGUNG, DemoReport
from members import office
from members.models import OfficeProfile, Region


@dataclass(frozen=True)
class OfficeSpec:
    code: str
    name: str
    address: str
    head_name: str
    head_nip: str
    signing_city: str
    initials: str
    colour: tuple[int, int, int]


DEMO_OFFICES = [
    OfficeSpec(
        MAGELANG,
        "Dinas Sosial Kota Magelang",
        "Jl. Veteran No. 7, Magelang 56117",
        "Drs. Bambang Sutrisno, M.Si.",
        "197003151995031002",
        "Magelang",
        "KM",
        (13, 94, 60),
    ),
    OfficeSpec(
        TEMANGGUNG,
        "Dinas Sosial Kabupaten Temanggung",
        "Jl. Pahlawan No. 12, Temanggung 56211",
        "Dra. Endang Purwaningsih, M.M.",
        "197204121998032005",
        "Temanggung",
        "TMG",
        (10, 88, 202),
    ),
]


def load_demo_offices(*, users: dict, report: DemoReport) -> None:
    existing = set(OfficeProfile.objects.values_list("region_id", flat=True))
    regions = Region.objects.in_bulk([spec.code for spec in DEMO_OFFICES])
    for spec in DEMO_OFFICES:
        if spec.code in existing or spec.code not in regions:
            continue
        profile = OfficeProfile(
            region=regions[spec.code],
            name=spec.name,
            address=spec.address,
            head_name=spec.head_name,
            head_nip=spec.head_nip,
            signing_city=spec.signing_city,
        )
        logo = office.clean_logo(io.BytesIO(draw_logo(spec.initials, spec.colour)))
        office.save_office_profile(profile=profile, logo=logo, remove_logo=False, by=users["admin"])
        report.office_profiles += 1


def draw_logo(initials: str, colour: tuple[int, int, int]) -> bytes:
    """A round emblem with the office's initials on a transparent background, as PNG."""
    size = 400
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=colour + (255,), outline=(255, 193, 7, 255), width=14)
    draw.ellipse((60, 60, size - 60, size - 60), outline=(255, 255, 255, 255), width=6)
    font = ImageFont.load_default(size=120 if len(initials) < 3 else 92)
    draw.text((size / 2, size / 2 - 18), initials, font=font, fill=(255, 255, 255, 255), anchor="mm")
    small = ImageFont.load_default(size=40)
    draw.text((size / 2, size / 2 + 78), "DINSOS", font=small, fill=(255, 255, 255, 255), anchor="mm")
    output = io.BytesIO()
    image.save(output, format="PNG")
    return output.getvalue()
