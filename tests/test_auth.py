"""Logging in, the lock after failed attempts, language and time zone."""

import pytest
from django.urls import reverse

from tests import factories


@pytest.fixture
def person(db):
    return factories.UserFactory(username="budi")


def test_login_with_standard_form(client, person):
    response = client.post(reverse("login"), {"username": "budi", "password": "rahasia-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("members:list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('members:list')}"


def test_account_locks_after_five_failed_logins(client, person):
    for _attempt in range(5):
        client.post(reverse("login"), {"username": "budi", "password": "salah"})
    response = client.post(reverse("login"), {"username": "budi", "password": "rahasia-123"})
    assert response.status_code == 429
    assert "Akun terkunci" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(client, person):
    for _attempt in range(4):
        client.post(reverse("login"), {"username": "budi", "password": "salah"})
    response = client.post(reverse("login"), {"username": "budi", "password": "rahasia-123"})
    assert response.status_code == 302


def test_login_page_is_indonesian_by_default(client, db):
    page = client.get(reverse("login")).content.decode()
    assert 'lang="id"' in page
    assert "Masuk" in page


def test_language_switcher_turns_the_ui_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page
    assert "Log in" in page


def test_times_are_asia_jakarta(settings):
    from django.utils import timezone

    assert settings.TIME_ZONE == "Asia/Jakarta"
    assert timezone.get_current_timezone_name() == "Asia/Jakarta"


def test_logout_needs_post(client, person):
    client.force_login(person)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
