"""The bell, the list of one's notices and marking them read: each user their own, nobody else's."""

import pytest
from django.urls import reverse

from ipsm.models import Notice
from ipsm.notices.services import notify


def _notice(user, key: str = "a", title: str = "Daftar anggota perlu diperiksa") -> Notice:
    return notify(user=user, kind="roster_stale", key=key, title=title, body="Isi", link="/unit/1/")


def test_every_page_loads_the_bell_after_the_page(as_user, coordinator):
    body = as_user(coordinator).get(reverse("members:list")).content.decode()
    assert f'hx-get="{reverse("notices:bell")}"' in body
    assert 'hx-trigger="load"' in body and "htmx.min.js" in body


def test_anonymous_pages_have_no_bell(client, db):
    body = client.get(reverse("login")).content.decode()
    assert "notice-bell" not in body and "htmx.min.js" not in body


def test_the_bell_counts_the_unread_notices_with_an_accessible_name(as_user, coordinator, staff):
    for key in "abc":
        _notice(coordinator, key)
    Notice.objects.filter(key="c").update(read_at="2026-01-01T00:00+07:00")
    _notice(staff, "x")

    body = as_user(coordinator).get(reverse("notices:bell")).content.decode()

    assert 'aria-label="Pemberitahuan, 2 belum dibaca"' in body
    assert ">2</span>" in body
    assert "hx-get" not in body  # loaded once


def test_the_bell_without_unread_notices_shows_no_count(as_user, coordinator):
    body = as_user(coordinator).get(reverse("notices:bell")).content.decode()
    assert 'aria-label="Pemberitahuan"' in body and "badge" not in body


def test_the_bell_gives_nothing_once_the_session_has_expired(client, db):
    response = client.get(reverse("notices:bell"))
    assert response.status_code == 204 and response.content == b""


def test_the_list_shows_ones_own_notices_newest_first(as_user, coordinator, coordinator_b):
    _notice(coordinator, "a", "Pertama")
    _notice(coordinator, "b", "Kedua")
    _notice(coordinator_b, "c", "Milik orang lain")

    body = as_user(coordinator).get(reverse("notices:list")).content.decode()

    assert body.index("Kedua") < body.index("Pertama")
    assert "Milik orang lain" not in body
    assert 'href="/unit/1/"' in body and "Tandai sudah dibaca" in body


def test_the_list_is_paginated_in_a_fixed_number_of_queries(as_user, coordinator, django_assert_num_queries):
    for index in range(25):
        _notice(coordinator, f"k{index}", f"Pemberitahuan {index}")
    client = as_user(coordinator)
    client.get(reverse("notices:list"))  # warm the session and the user's permissions
    # session, user, the navbar's permissions (2), count, page: the same for 25 notices as for 1
    with django_assert_num_queries(6):
        page_two = client.get(reverse("notices:list"), {"halaman": "2"}).content.decode()
    assert "Pemberitahuan 4<" in page_two and "Pemberitahuan 5<" not in page_two
    assert "Halaman 2 dari 2" in page_two


def test_marking_one_notice_read(as_user, coordinator):
    first, second = _notice(coordinator, "a"), _notice(coordinator, "b")

    response = as_user(coordinator).post(reverse("notices:read", args=[first.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("notices:list")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_marking_all_read(as_user, coordinator, coordinator_b):
    _notice(coordinator, "a"), _notice(coordinator, "b")
    other = _notice(coordinator_b, "c")

    response = as_user(coordinator).post(reverse("notices:read_all"), follow=True)

    assert "Semua pemberitahuan ditandai sudah dibaca." in response.content.decode()
    assert not Notice.objects.filter(user=coordinator).unread().exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_another_users_notice_is_404(as_user, coordinator, coordinator_b):
    notice = _notice(coordinator_b)
    response = as_user(coordinator).post(reverse("notices:read", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


@pytest.mark.parametrize("name", ["notices:read_all"])
def test_marking_read_needs_a_post(as_user, coordinator, name):
    assert as_user(coordinator).get(reverse(name)).status_code == 405
