"""The printable roster of an IPSM unit (/unit/<pk>/cetak/): same access as the unit page, phones only for
users who may edit the unit's members, a constant number of queries."""

import datetime

import pytest
from django.urls import reverse

from members.models import BoardRole, MemberStatus
from tests import factories
from tests.printing.conftest import ROLES, count_queries


def _url(unit) -> str:
    return reverse("members:unit_print", args=[unit.pk])


@pytest.fixture
def roster(unit_a):
    """Unit A: Budi (ketua, aktif, L), Siti (sekretaris, aktif, P), Rina (calon), Joko (nonaktif)."""
    budi = factories.MemberFactory(
        unit=unit_a, full_name="Budi Santoso", female=False, kta_number="3371031003-0001"
    )
    siti = factories.MemberFactory(
        unit=unit_a,
        full_name="Siti Rahayu",
        female=True,
        kta_number="3371031003-0002",
        phone="+6285711112222",
        joined_on=datetime.date(2023, 2, 14),
    )
    factories.MemberFactory(unit=unit_a, full_name="Rina Lestari", female=True, status=MemberStatus.CALON)
    factories.MemberFactory(
        unit=unit_a, full_name="Joko Purnomo", status=MemberStatus.NONAKTIF, status_reason="lainnya"
    )
    factories.BoardPositionFactory(member=budi, role=BoardRole.KETUA)
    factories.BoardPositionFactory(
        member=siti,
        role=BoardRole.SEKRETARIS,
        term_starts_on=datetime.date(2024, 3, 1),
        term_ends_on=datetime.date(2029, 2, 28),
    )
    return {"budi": budi, "siti": siti}


# fmt: off
EXPECTED = {
    "anonymous": 302, "coordinator": 200, "coordinator_b": 404, "viewer": 200,
    "staff": 200, "staff_other": 404, "superuser": 200,
}
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_access_is_the_unit_page_s(client, users, unit_a, role):
    user = users(role)
    if user:
        client.force_login(user)
    response = client.get(_url(unit_a))
    assert response.status_code == EXPECTED[role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


def test_roster_shows_unit_region_board_and_members(as_user, staff, roster, unit_a, printed_at):
    response = as_user(staff).get(_url(unit_a))
    html = response.content.decode()
    assert "IPSM Kel. Rejowinangun Utara" in html
    assert "Kel. Rejowinangun Utara · Kec. Magelang Tengah · Kota Magelang" in html
    board = html.split('id="board"')[1].split("</table>")[0]
    assert board.index("Budi Santoso") < board.index("Siti Rahayu")  # ketua first
    assert "Ketua" in board and "Sekretaris" in board
    assert "01/03/2024–28/02/2029" in board
    table = html.split('id="roster"')[1].split("</table>")[0]
    for name in ("Budi Santoso", "Siti Rahayu", "Rina Lestari", "Joko Purnomo"):
        assert name in table
    siti = table.split(f'data-member="{roster["siti"].pk}"')[1].split("</tr>")[0]
    for text in ("3371031003-0002", "<td>P</td>", "Aktif", "14/02/2023", "+6285711112222"):
        assert text in siti
    assert "Calon" in table and "Nonaktif" in table
    # Printed in Asia/Jakarta time (the 12th in UTC), with who printed it.
    printed = html.split('id="printed"')[1].split("</p>")[0]
    assert "13 November 2024, 00:30 WIB" in printed
    assert "staf-magelang" in printed


def test_roster_never_shows_nik(as_user, staff, roster, unit_a):
    html = as_user(staff).get(_url(unit_a)).content.decode()
    assert roster["siti"].nik not in html
    assert roster["siti"].masked_nik not in html


@pytest.mark.parametrize(("role", "shows_phone"), [("coordinator", True), ("staff", True), ("viewer", False)])
def test_phones_only_for_users_who_may_edit_members(as_user, users, roster, unit_a, role, shows_phone):
    html = as_user(users(role)).get(_url(unit_a)).content.decode()
    assert ("+6285711112222" in html) is shows_phone
    assert ("Nomor HP" in html) is shows_phone


def test_page_has_print_button_and_no_navbar_or_inline_script(as_user, coordinator, unit_a):
    html = as_user(coordinator).get(_url(unit_a)).content.decode()
    assert "data-print" in html
    assert "js/print.js" in html
    assert "css/print.css" in html
    assert "navbar" not in html
    assert "<script>" not in html


def test_unit_page_links_to_the_printable_roster(as_user, coordinator, unit_a):
    html = as_user(coordinator).get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    assert f'href="{_url(unit_a)}"' in html


def test_query_count_does_not_grow_with_members(as_user, staff, unit_a):
    client = as_user(staff)
    for _ in range(2):
        member = factories.MemberFactory(unit=unit_a)
    factories.BoardPositionFactory(member=member, role=BoardRole.KETUA)
    with_two = count_queries(client, _url(unit_a))
    for role in (BoardRole.SEKRETARIS, BoardRole.BENDAHARA, BoardRole.ANGGOTA, BoardRole.ANGGOTA):
        factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a), role=role)
    assert unit_a.members.count() == 6
    assert count_queries(client, _url(unit_a)) == with_two
