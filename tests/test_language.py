"""The app speaks Indonesian until a person picks English with the switcher, whatever the browser asks, and
the choice follows a signed-in person to another computer (ipsm/language.py)."""

import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from ipsm.models import LanguagePreference
from tests.factories import USER_PASSWORD

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def _log_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": USER_PASSWORD})


def test_an_english_browser_still_gets_indonesian(client, staff):
    page = client.get(reverse("login"), **ENGLISH_BROWSER)
    assert 'lang="id"' in page.content.decode()
    assert page["Content-Language"] == "id"
    assert "Masuk" in page.content.decode()
    _log_in(client, staff)
    assert "Anggota" in client.get(reverse("members:list"), **ENGLISH_BROWSER).content.decode()


def test_a_visitor_who_picks_english_gets_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, **ENGLISH_BROWSER)
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page and "Log in" in page


def test_the_choice_follows_the_person_to_another_computer(staff):
    office = Client()
    _log_in(office, staff)
    response = office.post(reverse("set_language"), {"language": "en", "next": reverse("members:list")})
    assert response.status_code == 302
    assert LanguagePreference.objects.get(user=staff).language == "en"
    assert 'lang="en"' in office.get(reverse("members:list")).content.decode()

    home = Client()  # another computer: no cookie, an Indonesian browser
    _log_in(home, staff)
    assert 'lang="en"' in home.get(reverse("members:list"), HTTP_ACCEPT_LANGUAGE="id").content.decode()

    home.post(reverse("set_language"), {"language": "id", "next": "/"})
    assert LanguagePreference.objects.get(user=staff).language == "id"
    assert 'lang="id"' in home.get(reverse("members:list")).content.decode()


def test_a_language_not_offered_is_ignored(client, staff):
    _log_in(client, staff)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert not LanguagePreference.objects.filter(user=staff).exists()
    assert 'lang="id"' in client.get(reverse("members:list")).content.decode()


def test_the_english_interface_has_no_indonesian_left(client, staff, magelang):
    _log_in(client, staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    for url in (reverse("coverage", args=["33.71"]), reverse("cases:list"), reverse("login")):
        page = client.get(url).content.decode()
        assert "tanpa PSM" not in page, url


INDONESIAN_WORDS = re.compile(
    r"\b(tanpa|anggota|pengurus|sudah|belum|diperiksa|hadir|semua)\b", re.IGNORECASE
)


def _msgids(path: Path) -> set[str]:
    return set(re.findall(r'^msgid "(.+)"$', path.read_text(), re.MULTILINE))


def test_every_source_string_with_an_indonesian_word_has_an_english_form():
    """Source strings are English; one that quotes an Indonesian term gets an English form in locale/en."""
    locale = Path(settings.BASE_DIR) / "locale"
    quoting = {
        msgid for msgid in _msgids(locale / "id/LC_MESSAGES/django.po") if INDONESIAN_WORDS.search(msgid)
    }
    assert quoting - _msgids(locale / "en/LC_MESSAGES/django.po") == set()
