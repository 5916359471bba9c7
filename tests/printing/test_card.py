"""The member card (KTA) at ID-1 size with a QR code, and the public verification page it opens: only name,
unit, status and validity; a token that cannot be guessed, enumerated or forged."""

import datetime

import pytest
import segno
from django.urls import reverse
from django.utils import formats, timezone

from ipsm.lib.dates import years_after
from members import office, services
from members.models import MemberStatus
from members.verification import card_token, member_pk_from_token
from tests import factories
from tests.printing.conftest import ROLES, make_office_profile
from tests.printing.pictures import phone_photo, upload


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


# --- the issuing office, the photo, the validity; no card for a member who is not active ------------------


def _card(client, member, query: str = "") -> str:
    html = client.get(_card_url(member) + query).content.decode()
    return html.split('id="kta-card"')[1].split("</article>")[0]


def test_card_carries_the_issuing_office_with_its_logo(as_user, staff, coordinator, member, magelang):
    make_office_profile(magelang["kota_magelang"], by=staff)
    card = _card(as_user(coordinator), member)
    assert 'id="card-office">Dinas Sosial Kota Magelang<' in card
    assert f'src="{reverse("members:office_logo", args=["33.71"])}"' in card
    # The coordinator, who prints it, may fetch that logo.
    assert as_user(coordinator).get(reverse("members:office_logo", args=["33.71"])).status_code == 200


def test_card_without_an_office_profile_names_the_office_from_the_region(as_user, staff, viewer, member):
    html = as_user(staff).get(_card_url(member)).content.decode()
    card = html.split('id="kta-card"')[1].split("</article>")[0]
    assert 'id="card-office">Dinas Sosial Kota Magelang<' in card and 'id="card-logo"' not in card
    # Staff are told where to fill it in (not printed); the read-only head is not sent there.
    assert f'href="{reverse("members:office", args=["33.71"])}"' in html
    assert 'id="office-missing"' not in as_user(viewer).get(_card_url(member)).content.decode()


def test_card_shows_the_photo_or_an_empty_pas_foto_box(as_user, staff, member):
    client = as_user(staff)
    card = _card(client, member)
    assert 'id="card-photo-empty">Pas foto 3x4<' in card
    office.set_member_photo(member=member, image=office.clean_photo(upload(phone_photo())), by=staff)
    card = _card(client, member)
    assert f'src="{reverse("members:photo", args=[member.pk])}"' in card
    assert "card-photo-empty" not in card


def test_card_is_in_indonesian_whatever_the_page_language(as_user, staff, member):
    client = as_user(staff)
    client.cookies["django_language"] = "en"
    html = client.get(_card_url(member)).content.decode()
    assert "Back to the member" in html  # the page speaks English
    card = html.split('id="kta-card"')[1].split("</article>")[0]
    assert "Berlaku s.d." in card and "Unit IPSM" in card and "Valid until" not in card


def test_card_is_valid_five_years_from_activation_by_default(as_user, staff, member, magelang):
    today = timezone.localdate()
    member.status_since = today - datetime.timedelta(days=400)
    member.save()
    expected = years_after(member.status_since, 5)
    card = _card(as_user(staff), member)
    assert f'id="card-valid-until">{formats.date_format(expected, "j F Y")}<' in card
    make_office_profile(magelang["kota_magelang"], by=staff, card_validity_years=2)
    card = _card(as_user(staff), member)
    assert (
        f'id="card-valid-until">{formats.date_format(years_after(member.status_since, 2), "j F Y")}<' in card
    )


@pytest.mark.parametrize(
    ("active_since", "years", "today", "until"),
    [
        (datetime.date(2024, 3, 1), 5, datetime.date(2024, 3, 1), datetime.date(2029, 3, 1)),
        (datetime.date(2024, 3, 1), 5, datetime.date(2029, 3, 1), datetime.date(2029, 3, 1)),
        # Active for longer than a period: the end of the current one, the same on every reprint in it.
        (datetime.date(2015, 6, 1), 5, datetime.date(2024, 11, 13), datetime.date(2025, 6, 1)),
        (datetime.date(2015, 6, 1), 5, datetime.date(2025, 6, 2), datetime.date(2030, 6, 1)),
        (datetime.date(2016, 2, 29), 1, datetime.date(2017, 1, 1), datetime.date(2017, 2, 28)),
    ],
)
def test_validity_rule(active_since, years, today, until):
    assert office.card_valid_until(active_since=active_since, years=years, today=today) == until


def test_inactive_member_gets_no_card_but_the_reason(as_user, staff, member):
    services.change_member_status(
        member=member,
        new_status=MemberStatus.NONAKTIF,
        reason="mengundurkan_diri",
        changed_on=datetime.date(2025, 3, 1),
        by=staff,
    )
    response = as_user(staff).get(_card_url(member))
    assert response.status_code == 409
    html = response.content.decode()
    refusal = html.split('id="card-refusal">')[1].split("</p>")[0]
    assert refusal == (
        "Kartu tidak dapat dicetak: anggota berstatus Nonaktif (Mengundurkan diri) sejak 1 Maret 2025."
    )
    assert 'id="kta-card"' not in html and "data-print" not in html and "<svg" not in html
    # The member page says so instead of offering the print link.
    page = as_user(staff).get(reverse("members:detail", args=[member.pk])).content.decode()
    assert 'id="card-print-link"' not in page and _card_url(member) not in page
    assert "Kartu tidak dapat dicetak" in page.split('id="card-refused"')[1]


def test_candidate_gets_no_card(as_user, coordinator, unit_a):
    candidate = factories.MemberFactory(
        unit=unit_a, status=MemberStatus.CALON, status_since=datetime.date(2024, 5, 6)
    )
    response = as_user(coordinator).get(_card_url(candidate))
    assert response.status_code == 409
    assert "anggota berstatus Calon sejak 6 Mei 2024" in response.content.decode()


def test_merged_record_gets_no_card_and_points_at_the_survivor(as_user, staff, member, unit_a):
    survivor = factories.MemberFactory(unit=unit_a, full_name="Sri Wulandari Dua")
    services.merge_members(survivor=survivor, merged=member, by=staff)
    response = as_user(staff).get(_card_url(member))
    assert response.status_code == 409
    assert f"digabung ke data Sri Wulandari Dua (KTA {survivor.kta_number})" in response.content.decode()
    assert as_user(staff).get(_card_url(survivor)).status_code == 200


def test_card_query_count_is_constant(as_user, staff, member, magelang, django_assert_max_num_queries):
    make_office_profile(magelang["kota_magelang"], by=staff)
    office.set_member_photo(member=member, image=office.clean_photo(upload(phone_photo())), by=staff)
    client = as_user(staff)
    client.get(_card_url(member))
    with django_assert_max_num_queries(8):
        assert client.get(_card_url(member)).status_code == 200
