"""Logging in, the lock after failed attempts, language and time zone."""

import pytest
from django.test import Client
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


def _fail(client, username: str, address: str = "127.0.0.1", times: int = 5):
    for _attempt in range(times):
        client.post(reverse("login"), {"username": username, "password": "salah"}, REMOTE_ADDR=address)


def _login(client, address: str = "127.0.0.1", username: str = "budi"):
    data = {"username": username, "password": "rahasia-123"}
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def test_an_outsider_cannot_lock_a_user_out(client, person):
    """Security probe, finding 4: failures count per username AND address together."""
    _fail(client, "budi", address="203.0.113.9")
    assert _login(client, address="203.0.113.9").status_code == 429
    assert _login(Client(), address="10.20.30.40").status_code == 302


@pytest.mark.parametrize("variant", [" budi", "BUDI", "Budi ", "ｂｕｄｉ", "ＢＵＤＩ"])
def test_variants_of_a_username_count_as_that_account(client, person, variant):
    _fail(client, variant, times=4)
    _fail(client, "budi", times=1)
    assert _login(client).status_code == 429


def test_the_admin_sees_and_unlocks_a_locked_account(client, person, as_user, superuser):
    _fail(client, "budi")
    assert _login(client).status_code == 429
    admin = as_user(superuser)
    changelist = admin.get(reverse("admin:auth_user_changelist"))
    locked = {user.username: user.login_locked for user in changelist.context["cl"].result_list}
    assert locked == {"budi": True, "admin": False}
    response = admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_login", "_selected_action": [person.pk]},
        follow=True,
    )
    assert "1 pengguna dapat masuk lagi." in response.content.decode()
    assert _login(Client()).status_code == 302


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
