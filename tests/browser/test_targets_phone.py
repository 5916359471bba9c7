"""The indicator report's realisation by year on a phone (390 x 844): five years of large figures wrap inside
their card, the page never scrolls sideways (trainings/targets.py realisation_trend)."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.trainings.conftest import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAST_YEAR = datetime.date.today().year - 1


def test_realisation_by_year_fits_a_phone(log_in, live_server, staff, magelang):
    for year in range(LAST_YEAR - 6, LAST_YEAR + 1):
        make_event(
            magelang["kota_magelang"],
            by=staff,
            title=f"Bimtek {year}",
            starts_on=datetime.date(year, 3, 2),
            ends_on=datetime.date(year, 3, 3),
            budget=Decimal(987_654_321 + year),
        )
    page = log_in(staff)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/indikator/?wilayah=33.71&periode={LAST_YEAR}")
    trend = page.locator("#indicator-budget .trend")
    expect(trend).to_be_visible()
    expect(trend.locator("dt")).to_have_text([str(year) for year in range(LAST_YEAR - 4, LAST_YEAR + 1)])
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    card = page.locator("#indicator-budget").bounding_box()
    for index in range(5):
        figure = trend.locator("dd").nth(index).bounding_box()
        assert figure["x"] + figure["width"] <= card["x"] + card["width"]
