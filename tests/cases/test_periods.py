"""One rule for periods (cases.periods): the same years are accepted on every page, export and import."""

import datetime

import pytest
from django.urls import reverse

from cases.periods import Period, last_finished_year, parse_period

TODAY = datetime.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022", Period(2022)),
        ("2022-S1", Period(2022, 1)),
        ("2022-s2", Period(2022, 2)),
        ("2000", Period(2000)),
        ("2027", Period(2027)),  # next year: plans reach into it
        ("1999", None),
        ("2028", None),
        ("2099", None),
        ("0000", None),
        ("٢٠٢٤", None),
        ("2022-S3", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_period_is_bounded_from_2000_to_next_year(text, expected):
    assert parse_period(text, TODAY) == expected


def test_the_report_default_is_the_last_finished_year_whatever_the_data():
    assert last_finished_year(TODAY) == Period(2025)
    assert last_finished_year(datetime.date(2027, 1, 1)) == Period(2026)


@pytest.mark.parametrize(
    ("periode", "accepted"), [("2099", False), (str(datetime.date.today().year + 1), True)]
)
def test_the_dashboard_and_the_pmks_grid_agree_on_a_period(as_user, staff, magelang, periode, accepted):
    """The issue: ?periode=2099 was accepted on the dashboard but refused on the PMKS grid."""
    client = as_user(staff)
    pages = [
        reverse("coverage", args=["33.71"]),
        reverse("cases:pmks_grid", args=["33.71.03.1003"]),
    ]
    for url in pages:
        page = client.get(url, {"periode": periode}).content.decode()
        refused = "bukan periode yang valid" in page
        assert refused != accepted, url
