"""The coordinator's pages made for a phone: one form for the member list's search and filters, a name search
on the unit list, the unit page's order and roster check, and a confirmation before a member becomes
inactive. (Layout at 390 px: tests/browser/test_field_journey.py.)"""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import MemberStatus, StatusChange
from tests import factories


class _Forms(HTMLParser):
    """The names of the fields of each <form> of a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": set()})
        elif tag in ("input", "select", "textarea", "button") and self.forms and attrs.get("name"):
            self.forms[-1]["fields"].add(attrs["name"])


def _forms(content: str) -> list[dict]:
    parser = _Forms()
    parser.feed(content)
    return parser.forms


def _names(response):
    return [row.record.full_name for row in response.context["table"].page.object_list]


# --- The member list: one form --------------------------------------------------------------------------


def test_search_and_filters_are_one_form_with_one_button(as_user, staff, member_a):
    content = as_user(staff).get(reverse("members:list")).content.decode()
    with_filters = [form for form in _forms(content) if form["fields"] & {"cari", "status"}]
    assert len(with_filters) == 1
    (form,) = with_filters
    every = {"cari", "kecamatan", "kelurahan", "unit", "status", "jenis_kelamin", "digabung", "per_halaman"}
    assert every <= form["fields"]
    assert form["attrs"]["method"] == "post"  # a NIK typed in it never lands in a URL
    assert form["attrs"]["action"] == reverse("members:search")
    block = re.search(r'<form[^>]*id="member-filter".*?</form>', content, re.DOTALL)[0]
    assert block.count('type="submit"') == 1


def test_a_name_and_a_status_are_kept_together(as_user, staff, unit_a):
    factories.MemberFactory(unit=unit_a, full_name="Budi Santoso", status=MemberStatus.CALON)
    factories.MemberFactory(unit=unit_a, full_name="Budi Prasetyo")
    factories.MemberFactory(unit=unit_a, full_name="Sri Wahyuni", status=MemberStatus.CALON)
    client = as_user(staff)
    # As the form posts them, the empty filters included.
    posted = {"cari": "budi", "status": "calon", "kecamatan": "", "jenis_kelamin": "", "per_halaman": "25"}
    response = client.post(reverse("members:search"), posted)
    assert response["Location"] == reverse("members:list") + "?cari=budi&status=calon&per_halaman=25"
    listed = client.get(response["Location"])
    assert _names(listed) == ["Budi Santoso"]
    form = listed.context["filter"].form
    assert (form["cari"].value(), form["status"].value()) == ("budi", "calon")
    content = listed.content.decode()
    assert 'value="budi"' in content
    assert re.search(r'<option value="calon" selected>', content)
    assert re.search(r"<details[^>]*open", content)  # a filter in use: the filters stay unfolded


def test_the_sort_order_goes_along_with_the_form(as_user, staff, member_a):
    content = as_user(staff).get(reverse("members:list"), {"urut": "-full_name"}).content.decode()
    block = re.search(r'<form[^>]*id="member-filter".*?</form>', content, re.DOTALL)[0]
    assert '<input type="hidden" name="urut" value="-full_name">' in block


def test_an_empty_search_goes_back_to_the_whole_list(as_user, staff):
    response = as_user(staff).post(reverse("members:search"), {"cari": "", "status": ""})
    assert response["Location"] == reverse("members:list")


def test_the_list_keeps_its_key_columns_on_a_phone(as_user, staff, member_a):
    content = as_user(staff).get(reverse("members:list")).content.decode()
    table = re.search(r'<table[^>]*id="member-table".*?</table>', content, re.DOTALL)[0]
    hidden = re.findall(r'<th class="([^"]*)"', table)
    # Name, unit and status show at any width; the NIK (masked) from lg, the rest from md.
    assert sum("d-none" in classes for classes in hidden) == 4
    assert member_a.kta_number in table and member_a.masked_nik in table


# --- The unit list: search by name -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cari": "rejo"}, ["Rejowinangun Utara"]),
        ({"cari": "  CACABAN "}, ["Cacaban"]),
        ({"cari": "a", "kecamatan": "33.71.01"}, ["Magersari"]),
        ({"cari": "tidak ada"}, []),
        ({}, ["Cacaban", "Magersari", "Rejowinangun Utara"]),
    ],
)
def test_unit_list_search_by_name(as_user, staff, unit_a, unit_b, magelang, params, expected):
    factories.UnitFactory(region=magelang["magersari"])
    response = as_user(staff).get(reverse("members:unit_list"), params)
    assert sorted(row.record.region.name for row in response.context["table"].page.object_list) == expected
    if "cari" in params:
        assert f'value="{params["cari"]}"' in response.content.decode()  # what was typed stays in the box


def test_unit_list_search_is_in_the_same_form_as_the_filters(as_user, staff, unit_a):
    content = as_user(staff).get(reverse("members:unit_list")).content.decode()
    forms = [form for form in _forms(content) if "cari" in form["fields"]]
    assert len(forms) == 1 and {"cari", "kecamatan", "perlu_perhatian"} <= forms[0]["fields"]


def test_coordinator_searches_only_their_own_unit(as_user, coordinator, unit_a, unit_b):
    response = as_user(coordinator).get(reverse("members:unit_list"), {"cari": "cacaban"})
    assert list(response.context["table"].page.object_list) == []


def test_unit_list_query_count_does_not_grow(as_user, staff, unit_a, magelang):
    client = as_user(staff)
    client.get(reverse("members:unit_list"), {"cari": "a"})
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("members:unit_list"), {"cari": "a"})
    for key in ("cacaban", "magersari", "magelang_selatan"):
        factories.MemberFactory(unit=factories.UnitFactory(region=magelang[key]))
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("members:unit_list"), {"cari": "a"})
    assert len(large) == len(small)


# --- The unit page: the roster first, the roster check an obvious button ------------------------------------


def test_unit_page_starts_with_the_roster_and_its_check(as_user, coordinator, unit_a, member_a):
    content = as_user(coordinator).get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    markers = ("roster-heading", "add-member-link", "roster", "board-section", "unit-coverage")
    order = [content.index(f'id="{marker}"') for marker in markers]
    assert order == sorted(order)
    button = re.search(
        r'<button class="btn btn-success"[^>]*id="confirm-roster">(.*?)</button>', content, re.DOTALL
    )
    assert "Konfirmasi daftar anggota sudah diperiksa" in button[1]
    assert "Daftar anggota belum pernah diperiksa." in content


def test_the_last_roster_check_is_shown_beside_the_button(as_user, coordinator, unit_a):
    client = as_user(coordinator)
    response = client.post(reverse("members:unit_confirm_roster", args=[unit_a.pk]), follow=True)
    content = response.content.decode()
    today = timezone.localdate().strftime("%d/%m/%Y")
    status = re.search(r'id="roster-status".*?</div>', content, re.DOTALL)[0]
    assert f"terakhir diperiksa pada {today} oleh koordinator-a" in status
    assert 'id="confirm-roster"' in status


def test_the_pmks_detail_folds_away(as_user, coordinator, unit_a):
    content = as_user(coordinator).get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    assert re.search(r'<details[^>]*id="unit-pmks-details">\s*<summary>', content)
    assert not re.search(r'<details[^>]*id="unit-pmks-details"[^>]*open', content)


def test_no_breadcrumb_link_above_the_users_scope(as_user, coordinator, staff, unit_a):
    url = reverse("members:unit_detail", args=[unit_a.pk])
    kecamatan = reverse("members:region", args=["33.71.03"])
    assert kecamatan not in as_user(coordinator).get(url).content.decode()  # would be 404 for them
    assert as_user(coordinator).get(kecamatan).status_code == 404
    assert kecamatan in as_user(staff).get(url).content.decode()


def test_board_end_is_on_each_row(as_user, coordinator, unit_a):
    position = factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a))
    content = as_user(coordinator).get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    board = re.search(r'<ul class="list-group" id="board">.*?</ul>', content, re.DOTALL)[0]
    assert reverse("members:board_end", args=[position.pk]) in board


# --- Becoming inactive is confirmed first ----------------------------------------------------------------


def _deactivate(client, member, **extra):
    data = {"new_status": "nonaktif", "reason": "mengundurkan_diri", "changed_on": "2024-06-01", **extra}
    return client.post(reverse("members:status", args=[member.pk]), data)


def test_becoming_inactive_asks_to_confirm_and_changes_nothing_yet(as_user, coordinator, member_a):
    response = _deactivate(as_user(coordinator), member_a)
    assert response.status_code == 200
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.AKTIF
    assert not StatusChange.objects.exists()
    content = response.content.decode()
    assert 'id="deactivation-confirm"' in content
    assert f"{member_a.full_name} akan dinonaktifkan." in content
    assert re.search(r'<input type="checkbox" name="confirm_inactive"', content)
    assert 'class="btn btn-danger">Nonaktifkan</button>' in content
    # What was chosen is kept for the second step.
    form = response.context["form"]
    assert (form["new_status"].value(), form["reason"].value()) == ("nonaktif", "mengundurkan_diri")


def test_confirmed_the_member_becomes_inactive(as_user, coordinator, member_a):
    response = _deactivate(as_user(coordinator), member_a, confirm_inactive="on")
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert (member_a.status, member_a.status_reason) == (MemberStatus.NONAKTIF, "mengundurkan_diri")


def test_the_status_page_asks_nothing_before_a_status_is_chosen(as_user, coordinator, member_a):
    content = as_user(coordinator).get(reverse("members:status", args=[member_a.pk])).content.decode()
    assert 'id="deactivation-confirm"' not in content
    assert 'type="hidden" name="confirm_inactive"' in content


def test_activation_needs_no_inactive_confirmation(as_user, staff, unit_a):
    candidate = factories.MemberFactory(unit=unit_a, status=MemberStatus.CALON)
    response = as_user(staff).post(
        reverse("members:status", args=[candidate.pk]),
        {"new_status": "aktif", "changed_on": "2024-06-01", "confirm": "on"},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == MemberStatus.AKTIF
