"""The member card (KTA) at ID-1 size with a QR code, and the public verification page it opens: only name,
unit, status and validity; a token that cannot be guessed, enumerated or forged."""

import datetime

import pytest
import segno
from django.urls import reverse

from members import services
from members.models import MemberStatus
from members.verification import card_token, member_pk_from_token
from tests import factories
from tests.printing.conftest import ROLES


def _validity(html: str) -> str:
    return html.split('id="validity">')[1].split("</div>")[0].strip()


def _card_url(member) -> str:
    return reverse("members:card", args=[member.pk])


def _verify_url(member) -> str:
    return reverse("members:verify", args=[card_token(member.pk)])


@pytest.fixture
def member(unit_a):
    return factories.MemberFactory(
        unit=unit_a,
        full_name="Sri Wulandari",
        female=True,
        kta_number="3371031003-0007",
        birth_place="Temanggung",
        birth_date=datetime.date(1981, 4, 23),
        address="Jl. Sriwijaya No. 17",
        phone="+6281329004455",
        email="sri@example.id",
    )


# --- the card ---------------------------------------------------------------------------------------------

# fmt: off
EXPECTED = {
    "anonymous": 302, "coordinator": 200, "coordinator_b": 404, "viewer": 200,
    "staff": 200, "staff_other": 404, "superuser": 200,
}
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_card_access_is_the_member_page_s(client, users, member, role):
    user = users(role)
    if user:
        client.force_login(user)
    response = client.get(_card_url(member))
    assert response.status_code == EXPECTED[role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


def test_card_shows_name_kta_unit_region_and_status(as_user, staff, member):
    html = as_user(staff).get(_card_url(member)).content.decode()
    card = html.split('id="kta-card"')[1].split("</article>")[0]
    assert "Sri Wulandari" in card
    assert "3371031003-0007" in card
    assert "IPSM Kel. Rejowinangun Utara" in card
    assert "Kec. Magelang Tengah, Kota Magelang" in card
    assert "Aktif" in card
    for private in (member.nik, member.masked_nik, "+6281329004455", "Jl. Sriwijaya", "23/04/1981"):
        assert private not in card


def test_card_qr_code_encodes_the_absolute_verification_url(settings, as_user, staff, member):
    settings.ALLOWED_HOSTS = ["ipsm.dinsos.example.go.id"]
    response = as_user(staff).get(_card_url(member), HTTP_HOST="ipsm.dinsos.example.go.id", secure=True)
    url = f"https://ipsm.dinsos.example.go.id{_verify_url(member)}"
    expected = segno.make(url, error="m").svg_inline(border=2, omitsize=True, svgclass="kta-qr-code")
    html = response.content.decode()
    assert expected in html  # the same modules as a QR code made from that URL
    assert "<script>" not in html and "navbar" not in html


@pytest.mark.parametrize("query", ["", "?kertas=a4"])
def test_card_prints_at_card_size_or_on_a4(as_user, staff, member, query):
    html = as_user(staff).get(_card_url(member) + query).content.decode()
    assert ('class="print-page print-card-a4"' in html) is bool(query)
    assert "data-print" in html


def test_member_page_links_to_the_card(as_user, viewer, member):
    html = as_user(viewer).get(reverse("members:detail", args=[member.pk])).content.decode()
    assert f'href="{_card_url(member)}"' in html


# --- the verification page --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "coordinator_b", "staff_other"])
def test_verification_page_is_public(client, users, member, role):
    user = users(role)
    if user:
        client.force_login(user)
    assert client.get(_verify_url(member)).status_code == 200


def test_verification_shows_only_name_unit_status_and_validity(client, member):
    response = client.get(_verify_url(member))
    html = response.content.decode()
    assert 'id="verify-name">Sri Wulandari<' in html
    assert 'id="verify-unit">IPSM Kel. Rejowinangun Utara<' in html
    assert 'id="verify-status">Aktif<' in html
    assert "verify-valid" in html
    assert _validity(html) in ("Berlaku", "Valid")
    assert html.count("<dt>") == 3
    for private in (
        member.nik,
        member.masked_nik,
        member.nik[:6],
        "23/04/1981",
        "23 April 1981",
        "1981-04-23",
        "Temanggung",
        "Jl. Sriwijaya",
        "+6281329004455",
        "081329004455",
        "sri@example.id",
        "3371031003-0007",
    ):
        assert private not in html


def test_verification_page_is_not_cached_or_indexed(client, member):
    response = client.get(_verify_url(member))
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert "Vary" not in response or "Cookie" not in response["Vary"]  # no session touched


def test_verification_page_shows_nothing_of_the_logged_in_user(as_user, staff, member):
    html = as_user(staff).get(_verify_url(member)).content.decode()
    assert "navbar" not in html
    assert "staf-magelang" not in html
    assert "logout" not in html and reverse("logout") not in html
    assert "<script" not in html


def test_member_who_became_nonaktif_is_not_valid(client, staff, member):
    services.change_member_status(
        member=member,
        new_status=MemberStatus.NONAKTIF,
        reason="meninggal_dunia",
        changed_on=datetime.date(2025, 3, 1),
        by=staff,
    )
    html = client.get(_verify_url(member)).content.decode()
    assert "verify-invalid" in html and "verify-valid" not in html
    assert 'id="verify-status">Nonaktif<' in html
    # "Tidak berlaku" (before the catalogue is compiled: its English source).
    assert _validity(html) in ("Tidak berlaku", "Not valid")
    # No reason, no date.
    assert "Meninggal" not in html and "meninggal" not in html
    assert "01/03/2025" not in html


def test_candidate_is_not_valid(client, unit_a):
    candidate = factories.MemberFactory(unit=unit_a, status=MemberStatus.CALON)
    html = client.get(_verify_url(candidate)).content.decode()
    assert "verify-invalid" in html and 'id="verify-status">Calon<' in html


def _forged_tokens(member, other):
    token = card_token(member.pk)
    pk, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return [
        f"{pk}.{flipped}",  # one character changed
        f"{other.pk}.{signature}",  # another member's number with this signature
        f"{pk}.{signature[:-1]}",  # truncated
        f"{pk}",
        f"0{pk}.{signature}",
        "abc",
        f"{pk}:{signature}",
        "99999999.AAAAAAAAAAAAAAAA",
    ]


def test_forged_or_garbled_tokens_give_404(client, member, unit_a):
    other = factories.MemberFactory(unit=unit_a)
    for token in _forged_tokens(member, other):
        response = client.get(reverse("members:verify", args=[token]))
        assert response.status_code == 404, token
        html = response.content.decode()
        assert 'id="not-recognised"' in html
        assert "Sri Wulandari" not in html
        assert response["Cache-Control"] == "no-store"


def test_token_of_a_deleted_member_gives_404(client, unit_a):
    gone = factories.MemberFactory(unit=unit_a)
    url = _verify_url(gone)
    gone.delete()
    assert client.get(url).status_code == 404


def test_tokens_survive_a_secret_key_rotation(settings, member):
    token = card_token(member.pk)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40
    assert member_pk_from_token(token) == member.pk
    settings.SECRET_KEY_FALLBACKS = []
    assert member_pk_from_token(token) is None
