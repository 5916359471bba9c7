"""Figures that cannot mislead on the coverage dashboard: a kelurahan without PMKS figures for the period has
no status ("Belum ada data PMKS"), every figure of a page is of the one period shown (and the links down keep
it), a region counts its kelurahan per status instead of taking the worst one, every region opens on the
same period, the kelurahan table is searched by name and the chart shows the kelurahan most in need."""

import re

import pytest
from django.urls import reverse

from cases.models import CoverageStatus, PmksCategory
from cases.periods import Period
from tests import factories
from tests.cases.test_dashboard import _add_kelurahan, _queries

NO_DATA = "Belum ada data PMKS"


@pytest.fixture
def data(magelang, unit_a, unit_b):
    """2022: Rejowinangun Utara 6 active PSM / 320 PMKS (short), Cacaban 2 active / 40 (short), Magersari no
    unit / 75 (tanpa PSM). 2023: Cacaban only (999 PMKS); Kowangan (Temanggung) has 2024 figures only."""
    poor = PmksCategory.objects.get(number=24)
    factories.MemberFactory.create_batch(6, unit=unit_a)
    factories.MemberFactory.create_batch(2, unit=unit_b)
    count = factories.PmksCountFactory
    count(kelurahan=magelang["rejowinangun_utara"], category=poor, count=320, year=2022)
    count(kelurahan=magelang["cacaban"], category=poor, count=40, year=2022)
    count(kelurahan=magelang["magersari"], category=poor, count=75, year=2022)
    count(kelurahan=magelang["cacaban"], category=poor, count=999, year=2023)
    count(kelurahan=magelang["kowangan"], category=poor, count=120, year=2024)
    return magelang


def _row(content: str, code: str) -> str:
    element = "kel-" + "-".join(code.split("."))
    return re.search(rf'<tr id="{element}".*?</tr>', content, re.DOTALL)[0]


def _child_row(content: str, code: str) -> str:
    return re.search(rf'<tr data-code="{re.escape(code)}">.*?</tr>', content, re.DOTALL)[0]


# --- No PMKS figures for the period: no status --------------------------------------------------------------


def test_kelurahan_without_pmks_for_the_period_shows_belum_ada_data_never_a_status(as_user, staff, data):
    response = as_user(staff).get(reverse("home"), {"periode": "2023"})
    content = response.content.decode()
    for code in ("33.71.03.1003", "33.71.01.1007"):  # Rejowinangun Utara (6 PSM), Magersari (none)
        row = _row(content, code)
        assert 'data-status="3"' in row and NO_DATA in row
        assert not re.search(r'data-status="[012]"', row)
        assert 'class="text-end pmks">—<' in row
    assert 'data-status="1"' in _row(content, "33.71.03.1002")  # Cacaban: 999 PMKS, 2 PSM
    # No figures, no status: last in the worst-first order, and not in the chart.
    assert [row.code for row in response.context["page"]][0] == "33.71.03.1002"
    assert response.context["chart_data"]["labels"] == ["Cacaban"]


def test_totals_are_of_the_period_shown_only(as_user, staff, data):
    response = as_user(staff).get(reverse("home"), {"periode": "2023"})
    totals = response.context["totals"]
    assert totals["pmks"] == 999  # not 2022's 435
    assert (totals["kelurahan_without_pmks"], totals["kelurahan_short"], totals["kelurahan_without_psm"]) == (
        2,
        1,
        0,
    )
    content = response.content.decode()
    note = re.search(r'id="no-pmks-note">(.*?)</p>', content, re.DOTALL)[1]
    assert "2 kelurahan/desa" in note and "Tahun 2023" in note
    needed = re.search(r'id="total-psm-needed">(.*?)</div>', content)[1]
    assert needed.startswith("sedikitnya")  # the two without figures count at the minimum only
    # Every link down keeps the period, so the next page's figures are the same period's.
    assert f'href="{reverse("coverage", args=["33.71.03"])}?periode=2023"' in content
    assert f'href="{reverse("coverage_without_psm", args=["33.71"])}?periode=2023"' in content


def test_national_page_from_the_snapshot_gives_no_status_without_figures(as_user, superuser, data):
    response = as_user(superuser).get(reverse("home"), {"periode": "2023"})
    content = response.content.decode()
    assert response.context["snapshot"] is not None
    assert response.context["totals"]["pmks"] == 999
    assert 'data-status="3"' in _row(content, "33.71.03.1003")
    statuses = dict(response.context["statuses"])
    assert statuses == {CoverageStatus.KURANG: 1, CoverageStatus.NO_DATA: 3}
    assert 'data-status="2"' not in content  # nobody is "enough" without figures


def test_a_period_without_any_figures_gives_every_kelurahan_no_status(as_user, staff, data):
    response = as_user(staff).get(reverse("home"), {"periode": "2021"})
    assert dict(response.context["statuses"]) == {CoverageStatus.NO_DATA: 3}
    assert response.context["totals"]["pmks"] is None
    assert "chart_data" in response.context and response.context["chart_data"]["labels"] == []
    assert 'id="coverage-chart"' not in response.content.decode()


# --- A region counts its kelurahan per status ---------------------------------------------------------------


def test_a_kecamatan_shows_its_kelurahan_per_status_not_the_worst(as_user, staff, data, unit_b):
    factories.MemberFactory.create_batch(3, unit=unit_b)  # Cacaban: 5 active PSM for 40 PMKS: enough
    response = as_user(staff).get(reverse("home"), {"periode": "2022"})
    children = {row["code_prefix"]: row for row in response.context["child_rows"]}
    assert children["33.71.03"]["statuses"] == [(CoverageStatus.KURANG, 1), (CoverageStatus.CUKUP, 1)]
    assert children["33.71.01"]["statuses"] == [(CoverageStatus.TANPA_PSM, 1)]
    tengah = _child_row(response.content.decode(), "33.71.03")
    assert 'data-status="1" data-count="1"' in tengah and 'data-status="2" data-count="1"' in tengah
    assert 'data-status="0"' not in tengah  # one red kelurahan elsewhere paints no kecamatan red
    # Regions with kelurahan tanpa PSM first.
    assert [row["code_prefix"] for row in response.context["child_rows"]] == ["33.71.01", "33.71.03"]


def test_province_rows_count_kelurahan_without_figures(as_user, superuser, data):
    response = as_user(superuser).get(reverse("coverage", args=["33"]), {"periode": "2024"})
    children = {row["code_prefix"]: row for row in response.context["child_rows"]}
    assert children["33.71"]["statuses"] == [(CoverageStatus.NO_DATA, 3)]
    assert children["33.23"]["statuses"] == [(CoverageStatus.TANPA_PSM, 1)]  # Kowangan: 120 PMKS, no PSM
    assert f'href="{reverse("coverage", args=["33.23"])}?periode=2024"' in response.content.decode()


# --- The same default period everywhere ---------------------------------------------------------------------


def test_two_kabkota_with_different_data_open_on_the_same_period(as_user, superuser, data):
    client = as_user(superuser)
    magelang = client.get(reverse("coverage", args=["33.71"]))  # figures up to 2023
    temanggung = client.get(reverse("coverage", args=["33.23"]))  # 2024 only
    assert magelang.context["period"] == temanggung.context["period"] == Period(2024)
    assert dict(magelang.context["statuses"]) == {CoverageStatus.NO_DATA: 3}
    assert client.get(reverse("home")).context["period"] == Period(2024)


# --- Search by name -----------------------------------------------------------------------------------------


def test_search_by_name_narrows_the_table_but_not_the_totals(as_user, staff, data):
    response = as_user(staff).get(reverse("home"), {"cari": "  caca ", "periode": "2022"})
    assert [row.code for row in response.context["page"]] == ["33.71.03.1002"]
    assert response.context["totals"]["kelurahan_count"] == 3
    assert response.context["search"] == "caca"
    content = response.content.decode()
    assert 'name="cari"' in content and 'value="caca"' in content
    assert "1 kelurahan/desa" in re.search(r'id="kelurahan-heading">(.*?)</h2>', content)[1]
    # The period selector keeps the search.
    assert '<input type="hidden" name="cari" value="caca">' in content


@pytest.mark.parametrize("text", ["%", "_", "'\"\\", "x" * 5000, "tidak ada"])
def test_search_without_match_says_so(as_user, staff, data, text):
    response = as_user(staff).get(reverse("home"), {"cari": text})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "Tidak ada kelurahan/desa" in response.content.decode()


def test_search_on_the_national_page_and_the_tanpa_psm_list(as_user, superuser, staff, data):
    response = as_user(superuser).get(reverse("home"), {"cari": "REJO"})
    assert [row.code for row in response.context["page"]] == ["33.71.03.1003"]
    url = reverse("coverage_without_psm", args=["33.71"])
    response = as_user(staff).get(url, {"cari": "mager", "periode": "2022"})
    assert [row.code for row in response.context["page"]] == ["33.71.01.1007"]
    response = as_user(staff).get(url, {"cari": "caca", "periode": "2022"})
    assert list(response.context["page"]) == []


@pytest.mark.parametrize(
    "url", [reverse("home") + "?cari=a", reverse("coverage", args=["33.71"]) + "?cari=Tambah"]
)
def test_search_takes_the_same_queries_for_3_or_8_kelurahan(as_user, staff, data, url):
    client = as_user(staff)
    small = _queries(client, url)
    _add_kelurahan(data, 5)
    assert _queries(client, url) == small


def test_national_search_takes_the_same_queries_for_3_or_8_kelurahan(as_user, superuser, data):
    client = as_user(superuser)
    url = reverse("home") + "?cari=a"
    small = _queries(client, url)
    _add_kelurahan(data, 5)
    assert _queries(client, url) == small


# --- The chart ----------------------------------------------------------------------------------------------


def test_chart_shows_at_most_15_kelurahan_worst_first(as_user, staff, data):
    _add_kelurahan(data, 15)  # 2 PSM each for 60-74 PMKS (2022): 3 short each
    chart = as_user(staff).get(reverse("home"), {"periode": "2022"}).context["chart_data"]
    assert len(chart["labels"]) == 15
    assert chart["labels"][0] == "Magersari"  # tanpa PSM first (5 needed), then the most PSM needed
    assert chart["needed"] == [5] + [3] * 14
    assert "Rejowinangun Utara" not in chart["labels"]  # 1 needed: not among the worst 15
    assert all(a + n >= t for a, n, t in zip(chart["active"], chart["needed"], chart["target"], strict=True))


# --- The printed sheet --------------------------------------------------------------------------------------


def test_sheet_without_figures_for_the_period_has_no_status_and_points_to_the_latest(as_user, staff, data):
    url = reverse("coverage_print", args=["33.71.03.1003"])
    content = as_user(staff).get(url, {"periode": "2023"}).content.decode()
    status = re.search(r'id="sheet-status">(.*?)</td>', content, re.DOTALL)[1]
    assert 'data-status="3"' in status and NO_DATA in status
    assert 'id="sheet-no-pmks"' in content
    assert 'id="sheet-latest-period" href="?periode=2022"' in content
    assert re.search(r'id="sheet-psm-target">sedikitnya 5<', content)
