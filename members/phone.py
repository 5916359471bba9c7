"""Indonesian mobile numbers, stored as +62 followed by 9 to 12 digits (+628...).

A few lines of our own instead of the phonenumbers library: we accept only Indonesian mobiles, and the
forms people type (08..., 62..., +62 with spaces, dots, dashes or brackets) are few.
"""

import math
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ipsm.lib.spreadsheets import CellError

_NOISE = re.compile(r"[\s.\-()]")


def normalize_phone(raw: object) -> str:
    """Return `+628...` or raise ValidationError; an empty value stays empty."""
    text = _NOISE.sub("", str(raw or "").strip().lstrip("'"))
    if not text:
        return ""
    if text.startswith("+62"):
        national = text[3:]
    elif text.startswith("62"):
        national = text[2:]
    elif text.startswith("0"):
        national = text[1:]
    else:
        national = ""
    if not re.fullmatch(r"8[0-9]{8,11}", national):  # \d would take other scripts' digits too
        raise ValidationError(
            _("Mobile number must be an Indonesian mobile number such as 0812 3456 789 or +62 812 3456 789."),
            code="phone",
        )
    return "+62" + national


def mask_phone(phone: str) -> str:
    """`+62812••••7890`: enough to tell two numbers apart on a review page, not enough to call."""
    if len(phone) < 10:
        return phone
    return phone[:6] + "•" * (len(phone) - 10) + phone[-4:]


def parse_phone(value) -> str:
    """A phone cell of an import: as normalize_phone, and a number cell's lost leading 0 put back."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        # A number cell has lost the leading 0 of 0812...: 812... becomes 0812..., 62812... stays.
        digits = str(int(value))
        value = digits if digits.startswith("62") else "0" + digits
    try:
        return normalize_phone(value)
    except ValidationError as error:
        raise CellError(" ".join(error.messages)) from error
