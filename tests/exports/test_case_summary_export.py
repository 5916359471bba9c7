"""The case summary export: counts per kelurahan x category x status, never a person; staff only."""

import pytest
from django.urls import reverse

from cases.models import CaseStatus, PmksCategory
from ipsm.models import ExportLog
from tests import factories
from tests.exports.helpers import body, fetch, queries_of


def url(fmt: str = "xlsx") -> str:
    return reverse("cases:summary_export", args=[fmt])


@pytest.fixture
def cases(magelang):
    poor, other = PmksCategory.objects.get(number=24), PmksCategory.objects.get(number=8)
    cacaban, rejowinangun = magelang["cacaban"], magelang["rejowinangun_utara"]
    factories.CaseFactory(kelurahan=cacaban, category=poor, person_name="Siti Aminah")
    factories.CaseFactory(kelurahan=cacaban, category=poor, status=CaseStatus.ASESMEN)
    factories.CaseFactory(kelurahan=cacaban, category=poor, status=CaseStatus.DITUTUP, close_reason="pindah")
    factories.CaseFactory(kelurahan=cacaban, category=other)
    factories.CaseFactory(kelurahan=rejowinangun, category=poor, status=CaseStatus.SELESAI)
    factories.CaseFactory(kelurahan=magelang["kowangan"], category=poor, person_name="Wulan Temanggung")
    return {"poor": poor, "other": other}


def _key(row) -> tuple:
    return (row["Region code"], row["No."])


def test_staff_gets_counts_per_kelurahan_category_and_status(as_user, staff, cases):
    rows = fetch(as_user(staff), url())
    # Kelurahan by code, then categories in their order (sort_order follows the number when seeded).
    assert [_key(row) for row in rows] == [("33.71.03.1002", 8), ("33.71.03.1002", 24), ("33.71.03.1003", 24)]
    poor_cacaban = next(row for row in rows if _key(row) == ("33.71.03.1002", 24))
    assert poor_cacaban["Kelurahan/desa"] == "Cacaban"
    assert poor_cacaban["Kecamatan"] == "Magelang Tengah"
    assert poor_cacaban["PMKS category"] == cases["poor"].name
    assert (poor_cacaban["New"], poor_cacaban["Assessment"], poor_cacaban["Closed"]) == (1, 1, 1)
    assert (poor_cacaban["Completed"], poor_cacaban["Open (any stage)"], poor_cacaban["Total"]) == (0, 2, 3)


def test_no_personal_data_and_no_other_region(as_user, staff, cases):
    content = body(as_user(staff).get(url("csv"))).decode()
    assert "Siti Aminah" not in content
    assert "Kowangan" not in content and "33.23" not in content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, {("33.71.03.1002", 24): 2, ("33.71.03.1002", 8): 1}),
        ({"status": "selesai"}, {("33.71.03.1003", 24): 1}),
        ({"kelurahan": "33.71.03.1003"}, {("33.71.03.1003", 24): 1}),
        ({"wilayah": "33.71.03.1002", "kategori": "other"}, {("33.71.03.1002", 8): 1}),
        ({"tanpa_psm": "1", "kecamatan": "33.71.03"}, {("33.71.03.1002", 24): 2, ("33.71.03.1002", 8): 1}),
    ],
)
def test_the_case_list_filters_apply(as_user, staff, cases, params, expected):
    if "kategori" in params:
        params = {**params, "kategori": str(cases[params["kategori"]].pk)}
    rows = fetch(as_user(staff), url("csv"), params)
    assert {(row["Region code"], int(row["No."])): int(row["Total"]) for row in rows} == expected
    assert ExportLog.objects.get().filters == params


def test_the_name_search_is_left_out(as_user, staff, cases):
    rows = fetch(as_user(staff), url(), {"cari": "Siti"})
    assert sum(row["Total"] for row in rows) == 5
    assert ExportLog.objects.get().filters == {}


def test_a_refused_filter_gives_no_rows(as_user, staff, cases):
    assert fetch(as_user(staff), url(), {"wilayah": "33.23"}) == []
    assert ExportLog.objects.get().row_count == 0


def test_other_staff_see_only_their_region(as_user, staff_other, cases):
    rows = fetch(as_user(staff_other), url())
    assert [(row["Region code"], row["Total"]) for row in rows] == [("33.23.11.2001", 1)]


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_only_holders_of_view_case_may_export(request, as_user, cases, role):
    assert as_user(request.getfixturevalue(role)).get(url()).status_code == 403
    assert not ExportLog.objects.exists()


def test_anonymous_user_is_sent_to_login(client, cases):
    assert client.get(url("csv")).status_code == 302


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_query_count_does_not_grow_with_rows(as_user, staff, magelang, fmt, django_assert_num_queries):
    client = as_user(staff)
    categories = list(PmksCategory.objects.order_by("number")[:3])
    for region in ("cacaban", "rejowinangun_utara"):
        factories.CaseFactory(kelurahan=magelang[region], category=categories[0])
    expected = queries_of(client, url(fmt))
    for region in ("cacaban", "rejowinangun_utara"):
        for category in categories[1:]:
            factories.CaseFactory(kelurahan=magelang[region], category=category)
    with django_assert_num_queries(expected):
        assert len(fetch(client, url(fmt))) == 6
