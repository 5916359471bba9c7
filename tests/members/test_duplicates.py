"""The duplicate finder (Member.objects.visible_to(user).duplicate_pairs()) and its review page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import services
from members.models import DuplicateDismissal, Member
from tests import factories

BORN = datetime.date(1975, 4, 12)


def person(unit, name, *, born=BORN, phone="", **fields):
    # The factory gives everyone one phone number; here phones are chosen per test.
    return factories.MemberFactory(unit=unit, full_name=name, birth_date=born, phone=phone, **fields)


def pairs_for(user, **filters):
    return list(Member.objects.visible_to(user).filter(**filters).duplicate_pairs())


def as_ids(pairs):
    return {(pair.a.pk, pair.b.pk) for pair in pairs}


# The finder ---------------------------------------------------------------------------------------------


def test_similar_names_with_the_same_birth_date_are_a_pair(staff, unit_a, unit_b):
    siti = person(unit_a, "Siti Rahayu")
    sitti = person(unit_b, "Sitti Rahayu")
    [pair] = pairs_for(staff)
    assert (pair.a, pair.b) == (siti, sitti)
    assert pair.a.pk < pair.b.pk
    assert pair.reason == "name"
    assert pair.similar_name_same_birth_date and not pair.same_phone
    assert 0.7 < pair.similarity < 0.9


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Muhammad Agus Salim", "Moh. Agus Salim"),
        ("Sri Wahyuni", "Sri Wahyuningsih"),
        ("DEWI lestari", "Dewi Lestari"),
    ],
)
def test_spelling_variants_are_found(staff, unit_a, first, second):
    person(unit_a, first)
    person(unit_a, second)
    assert len(pairs_for(staff)) == 1


def test_similar_names_with_other_birth_dates_are_not_a_pair(staff, unit_a):
    person(unit_a, "Siti Rahayu")
    person(unit_a, "Sitti Rahayu", born=BORN + datetime.timedelta(days=1))
    assert pairs_for(staff) == []


@pytest.mark.parametrize(
    ("first", "second"), [("Agus Santoso", "Budi Santoso"), ("Joko Wibowo", "Joko Widodo")]
)
def test_different_people_born_the_same_day_are_not_a_pair(staff, unit_a, first, second):
    person(unit_a, first)
    person(unit_a, second)
    assert pairs_for(staff) == []


def test_the_same_phone_is_a_pair(staff, unit_a, unit_b):
    budi = person(unit_a, "Budi Santoso", phone="+6281234500001")
    other = person(unit_b, "Wulan Hartono", born=datetime.date(1980, 1, 1), phone="+6281234500001")
    [pair] = pairs_for(staff)
    assert (pair.a, pair.b, pair.reason) == (budi, other, "phone")
    assert pair.similarity < 0.5


def test_empty_phones_do_not_pair(staff, unit_a):
    person(unit_a, "Budi Santoso")
    person(unit_a, "Wulan Hartono", born=datetime.date(1980, 1, 1))
    assert pairs_for(staff) == []


def test_a_number_typed_for_many_records_is_not_a_sign(staff, unit_a):
    for index, name in enumerate(["Budi Santoso", "Wulan Hartono", "Eko Purnomo", "Ratna Sari"]):
        person(unit_a, name, born=datetime.date(1970 + index, 1, 1), phone="+6281100000000")
    assert pairs_for(staff) == []


def test_both_reasons_come_first_and_count_once(staff, unit_a):
    person(unit_a, "Siti Rahayu")
    person(unit_a, "Siti Rahayu Ningsih")  # name only (0.6)
    both = (person(unit_a, "Endang Lestari", phone="+6281200000001"), person(unit_a, "Endang Lestari, S.Pd"))
    both[1].phone = "+6281200000001"
    both[1].save()
    pairs = pairs_for(staff)
    assert len(pairs) == 2
    assert ((pairs[0].a, pairs[0].b), pairs[0].reason) == (both, "name+phone")
    assert len(pairs[0].reasons) == 2
    assert (pairs[1].reason, len(pairs[1].reasons)) == ("name", 1)


def test_dismissed_pairs_are_not_offered_again(staff, unit_a):
    siti, sitti = person(unit_a, "Siti Rahayu"), person(unit_a, "Sitti Rahayu")
    services.dismiss_duplicate(member=sitti, other=siti, by=staff)
    assert pairs_for(staff) == []
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.member_a, dismissal.member_b, dismissal.dismissed_by) == (siti, sitti, staff)
    services.dismiss_duplicate(member=siti, other=sitti, by=staff)  # twice is harmless
    assert DuplicateDismissal.objects.count() == 1


def test_merged_records_are_not_offered(staff, unit_a):
    siti, sitti, sittie = (person(unit_a, name) for name in ("Siti Rahayu", "Sitti Rahayu", "Siti Rahayuu"))
    services.merge_members(survivor=siti, merged=sitti, by=staff)
    assert as_ids(pairs_for(staff)) == {(siti.pk, sittie.pk)}


def test_pairs_stay_within_the_users_scope(staff, staff_other, superuser, unit_a, unit_temanggung):
    magelang = person(unit_a, "Siti Rahayu")
    temanggung = person(unit_temanggung, "Sitti Rahayu")
    magelang_twin = person(unit_a, "Siti Rahayuu")
    assert as_ids(pairs_for(staff)) == {(magelang.pk, magelang_twin.pk)}
    assert pairs_for(staff_other) == []
    assert as_ids(pairs_for(superuser)) == {
        (magelang.pk, temanggung.pk),
        (magelang.pk, magelang_twin.pk),
        (temanggung.pk, magelang_twin.pk),
    }


def test_coordinators_pairs_are_their_units_only(coordinator, unit_a, unit_b):
    person(unit_a, "Siti Rahayu")
    person(unit_b, "Sitti Rahayu")
    assert pairs_for(coordinator) == []


# The review page --------------------------------------------------------------------------------------


@pytest.fixture
def twins(unit_a, unit_b):
    return (
        person(unit_a, "Siti Rahayu", phone="+6281234567890"),
        person(unit_b, "Sitti Rahayu"),
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("coordinator", 403),
        ("coordinator_b", 403),
        ("viewer", 403),
        ("staff", 200),
        ("staff_other", 200),
        ("superuser", 200),
    ],
)
def test_review_page_access(request, as_user, twins, role, expected):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    response = as_user(user).get(reverse("members:duplicates"))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


def test_review_page_shows_pairs_side_by_side_masked(as_user, staff, twins):
    response = as_user(staff).get(reverse("members:duplicates"))
    html = response.content.decode()
    for member in twins:
        assert member.full_name in html
        assert member.kta_number in html
        assert member.masked_nik in html
        assert member.nik not in html
    assert "+6281234567890" not in html
    assert "+62812••••7890" in html
    assert reverse("members:merge", args=[twins[0].pk, twins[1].pk]) in html
    assert reverse("members:dismiss_duplicate", args=[twins[0].pk, twins[1].pk]) in html


def test_other_kab_kota_sees_no_pairs(as_user, staff_other, twins):
    response = as_user(staff_other).get(reverse("members:duplicates"))
    assert twins[0].full_name not in response.content.decode()
    assert response.context["page"].paginator.count == 0


def test_area_filter_narrows_to_a_kecamatan(as_user, staff, twins, magelang):
    unit_selatan = factories.UnitFactory(region=magelang["magersari"])
    person(unit_selatan, "Joko Purnomo", born=datetime.date(1966, 6, 6))
    person(unit_selatan, "Joko Purnomo", born=datetime.date(1966, 6, 6))
    client = as_user(staff)
    assert client.get(reverse("members:duplicates")).context["page"].paginator.count == 2
    selatan = client.get(reverse("members:duplicates"), {"wilayah": "33.71.01"})
    assert [pair.a.full_name for pair in selatan.context["page"]] == ["Joko Purnomo"]
    # A region outside the user's scope is not a choice: the whole area is shown.
    elsewhere = client.get(reverse("members:duplicates"), {"wilayah": "33.23.11"})
    assert elsewhere.context["page"].paginator.count == 2


def test_review_list_is_paginated(as_user, staff, unit_a):
    for day in range(25):
        born = datetime.date(1970, 1, 1) + datetime.timedelta(days=day)
        person(unit_a, "Siti Rahayu", born=born)
        person(unit_a, "Sitti Rahayu", born=born)
    client = as_user(staff)
    first = client.get(reverse("members:duplicates"))
    assert len(first.context["page"].object_list) == 20
    second = client.get(reverse("members:duplicates"), {"halaman": 2})
    assert len(second.context["page"].object_list) == 5


def test_review_list_query_count_is_constant(as_user, staff, unit_a, unit_b):
    client = as_user(staff)

    def add_pair(day):
        born = datetime.date(1970, 1, 1) + datetime.timedelta(days=day)
        person(unit_a, "Wahyu Setiawan", born=born)
        person(unit_b, "Wahyu Setyawan", born=born)

    for day in range(2):
        add_pair(day)
    client.get(reverse("members:duplicates"))  # session and caches warm
    with CaptureQueriesContext(connection) as two:
        response = client.get(reverse("members:duplicates"))
    assert response.context["page"].paginator.count == 2
    for day in range(2, 6):
        add_pair(day)
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("members:duplicates"))
    assert response.context["page"].paginator.count == 6
    assert len(six) == len(two)
    assert len(six) <= 10


# Dismissing ("bukan duplikat") --------------------------------------------------------------------------


def test_staff_dismisses_a_pair(as_user, staff, twins):
    url = reverse("members:dismiss_duplicate", args=[twins[1].pk, twins[0].pk])
    back = reverse("members:duplicates") + "?page=1"
    response = as_user(staff).post(url, {"next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    assert DuplicateDismissal.objects.filter(
        member_a=twins[0], member_b=twins[1], dismissed_by=staff
    ).exists()
    assert as_user(staff).get(reverse("members:duplicates")).context["page"].paginator.count == 0


def test_dismiss_does_not_redirect_elsewhere(as_user, staff, twins):
    url = reverse("members:dismiss_duplicate", args=[twins[0].pk, twins[1].pk])
    response = as_user(staff).post(url, {"next": "https://example.com/"})
    assert response["Location"] == reverse("members:duplicates")


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("coordinator", 403), ("viewer", 403), ("staff_other", 404), ("staff", 302)],
)
def test_dismiss_access(request, as_user, twins, role, expected):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    url = reverse("members:dismiss_duplicate", args=[twins[0].pk, twins[1].pk])
    response = as_user(user).post(url)
    assert response.status_code == expected
    assert DuplicateDismissal.objects.exists() == (role == "staff")


def test_dismiss_takes_post_only(as_user, staff, twins):
    url = reverse("members:dismiss_duplicate", args=[twins[0].pk, twins[1].pk])
    assert as_user(staff).get(url).status_code == 405
