"""Numbers as people read them, in the active language: `{% load numbers %}`, then `{{ event.budget|rupiah }}`
(Rp 5.000.000) and `{{ score|angka }}` (55, 55,5, 1.250). English pages get English separators
(Rp 5,000,000; 55.5).

The one place for it: templates use the filters, Python code (tables, messages) calls the same functions.
Grouping is always on (the project leaves USE_THOUSAND_SEPARATOR off, so `{{ value }}` alone shows
5000000), and decimals that say nothing are dropped: a score stored as 55.00 shows 55, never "55,00".
Nothing (None, "") shows as an em dash, as elsewhere on the pages; a value that is not a number is shown as
it is rather than raising in the middle of a page.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats

register = template.Library()

EMPTY = "—"


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def plain_number(value, places: int = 2) -> Decimal | None:
    """`value` rounded to at most `places` decimals, without trailing zeros (55.00 -> 55, 55.50 -> 55.5): what
    a page shows and what an export writes. None for nothing or not a number."""
    number = _decimal(value)
    if number is None:
        return None
    number = number.quantize(Decimal(1).scaleb(-max(places, 0)), rounding=ROUND_HALF_UP)
    if number == 0:
        return Decimal(0)  # never "-0"
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Decimal(text)


@register.filter
def angka(value, places: int = 2) -> str:
    """A number with the language's thousands and decimal separators, at most `places` decimals, no useless
    zeros: 1250 -> 1.250, 55.00 -> 55, 55.50 -> 55,5 (Indonesian)."""
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 2
    number = plain_number(value, places)
    if number is None:
        return EMPTY if value is None or value == "" else str(value)
    exponent = number.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return formats.number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def rupiah(value) -> str:
    """An amount in rupiah, whole: Rp 5.000.000 (Indonesian), Rp 5,000,000 (English)."""
    number = plain_number(value, 0)
    if number is None:
        return EMPTY if value is None or value == "" else str(value)
    # A no-break space: "Rp" never stays alone at the end of a line.
    return f"Rp\u00a0{angka(number, 0)}"
