"""The member list: search, filters, sorting, pagination, and a constant number of queries."""

import re

import pytest
from django.urls import reverse

from members.models import MemberStatus
from tests import factories


def _names(response):
    return [row.record.full_name for row in response.context["table"].page.object_list]


@pytest.fixture
def roster(unit_a, unit_b, magelang):
    unit_selatan = factories.UnitFactory(region=magelang["magersari"])
    return {
        "budi": factories.MemberFactory(
            unit=unit_a, full_name="Budi Santoso", female=False, kta_number="K-1"
        ),
        "siti": factories.MemberFactory(
            unit=unit_b, full_name="Siti Rahayu", female=True, status=MemberStatus.CALON, kta_number="K-2"
        ),
        "agus": factories.MemberFactory(
            unit=unit_selatan,
            full_name="Agus Wibowo",
            female=False,
            kta_number="K-3",
            status=MemberStatus.NONAKTIF,
            status_reason="lainnya",
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cari": "santoso"}, ["Budi Santoso"]),
        ({"cari": "k-2"}, ["Siti Rahayu"]),
        ({"kecamatan": "33.71.01"}, ["Agus Wibowo"]),
        ({"kecamatan": "33.71.03", "kelurahan": "33.71.03.1002"}, ["Siti Rahayu"]),
        ({"status": "calon"}, ["Siti Rahayu"]),
        ({"jenis_kelamin": "L"}, ["Agus Wibowo", "Budi Santoso"]),
        ({}, ["Agus Wibowo", "Budi Santoso", "Siti Rahayu"]),
    ],
)
def test_search_and_filters(as_user, staff, roster, params, expected):
    assert _names(as_user(staff).get(reverse("members:list"), params)) == expected


def test_search_by_nik_typed_with_spaces_opens_the_member_without_nik_in_url(as_user, staff, roster):
    nik = roster["siti"].nik
    spaced = f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}"
    response = as_user(staff).post(reverse("members:search"), {"cari": spaced})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[roster["siti"].pk])


def test_search_by_nik_out_of_scope_finds_nothing(as_user, coordinator, roster):
    response = as_user(coordinator).post(reverse("members:search"), {"cari": roster["siti"].nik}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("members:list")
    assert "Tidak ada anggota dengan NIK ini" in response.content.decode()


def test_name_search_keeps_the_filters(as_user, staff, roster):
    response = as_user(staff).post(reverse("members:search"), {"cari": "budi", "status": "aktif"})
    assert response["Location"] == reverse("members:list") + "?cari=budi&status=aktif"
    assert _names(as_user(staff).get(response["Location"])) == ["Budi Santoso"]


def test_search_only_by_post(as_user, staff):
    assert as_user(staff).get(reverse("members:search")).status_code == 405


def test_filter_by_unit(as_user, staff, roster, unit_b):
    assert _names(as_user(staff).get(reverse("members:list"), {"unit": unit_b.pk})) == ["Siti Rahayu"]


def test_sorting_by_name_descending(as_user, staff, roster):
    response = as_user(staff).get(reverse("members:list"), {"urut": "-full_name"})
    assert _names(response) == ["Siti Rahayu", "Budi Santoso", "Agus Wibowo"]


def _options(form, name: str) -> set[str]:
    return {str(value) for value, _label in form.fields[name].choices if value}


def test_kelurahan_and_units_are_listed_once_a_kecamatan_is_chosen(as_user, staff, roster, unit_a, unit_b):
    client = as_user(staff)
    unchosen = client.get(reverse("members:list"))
    form = unchosen.context["filter"].form
    assert _options(form, "kelurahan") == _options(form, "unit") == set()
    assert form.fields["kelurahan"].disabled and form.fields["unit"].disabled
    assert re.search(r'<select name="kelurahan"[^>]* disabled', unchosen.content.decode())
    assert "(pilih kecamatan dulu)" in unchosen.content.decode()

    form = client.get(reverse("members:list"), {"kecamatan": "33.71.03"}).context["filter"].form
    assert _options(form, "kelurahan") == {"33.71.03.1002", "33.71.03.1003"}
    assert _options(form, "unit") == {str(unit_a.pk), str(unit_b.pk)}
    assert not form.fields["kelurahan"].disabled


@pytest.mark.parametrize("param", ["kelurahan", "unit"])
def test_a_kelurahan_or_unit_in_the_url_brings_its_kecamatan(as_user, staff, roster, unit_b, param):
    value = unit_b.region_id if param == "kelurahan" else unit_b.pk
    response = as_user(staff).get(reverse("members:list"), {param: value})
    assert _names(response) == ["Siti Rahayu"]
    form = response.context["filter"].form
    assert form["kecamatan"].value() == "33.71.03"
    assert str(value) in _options(form, param)


def test_pagination(as_user, staff, unit_a):
    factories.MemberFactory.create_batch(30, unit=unit_a)
    client = as_user(staff)
    first = client.get(reverse("members:list"))
    assert len(_names(first)) == 25
    second = client.get(reverse("members:list"), {"halaman": 2})
    assert len(_names(second)) == 5
    assert len(_names(client.get(reverse("members:list"), {"per_halaman": 50}))) == 30


def test_query_count_does_not_grow_with_page_size(
    as_user, staff, unit_a, unit_b, django_assert_max_num_queries
):
    client = as_user(staff)
    factories.MemberFactory.create_batch(3, unit=unit_a)
    client.get(reverse("members:list"))  # session and caches warm
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("members:list"), {"per_halaman": 100})
    factories.MemberFactory.create_batch(40, unit=unit_a)
    factories.MemberFactory.create_batch(40, unit=unit_b)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("members:list"), {"per_halaman": 100})
    assert len(_names(response)) == 83
    assert len(large) == len(small)
    assert len(large) <= 12


def test_unit_page_query_count_is_constant(as_user, staff, unit_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(staff)
    url = reverse("members:unit_detail", args=[unit_a.pk])
    factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a))
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for role in ("sekretaris", "bendahara"):
        factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a), role=role)
    factories.MemberFactory.create_batch(20, unit=unit_a)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_home_query_count_is_constant(as_user, staff, unit_a, unit_b, magelang):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(staff)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("home"))
    factories.UnitFactory(region=magelang["magersari"])
    factories.MemberFactory.create_batch(10, unit=unit_b)
    for role in ("ketua", "sekretaris"):
        factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a), role=role)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("home"))
    assert len(large) == len(small)


def test_a_unit_given_in_other_digits_is_ignored_rather_than_failing(as_user, staff, roster):
    response = as_user(staff).get(reverse("members:list"), {"unit": "²"})
    assert response.status_code == 200
    assert _names(response) == ["Agus Wibowo", "Budi Santoso", "Siti Rahayu"]  # as for any refused value
