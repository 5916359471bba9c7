"""Friendly Indonesian 400, 403, 404 and 500 pages with a way back, also under the admin's prefix."""

from django.test import RequestFactory
from django.urls import reverse

from ipsm.errors import server_error


def test_a_missing_page_says_so_and_leads_home(client, staff):
    client.force_login(staff)
    response = client.get("/anggota/999999/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in page and "di luar wilayah kerja Anda" in page
    assert f'href="{reverse("home")}" id="error-home"' in page
    assert 'id="error-admin"' not in page


def test_a_missing_admin_page_leads_back_to_the_admin(client, superuser):
    client.force_login(superuser)
    page = client.get("/admin/members/member/999999/change/", follow=True).content.decode()
    assert 'id="error-admin"' in client.get("/admin/tidak-ada/").content.decode()
    assert "IPSM" in page


def test_a_page_outside_the_role_is_a_friendly_403(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("activity"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Tidak ada akses ke halaman ini" in page and 'id="error-home"' in page


def test_the_server_error_page_needs_nothing_but_itself(db):
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Terjadi kesalahan" in page and 'href="/"' in page
