"""What a query string (or a URL path) may carry, parsed in one place so that junk gives the page's default,
a form error or a 400, never a 500.

The usual causes of a 500 from a URL are a NUL reaching PostgreSQL ("text fields cannot contain NUL"), a
number past a column's or Python's range (a 20-digit id, a page size of -1, a year 0 or 99999) and text in
other scripts' digits, which str.isdigit() takes ("²", "٣") and int() may refuse. Django's own form fields
refuse NUL (CharField, ModelChoiceField) and Paginator.get_page() falls back on the first or last page for
any page text; what they do not cover is here.
"""

import datetime
import re
from collections.abc import Sequence

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The query-string names every list shares, in Indonesian like the URL paths (`?halaman=2&urut=-nama`).
PAGE = "halaman"
SORT = "urut"
PER_PAGE = "per_halaman"

# C0 controls and DEL: no link or form of ours sends them, and NUL cannot reach PostgreSQL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# The largest primary key (bigint); a larger number names nothing, and PostgreSQL refuses to compare it.
MAX_ID = 2**63 - 1
# Kemendagri region codes: 33 (provinsi), 33.71 (kab/kota), 33.71.03 (kecamatan), 33.71.03.1003 (desa).
_REGION_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")
# Days typed in a filter: outside these, a day before or after (a range's end) leaves Python's date range.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def parse_id(text: str | None, maximum: int = MAX_ID) -> int | None:
    """A positive whole number written in ASCII digits, at most `maximum`; None for anything else."""
    text = (text or "").strip()
    # ASCII only: isdigit() also takes "²", which int() refuses; past 19 digits is past MAX_ID.
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        return None
    number = int(text)
    return number if 1 <= number <= maximum else None


def page_number(text: str | None) -> int:
    """The page asked for in ?halaman=; 1 for anything that is not a page number (a page past the last is the
    paginator's to handle)."""
    return parse_id(text) or 1


def page_size(text: str | None, offered: Sequence[int]) -> int:
    """The page size asked for in ?per_halaman= if the page offers it, else its first (default) size."""
    number = parse_id(text)
    return number if number in offered else offered[0]


def is_region_code(text: str) -> bool:
    return _REGION_CODE.fullmatch(text) is not None


class DayField(forms.DateField):
    """A date typed in a filter, between FIRST_DAY and LAST_DAY: a range ending on 31/12/9999 would overflow
    when the day after is computed."""

    default_error_messages = {
        "out_of_range": _("Enter a date between %(first)s and %(last)s."),
    }

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"first": FIRST_DAY.strftime("%d/%m/%Y"), "last": LAST_DAY.strftime("%d/%m/%Y")},
            )


class DayFilter(django_filters.DateFilter):
    """django-filter's DateFilter with DayField's bounds."""

    field_class = DayField
