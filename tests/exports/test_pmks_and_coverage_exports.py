"""PMKS counts (kelurahan x 26 categories for a period) and the dashboard's coverage table, as files."""

import datetime

import pytest
from django.urls import reverse

from cases.models import PmksCategory
from ipsm.models import ExportLog
from members.models import Region
from tests import factories
from tests.exports.helpers import fetch, queries_of


def pmks_url(code: str, fmt: str = "xlsx") -> str:
    return reverse("cases:pmks_export", args=[code, fmt])


def coverage_url(code: str, fmt: str = "xlsx") -> str:
    return reverse("exports:coverage", args=[code, fmt])


@pytest.fixture
def counts(magelang):
    poor, other = PmksCategory.objects.get(number=24), PmksCategory.objects.get(number=1)

    def count(region, category, number, year=2022, semester=0):
        factories.PmksCountFactory(
            kelurahan=magelang[region], category=category, count=number, year=year, semester=semester
        )

    count("cacaban", poor, 300)
    count("cacaban", other, 12)
    count("rejowinangun_utara", poor, 40)
    count("rejowinangun_utara", poor, 45, year=2023, semester=1)
    count("kowangan", poor, 99)
    return {"poor": poor, "other": other}


def _column(counts, key: str) -> str:
    category = counts[key]
    return f"{category.number}. {category.name}"


def test_pmks_counts_of_a_kab_kota_for_a_period(as_user, staff, counts):
    rows = fetch(as_user(staff), pmks_url("33.71"), {"periode": "2022"})
    assert [row["Region code"] for row in rows] == ["33.71.01.1007", "33.71.03.1002", "33.71.03.1003"]
    assert len(rows[0]) == 3 + PmksCategory.objects.count() + 2
    magersari, cacaban, rejowinangun = rows
    assert cacaban[_column(counts, "poor")] == 300
    assert cacaban[_column(counts, "other")] == 12
    assert cacaban["Total"] == 312
    assert cacaban["Date of the data"] == datetime.datetime(2022, 12, 31)
    assert rejowinangun[_column(counts, "poor")] == 40  # not the 2023-S1 figure
    assert rejowinangun[_column(counts, "other")] is None  # nothing entered is not a zero
    assert magersari["Total"] is None
    log = ExportLog.objects.get()
    assert (log.list_name, log.filters, log.row_count) == (
        "pmks_counts",
        {"wilayah": "33.71", "periode": "2022"},
        3,
    )


def test_pmks_semester_and_default_period(as_user, staff, counts, today):
    rows = fetch(as_user(staff), pmks_url("33.71.03.1003", "csv"), {"periode": "2023-S1"})
    assert [(row["Region code"], row["Total"]) for row in rows] == [("33.71.03.1003", "45")]
    # Without a period: the region's latest with figures.
    rows = fetch(as_user(staff), pmks_url("33.71.03"))
    assert [row["Total"] for row in rows] == [None, 45]
    response = as_user(staff).get(pmks_url("33.71.03"), {"periode": "2023-S1"})
    assert f'filename="pmks-33.71.03-2023-S1-{today:%Y-%m-%d}.xlsx"' in response["Content-Disposition"]


def test_pmks_viewer_and_coordinator_of_their_kelurahan(as_user, viewer, coordinator, counts):
    assert len(fetch(as_user(viewer), pmks_url("33.71"), {"periode": "2022"})) == 3
    rows = fetch(as_user(coordinator), pmks_url("33.71.03.1003"), {"periode": "2022"})
    assert [row["Total"] for row in rows] == [40]


@pytest.mark.parametrize(
    ("role", "code", "status"),
    [
        ("coordinator", "33.71", 404),  # only their own kelurahan is in their scope
        ("coordinator", "33.71.03.1002", 404),
        ("staff_other", "33.71", 404),
        ("staff", "33.23", 404),
        ("staff", "99.99", 404),
    ],
)
def test_pmks_regions_outside_the_scope_are_not_found(request, as_user, counts, role, code, status):
    assert as_user(request.getfixturevalue(role)).get(pmks_url(code)).status_code == status
    assert not ExportLog.objects.exists()


def test_pmks_refusals(client, as_user, counts, magelang):
    assert client.get(pmks_url("33.71")).status_code == 302
    stranger = factories.UserFactory(username="tamu")
    factories.AssignmentFactory(user=stranger, region=magelang["kota_magelang"])
    assert as_user(stranger).get(pmks_url("33.71")).status_code == 403


def _add_kelurahan(magelang, count: int) -> None:
    for number in range(count):
        Region.objects.create(
            code=f"33.71.03.20{number:02d}",
            name=f"Desa {number}",
            level="desa",
            parent=magelang["magelang_tengah"],
        )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_pmks_query_count_does_not_grow_with_rows(
    as_user, staff, counts, magelang, fmt, django_assert_num_queries
):
    client = as_user(staff)
    expected = queries_of(client, pmks_url("33.71.03", fmt), {"periode": "2022"})
    _add_kelurahan(magelang, 4)
    with django_assert_num_queries(expected):
        assert len(fetch(client, pmks_url("33.71.03", fmt), {"periode": "2022"})) == 6


# --- Coverage --------------------------------------------------------------------------------------------


@pytest.fixture
def coverage(counts, unit_a, unit_b):
    factories.MemberFactory.create_batch(2, unit=unit_a)
    factories.MemberFactory.create_batch(5, unit=unit_b)
    return counts


def test_coverage_table_as_the_dashboard_shows_it(as_user, staff, coverage):
    rows = fetch(as_user(staff), coverage_url("33.71"), {"periode": "2022"})
    # Worst first, as on the dashboard: no PSM, then short of PSM (most needed first), then enough, then
    # those without PMKS figures for the period (Magersari: no status, the minimum only).
    assert [(row["Region code"], row["Status"], row["PSM still needed"]) for row in rows] == [
        ("33.71.03.1003", "PSM short", 3),
        ("33.71.03.1002", "PSM short", 2),
        ("33.71.01.1007", "No PMKS figures yet", 5),
    ]
    cacaban = rows[1]
    assert (cacaban["Active PSM"], cacaban["PMKS"], cacaban["PSM target"], cacaban["PSM still needed"]) == (
        5,
        312,
        7,
        2,
    )
    assert cacaban["PMKS per PSM"] == 62.4
    assert cacaban["Active PSM trained (ever)"] == 0
    assert cacaban["Trained (ever), %"] == 0
    assert rows[2]["Trained (ever), %"] is None  # no active PSM: no share
    log = ExportLog.objects.get()
    assert (log.list_name, log.filters, log.row_count) == (
        "coverage",
        {"wilayah": "33.71", "periode": "2022"},
        3,
    )


def test_coverage_sorted_like_the_page_and_scoped(as_user, staff, coverage):
    rows = fetch(
        as_user(staff),
        coverage_url("33.71.03", "csv"),
        {"periode": "2022", "urut": "-active_psm", "halaman": "2"},
    )
    assert [row["Region code"] for row in rows] == ["33.71.03.1002", "33.71.03.1003"]
    assert ExportLog.objects.get().filters == {
        "urut": "-active_psm",
        "wilayah": "33.71.03",
        "periode": "2022",
    }


def test_coverage_without_a_period_takes_the_latest_with_figures(as_user, staff, coverage):
    rows = fetch(as_user(staff), coverage_url("33.71.03"), {"urut": "code"})
    assert [row["PMKS"] for row in rows] == [None, 45]
    assert ExportLog.objects.get().filters["periode"] == "2023-S1"


def test_coverage_viewer_may_export(as_user, viewer, coverage):
    assert len(fetch(as_user(viewer), coverage_url("33.71"))) == 3


@pytest.mark.parametrize(
    ("role", "code", "status"), [("coordinator", "33.71.03.1003", 403), ("staff_other", "33.71", 404)]
)
def test_coverage_refusals(request, as_user, coverage, role, code, status):
    assert as_user(request.getfixturevalue(role)).get(coverage_url(code)).status_code == status


def test_coverage_anonymous_user_is_sent_to_login(client, coverage):
    assert client.get(coverage_url("33.71")).status_code == 302


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_coverage_query_count_does_not_grow_with_rows(
    as_user, staff, coverage, magelang, fmt, django_assert_num_queries
):
    client = as_user(staff)
    expected = queries_of(client, coverage_url("33.71.03", fmt))
    _add_kelurahan(magelang, 4)
    with django_assert_num_queries(expected):
        assert len(fetch(client, coverage_url("33.71.03", fmt))) == 6
