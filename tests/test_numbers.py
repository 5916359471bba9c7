"""Numbers as people read them (ipsm/templatetags/numbers.py): rupiah and plain figures, in the language of
the page, without useless decimals."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from ipsm.templatetags.numbers import angka, plain_number, rupiah


@pytest.mark.parametrize(
    ("value", "indonesian", "english"),
    [
        (Decimal("5000000"), "Rp\u00a05.000.000", "Rp\u00a05,000,000"),
        (12_500_000, "Rp\u00a012.500.000", "Rp\u00a012,500,000"),
        (Decimal("750.50"), "Rp\u00a0751", "Rp\u00a0751"),
        (0, "Rp\u00a00", "Rp\u00a00"),
        (None, "—", "—"),
    ],
)
def test_rupiah(value, indonesian, english):
    with translation.override("id"):
        assert rupiah(value) == indonesian
    with translation.override("en"):
        assert rupiah(value) == english


@pytest.mark.parametrize(
    ("value", "places", "indonesian", "english"),
    [
        (Decimal("55.00"), 2, "55", "55"),
        (Decimal("55.50"), 2, "55,5", "55.5"),
        (Decimal("60.25"), 2, "60,25", "60.25"),
        (55.5, 2, "55,5", "55.5"),
        (1250, 2, "1.250", "1,250"),
        (Decimal("1234567.891"), 1, "1.234.567,9", "1,234,567.9"),
        (Decimal("-0.001"), 2, "0", "0"),
        (Decimal("-12.5"), 0, "-13", "-13"),
        (None, 2, "—", "—"),
        ("", 2, "—", "—"),
        ("lima", 2, "lima", "lima"),
    ],
)
def test_angka(value, places, indonesian, english):
    with translation.override("id"):
        assert angka(value, places) == indonesian
    with translation.override("en"):
        assert angka(value, places) == english


def test_plain_number_drops_only_useless_zeros():
    assert plain_number(Decimal("55.00")) == Decimal("55")
    assert str(plain_number(Decimal("5000000"), 0)) == "5000000"  # never 5E+6
    assert str(plain_number(Decimal("90.10"))) == "90.1"
    assert plain_number(None) is None
    assert plain_number(float("nan")) is None


def test_the_filters_in_a_template():
    template = Template("{% load numbers %}{{ budget|rupiah }} · {{ score|angka }} · {{ share|angka:1 }}")
    context = Context({"budget": Decimal("5000000"), "score": Decimal("55.00"), "share": 12.345})
    with translation.override("id"):
        assert template.render(context) == "Rp\u00a05.000.000 · 55 · 12,3"
