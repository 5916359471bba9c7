"""The dashboard pages on a phone (390 x 844): nothing scrolls sideways, a wide table scrolls inside its own
box behind a visible cue with its key columns in view, every link or control a finger hits is at least
24 x 24 px (WCAG 2.5.8), and the chart is tall horizontal bars with readable labels."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from cases.models import PmksCategory
from members.models import Region
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAST_YEAR = datetime.date.today().year - 1

# What is too small to hit: visible links and controls under 24 x 24 px.
SMALL_TARGETS = """(scope) => {
  const root = document.querySelector(scope) || document.body;
  const small = [];
  for (const el of root.querySelectorAll("a[href], button, summary, select, input:not([type=hidden])")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (another width's label, <noscript>)
    if (box.width < 24 || box.height < 24) {
      const size = `${box.width.toFixed(0)}x${box.height.toFixed(0)}`;
      small.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" ${size}`);
    }
  }
  return small;
}"""
SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def region_data(magelang, unit_a, unit_b, staff):
    """PMKS of LAST_YEAR for a dozen kelurahan with long names (units, PSM, cases), one without figures, and
    an event with a participant, so that every table and the chart have rows."""
    poor = PmksCategory.objects.get(number=24)
    for number in range(12):
        region = Region.objects.create(
            code=f"33.71.03.{2000 + number}",
            name=f"Rejowinangun Tengah Baru {number}",
            level="kelurahan",
            parent=magelang["magelang_tengah"],
        )
        unit = factories.UnitFactory(region=region)
        members = factories.MemberFactory.create_batch(number % 4, unit=unit)
        factories.PmksCountFactory(kelurahan=region, category=poor, count=40 + number * 30, year=LAST_YEAR)
        factories.CaseFactory(kelurahan=region, psm=members[0] if members else None)
    factories.MemberFactory.create_batch(3, unit=unit_a)
    factories.PmksCountFactory(kelurahan=magelang["magersari"], category=poor, count=75, year=LAST_YEAR)
    factories.PmksCountFactory(
        kelurahan=magelang["rejowinangun_utara"], category=poor, count=90, year=LAST_YEAR
    )
    event = factories.EventFactory(
        starts_on=datetime.date(LAST_YEAR, 3, 10), ends_on=datetime.date(LAST_YEAR, 3, 11), budget=12_500_000
    )
    factories.OrganiserFactory(event=event, region=magelang["kota_magelang"])
    factories.ParticipantFactory(event=event, member=unit_a.members.first())
    return magelang


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")


def _assert_fits_a_phone(page, scope: str = "main") -> None:
    assert page.evaluate(SIDEWAYS) <= 0, f"{page.url} scrolls sideways"
    assert page.evaluate(SMALL_TARGETS, scope) == [], page.url


PAGES = [
    "/",
    "/cakupan/33.71/",
    "/cakupan/33.71.03/",
    "/cakupan/33.71/tanpa-psm/",
    "/indikator/",
    "/pmks/33.71.03.1003/",
    "/target/33.71/",
]


def test_staff_dashboard_pages_fit_a_phone(log_in, live_server, staff, region_data):
    page = log_in(staff)
    page.set_viewport_size(PHONE)
    for path in PAGES:
        _open(page, f"{live_server.url}{path}")
        _assert_fits_a_phone(page)
    # The printed sheet on a phone: the sheet takes the screen's width (no <main>: the whole page).
    _open(page, f"{live_server.url}/cakupan/33.71.01.1007/cetak/?periode={LAST_YEAR}")
    _assert_fits_a_phone(page, "body")


def test_viewer_and_national_pages_fit_a_phone(log_in, live_server, viewer, superuser, region_data, page):
    log_in(viewer)
    page.set_viewport_size(PHONE)
    _open(page, f"{live_server.url}/")
    _assert_fits_a_phone(page)
    page.context.clear_cookies()
    log_in(superuser)
    for path in ("/", "/cakupan/33/", f"/indikator/?wilayah=33.71&periode={LAST_YEAR}"):
        _open(page, f"{live_server.url}{path}")
        _assert_fits_a_phone(page)


def test_wide_table_scrolls_in_its_box_with_a_cue_and_its_key_columns_in_view(
    log_in, live_server, staff, region_data
):
    page = log_in(staff)
    page.set_viewport_size(PHONE)
    _open(page, f"{live_server.url}/cakupan/33.71.03/")
    box = page.locator(".scroll-box").filter(has=page.locator("#kelurahan-table"))
    hint = page.locator(".scroll-hint").last
    expect(hint).to_be_visible()
    expect(hint).to_have_text("Geser untuk melihat kolom lain")
    assert "fits" not in box.get_attribute("class")
    assert box.evaluate("box => getComputedStyle(box, '::after').opacity") == "1"  # the edge shadow
    inner = box.locator(".scroll-box-inner")
    assert inner.evaluate("el => el.scrollWidth > el.clientWidth")
    # The key columns of the first row are on screen before any scrolling.
    row = page.locator("#kelurahan-table tbody tr").first
    for cell in ("th", ".coverage-status", ".active-psm", ".pmks", ".psm-needed"):
        right = row.locator(cell).bounding_box()
        assert right is not None and right["x"] + right["width"] <= PHONE["width"], cell
    # Scrolled to the end, the shadow goes; the name column stays put.
    name_x = row.locator("th").bounding_box()["x"]
    inner.evaluate("el => { el.scrollLeft = el.scrollWidth; el.dispatchEvent(new Event('scroll')); }")
    expect(box).to_have_class(re.compile(r"\bat-end\b"))
    assert abs(row.locator("th").bounding_box()["x"] - name_x) < 1


def test_chart_is_horizontal_bars_tall_enough_to_read_on_a_phone(log_in, live_server, staff, region_data):
    page = log_in(staff)
    page.set_viewport_size(PHONE)
    _open(page, f"{live_server.url}/cakupan/33.71/?periode={LAST_YEAR}")
    chart = page.locator("#coverage-chart")
    expect(chart).to_be_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('coverage-chart'))")
    bars = page.evaluate(
        "() => { const c = Chart.getChart(document.getElementById('coverage-chart'));"
        " return {axis: c.options.indexAxis, labels: c.data.labels.length}; }"
    )
    assert bars == {"axis": "y", "labels": 14}  # the 14 kelurahan with figures; Cacaban has none
    box = chart.bounding_box()
    assert box["height"] >= 200 and box["width"] <= PHONE["width"]
    assert box["height"] / bars["labels"] >= 24  # a line per label: none overlaps another


def test_search_by_name_on_a_phone(log_in, live_server, staff, region_data):
    page = log_in(staff)
    page.set_viewport_size(PHONE)
    _open(page, f"{live_server.url}/")
    page.get_by_label("Cari nama").fill("baru 1")
    page.locator("#kelurahan-search").get_by_role("button", name="Cari").click()
    expect(page.locator("#kelurahan-table tbody tr")).to_have_count(3)  # Baru 1, 10 and 11
    expect(page.locator("#kelurahan-heading")).to_contain_text("3 kelurahan/desa")
    expect(page.locator("#id_cari")).to_have_value("baru 1")
    _assert_fits_a_phone(page)
