"""Targets against realisation (trainings/targets.py): staff of a kab/kota set a baseline and a target per
indicator and year; the indicator report shows target, realisation and achievement; the LKjIP table."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.periods import Period
from ipsm.models import ExportLog
from tests.trainings.conftest import make_event
from trainings import targets
from trainings.indicators import counted_indicator_report
from trainings.models import IndicatorTarget

URL = "/indikator/target/33.71/2025/"


def test_achievement_is_realisation_over_target_or_the_reverse_where_less_is_better():
    assert targets.achievement("psm_trained", Decimal(45), Decimal(60)) == Decimal("75.0")
    assert targets.achievement("pmks_per_psm", Decimal(12), Decimal(10)) == Decimal("80.0")
    assert targets.achievement("psm_trained", None, Decimal(60)) is None
    assert targets.achievement("psm_trained", Decimal(5), Decimal(0)) is None


def test_staff_set_targets_and_the_report_shows_target_realisation_achievement(as_user, staff, magelang):
    client = as_user(staff)
    response = client.post(
        URL, {"baseline_events_held": "1", "target_events_held": "4", "target_attendance_rate": "80,5"}
    )
    assert response.status_code == 302
    saved = {t.indicator: (t.baseline, t.target) for t in IndicatorTarget.objects.all()}
    assert saved == {"events_held": (Decimal(1), Decimal(4)), "attendance_rate": (None, Decimal("80.5"))}
    report = client.get("/indikator/", {"wilayah": "33.71", "periode": "2025"})
    html = report.content.decode()
    card = html[html.index('id="indicator-events_held"') :]
    card = card[: card.index("</article>")]
    assert 'class="target">4<' in card and 'class="achievement">0,0%<' in card  # no event held in 2025
    assert 'href="/indikator/target/33.71/2025/"' in html


def test_a_share_above_100_is_refused_and_nothing_saved(as_user, staff, magelang):
    response = as_user(staff).post(URL, {"target_attendance_rate": "120"})
    assert response.status_code == 200
    assert "100" in response.content.decode() and not IndicatorTarget.objects.exists()


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [("viewer", 200, 403), ("coordinator", 403, 403), ("staff_other", 404, 404), ("staff", 200, 302)],
)
def test_who_reads_and_who_sets_targets(as_user, request, magelang, who, get, post):
    client = as_user(request.getfixturevalue(who))
    assert client.get(URL).status_code == get
    assert client.post(URL, {"target_events_held": "3"}).status_code == post


def test_only_a_kabkota_has_targets(as_user, superuser, magelang):
    assert as_user(superuser).get("/indikator/target/33/2025/").status_code == 404
    assert as_user(superuser).get("/indikator/target/33.71.03/2025/").status_code == 404


def test_the_lkjip_table_has_every_indicator_with_target_realisation_and_trend(as_user, staff, magelang):
    client = as_user(staff)
    client.post(URL, {"baseline_events_held": "1", "target_events_held": "4"})
    response = client.get("/indikator/lkjip/33.71/2025/csv/")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[5:8] == ["Target 2025", "Realisasi 2025", "Capaian (%)"]
    events = next(row for row in body if row[2] == "Kegiatan yang diselenggarakan")
    assert events[4:8] == ["1", "4", "0", "0.0"]
    assert len(body) == len(targets.KINDS)
    assert ExportLog.objects.get().list_name == "lkjip"


# --- Trend across years (targets.realisation_trend) ------------------------------------------------------

REPORT = "/indikator/"


def _events_in(years, staff, magelang) -> None:
    """One Kota Magelang event a year, its budget a million rupiah times (year - 2010): a figure per year."""
    for year in years:
        make_event(
            magelang["kota_magelang"],
            by=staff,
            title=f"Bimtek {year}",
            starts_on=datetime.date(year, 3, 2),
            ends_on=datetime.date(year, 3, 3),
            budget=Decimal(max(year - 2010, 0) * 1_000_000),
        )


TREND = "/indikator/tren/"


def _trend_of(html: str, key: str) -> dict[str, str]:
    """The years and figures of one indicator's block in the trend the report page loads (htmx)."""
    marker = f'id="trend-box-{key}"'
    if marker not in html:
        return {}
    block = html[html.index(marker) :]
    pairs = re.findall(r"<dt[^>]*>(\d{4})</dt><dd[^>]*>([^<]*)</dd>", block[: block.index("</dl>")])
    return dict(pairs)


def _trend(client, **params) -> str:
    """The report page, then the trend it loads after it is shown ("" when the page loads none)."""
    page = client.get(REPORT, params).content.decode()
    if 'id="trend-loader"' not in page:
        response = client.get(TREND, params)
        assert response.status_code == 204  # the fragment agrees: nothing to show
        return ""
    assert f'hx-get="{TREND}?' in page and 'id="trend-box-budget"' in page
    response = client.get(TREND, params)
    assert response.status_code == 200
    return response.content.decode()


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code in (200, 204)
    return len(captured)


def test_the_report_shows_the_realisation_of_the_last_five_years_for_a_kabkota(as_user, staff, magelang):
    _events_in(range(2018, 2026), staff, magelang)
    html = _trend(as_user(staff), wilayah="33.71", periode="2025")
    budget = _trend_of(html, "budget")
    assert list(budget) == ["2021", "2022", "2023", "2024", "2025"]  # oldest first, five at most
    assert [re.sub(r"\D", "", shown) for shown in budget.values()] == [
        f"{year - 2010}000000" for year in range(2021, 2026)
    ]
    assert list(_trend_of(html, "events_held").values()) == ["1"] * 5
    assert 'hx-swap-oob="true"' in html  # each block goes into its own card


def test_the_trend_leaves_out_years_without_data_and_ends_with_the_year_shown(as_user, staff, magelang):
    _events_in([2019, 2021], staff, magelang)
    html = _trend(as_user(staff), wilayah="33.71", periode="2024")
    # 2020 had no data; 2023 is always there, as the year before the one shown.
    assert list(_trend_of(html, "events_held").items()) == [
        ("2019", "1"),
        ("2021", "1"),
        ("2023", "0"),
        ("2024", "0"),
    ]


@pytest.mark.parametrize("params", [{"wilayah": "33.71", "periode": "2025-S1"}, {"wilayah": "33.71.01"}])
def test_no_trend_for_a_semester_or_below_a_kabkota(as_user, superuser, staff, magelang, params):
    _events_in(range(2020, 2026), staff, magelang)
    assert _trend(as_user(superuser), **{"periode": "2025", **params}) == ""


def test_no_trend_when_only_the_year_and_the_one_before_are_known(as_user, staff, magelang):
    _events_in([2024, 2025], staff, magelang)
    client = as_user(staff)
    assert _trend(client, wilayah="33.71", periode="2025") == ""
    assert 'class="current"' in client.get(REPORT, {"wilayah": "33.71", "periode": "2025"}).content.decode()


def test_the_page_counts_no_earlier_year_and_the_trend_at_most_five_reports(as_user, staff, magelang):
    """The report page counts its own year's report only, whatever the years of data: the trend comes
    after it (htmx) and counts at most TREND_YEARS reports, each a constant number of queries
    (trainings/indicators.py); fewer, since a report gives its year and the one before."""
    client = as_user(staff)
    _events_in([2025], staff, magelang)
    cache.clear()
    page_alone = _queries(client, REPORT, wilayah="33.71", periode="2025")
    cache.clear()
    with CaptureQueriesContext(connection) as one_report:
        counted_indicator_report("33.71", Period(2020))
    _events_in(range(2016, 2024), staff, magelang)
    cache.clear()
    assert _queries(client, REPORT, wilayah="33.71", periode="2025") == page_alone
    cache.clear()
    trend = _queries(client, TREND, wilayah="33.71", periode="2025")
    assert trend <= targets.TREND_YEARS * len(one_report) + 10  # + the session, scope, report years
    _events_in(range(2005, 2016), staff, magelang)  # eleven more years: no more reports counted
    cache.clear()
    assert _queries(client, TREND, wilayah="33.71", periode="2025") == trend
    # Counted once, the reports are read from the cache, one query each at most.
    assert _queries(client, TREND, wilayah="33.71", periode="2025") <= page_alone + targets.TREND_YEARS


def test_the_lkjip_table_has_a_realisation_column_for_each_earlier_year(as_user, staff, magelang):
    _events_in(range(2019, 2026), staff, magelang)
    client = as_user(staff)
    response = client.get("/indikator/lkjip/33.71/2025/csv/")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[5:] == [
        "Target 2025",
        "Realisasi 2025",
        "Capaian (%)",
        "Realisasi 2021",
        "Realisasi 2022",
        "Realisasi 2023",
        "Realisasi 2024",
        "Tren",
    ]
    budget = next(row for row in body if row[2] == "Anggaran")
    assert budget[6] == "15000000" and budget[8:12] == ["11000000", "12000000", "13000000", "14000000"]
    assert budget[12] == "membaik"


def test_the_lkjip_table_of_a_year_without_earlier_data_keeps_last_year(as_user, staff, magelang):
    response = as_user(staff).get("/indikator/lkjip/33.71/2025/csv/")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][8:] == ["Realisasi 2024", "Tren"]


def test_the_lkjip_table_takes_as_many_queries_for_sixteen_years_as_for_five(as_user, staff, magelang):
    client = as_user(staff)
    url = "/indikator/lkjip/33.71/2025/xlsx/"
    _events_in(range(2021, 2026), staff, magelang)
    cache.clear()
    with CaptureQueriesContext(connection) as five:
        b"".join(client.get(url).streaming_content)
    _events_in(range(2010, 2021), staff, magelang)
    cache.clear()
    with CaptureQueriesContext(connection) as sixteen:
        b"".join(client.get(url).streaming_content)
    assert len(sixteen) == len(five)
