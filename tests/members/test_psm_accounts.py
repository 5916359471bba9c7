"""PSM accounts (members.accounts): the invitation and its slip, the one-time link, logging in by username
or mobile number, an inactive member shut out, and a PSM's own pages (ipsm/psm) showing only their own."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseActivity
from ipsm import roles
from members import accounts, services
from members.models import AccountInvitation, Assignment, MemberStatus
from tests import factories

User = get_user_model()
PASSWORD = "Lapangan-Tidar-2026"


def _invite(client, member) -> str:
    """POST the invitation as the logged-in client; the token from the slip."""
    response = client.post(reverse("members:account_invite", args=[member.pk]))
    assert response.status_code == 200
    return re.search(r"/aktivasi/([^/]+)/", response.content.decode()).group(1)


def _activate(client, token, username="sumarni", password=PASSWORD):
    data = {"username": username, "new_password1": password, "new_password2": password}
    return client.post(reverse("psm:activate", args=[token]), data)


@pytest.fixture
def psm(member_a, staff):
    """member_a with an account, activated."""
    _invitation, token = accounts.invite_member(member=member_a, by=staff)
    invitation, _state = accounts.invitation_for_token(token)
    return accounts.activate_account(invitation=invitation, username="sumarni", password=PASSWORD)


# --- The rules (services) ------------------------------------------------------------------------------


def test_invitation_keeps_only_the_hash_and_lasts_14_days(member_a, staff):
    invitation, token = accounts.invite_member(member=member_a, by=staff)
    assert token not in invitation.token_hash and invitation.token_hash == accounts.hash_token(token)
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=14)
    assert accounts.invitation_for_token(token) == (invitation, accounts.InvitationState.OPEN)


def test_inactive_member_cannot_be_invited(member_a, staff):
    member_a.status, member_a.status_reason = MemberStatus.NONAKTIF, "pindah_domisili"
    member_a.save()
    with pytest.raises(ValidationError):
        accounts.invite_member(member=member_a, by=staff)
    assert not AccountInvitation.objects.exists()


def test_new_invitation_revokes_the_earlier_and_disables_the_password(psm, member_a, staff):
    _first, old_token = accounts.invite_member(member=member_a, by=staff)
    _second, new_token = accounts.invite_member(member=member_a, by=staff)
    assert accounts.invitation_for_token(old_token)[1] == accounts.InvitationState.REVOKED
    assert accounts.invitation_for_token(new_token)[1] == accounts.InvitationState.OPEN
    psm.refresh_from_db()
    assert not psm.has_usable_password()


def test_link_works_once(member_a, staff):
    _invitation, token = accounts.invite_member(member=member_a, by=staff)
    invitation, _state = accounts.invitation_for_token(token)
    accounts.activate_account(invitation=invitation, username="sumarni", password=PASSWORD)
    assert accounts.invitation_for_token(token)[1] == accounts.InvitationState.USED
    with pytest.raises(ValidationError):
        accounts.activate_account(invitation=invitation, username="lain", password=PASSWORD)


def test_expired_link_is_refused(member_a, staff):
    invitation, token = accounts.invite_member(member=member_a, by=staff)
    AccountInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=15),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert accounts.invitation_for_token(token)[1] == accounts.InvitationState.EXPIRED


def test_activation_makes_a_psm_user_tied_to_the_member(psm, member_a):
    assert list(psm.groups.values_list("name", flat=True)) == [roles.PSM]
    assert Assignment.objects.get(user=psm).member == member_a


# --- Invitation and slip (HTTP) -------------------------------------------------------------------------


def test_coordinator_invites_and_gets_a_slip(as_user, coordinator, member_a):
    client = as_user(coordinator)
    response = client.post(reverse("members:account_invite", args=[member_a.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and response["Referrer-Policy"] == "no-referrer"
    assert 'id="slip-qr"' in body and "<svg" in body
    assert "https://wa.me/6281234567890?text=" in body
    assert AccountInvitation.objects.filter(member=member_a, created_by=coordinator).exists()


def test_slip_without_mobile_has_no_whatsapp_link(as_user, staff, member_a):
    member_a.phone = ""
    member_a.save()
    body = as_user(staff).post(reverse("members:account_invite", args=[member_a.pk])).content.decode()
    assert "wa.me" not in body and 'id="slip-no-phone"' in body


def test_member_page_shows_the_account_panel(as_user, coordinator, psm, member_a):
    body = as_user(coordinator).get(reverse("members:detail", args=[member_a.pk])).content.decode()
    assert 'id="psm-account"' in body and "sumarni" in body and "Atur ulang akses" in body


def test_viewer_and_other_unit_cannot_invite(as_user, viewer, coordinator_b, member_a):
    url = reverse("members:account_invite", args=[member_a.pk])
    assert as_user(viewer).post(url).status_code == 403
    assert as_user(coordinator_b).post(url).status_code == 404
    assert not AccountInvitation.objects.exists()


def test_inactive_member_invite_refused_with_message(as_user, staff, member_a):
    member_a.status, member_a.status_reason = MemberStatus.NONAKTIF, "pindah_domisili"
    member_a.save()
    response = as_user(staff).post(reverse("members:account_invite", args=[member_a.pk]), follow=True)
    assert "Hanya anggota aktif" in response.content.decode()


# --- Activation (HTTP) ---------------------------------------------------------------------------------


def test_activation_sets_password_and_logs_in(as_user, staff, member_a):
    token = _invite(as_user(staff), member_a)
    client = Client()
    page = client.get(reverse("psm:activate", args=[token]))
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    assert accounts.suggested_username(member_a) in page.content.decode()
    response = _activate(client, token)
    assert response.status_code == 302 and response["Location"] == reverse("psm:home")
    assert client.get(reverse("psm:home")).status_code == 200


def test_weak_password_is_refused(as_user, staff, member_a):
    token = _invite(as_user(staff), member_a)
    response = _activate(Client(), token, password="12345678")
    assert response.status_code == 200 and not User.objects.filter(username="sumarni").exists()


def test_taken_username_is_refused(as_user, staff, member_a):
    token = _invite(as_user(staff), member_a)
    response = _activate(Client(), token, username="STAF-magelang")
    assert "sudah dipakai" in response.content.decode()


@pytest.mark.parametrize("state", ["used", "expired", "unknown"])
def test_unusable_link_gives_a_clear_page(as_user, staff, member_a, state):
    token = _invite(as_user(staff), member_a)
    if state == "used":
        _activate(Client(), token)
    elif state == "expired":
        AccountInvitation.objects.update(expires_at=timezone.now())
    else:
        token = "bukan-token"
    response = Client().get(reverse("psm:activate", args=[token]))
    assert response.status_code in (404, 410)
    assert 'id="activation-refused"' in response.content.decode()


# --- Logging in ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["sumarni", "081234567890", "+62 812-3456-7890", "62812 3456 7890"])
def test_psm_logs_in_by_username_or_mobile(client, psm, typed):
    response = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("psm:home")


def test_mobile_login_failures_count_as_one_account(client, psm):
    for typed in ["081234567890", "+6281234567890", "0812 3456 7890", "62812-3456-7890", "+62 812 34567890"]:
        client.post(reverse("login"), {"username": typed, "password": "salah"})
    response = client.post(reverse("login"), {"username": "081234567890", "password": PASSWORD})
    assert response.status_code == 429


def test_inactive_member_cannot_log_in_and_session_ends(psm, member_a, staff):
    client = Client()
    assert client.post(reverse("login"), {"username": "sumarni", "password": PASSWORD}).status_code == 302
    assert client.get(reverse("psm:home")).status_code == 200
    services.change_member_status(
        member=member_a,
        new_status=MemberStatus.NONAKTIF,
        reason="pindah_domisili",
        changed_on=timezone.localdate(),
        note="",
        by=staff,
    )
    assert client.get(reverse("psm:home")).status_code == 302  # to the login page: the session ended
    response = Client().post(reverse("login"), {"username": "sumarni", "password": PASSWORD})
    assert response.status_code == 200
    response = Client().post(reverse("login"), {"username": "081234567890", "password": PASSWORD})
    assert response.status_code == 200


# --- A PSM's own pages ---------------------------------------------------------------------------------


def test_psm_sees_own_profile_with_whole_nik_and_own_cases_only(as_user, psm, member_a, magelang):
    mine = factories.CaseFactory(
        kelurahan=magelang["rejowinangun_utara"], psm=member_a, person_name="Mbah Kasiyem"
    )
    other = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], person_name="Pak Rahasia")
    client = as_user(psm)
    assert member_a.nik in client.get(reverse("psm:home")).content.decode()
    listing = client.get(reverse("psm:cases")).content.decode()
    assert "Mbah Kasiyem" in listing and "Pak Rahasia" not in listing
    assert client.get(reverse("psm:case", args=[mine.pk])).status_code == 200
    assert client.get(reverse("psm:case", args=[other.pk])).status_code == 404


def test_psm_adds_an_activity_to_own_case(as_user, psm, member_a, magelang):
    case = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member_a)
    data = {"done_on": timezone.localdate().isoformat(), "description": "Kunjungan rumah"}
    response = as_user(psm).post(reverse("psm:case", args=[case.pk]), data)
    assert response.status_code == 302
    assert CaseActivity.objects.get(case=case).recorded_by == psm


def test_psm_is_refused_staff_pages(as_user, psm, member_a, magelang):
    case = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member_a)
    client = as_user(psm)
    for url in (
        reverse("members:list"),
        reverse("members:detail", args=[member_a.pk]),
        reverse("members:card", args=[member_a.pk]),
        reverse("cases:detail", args=[case.pk]),
        reverse("trainings:list"),
    ):
        assert client.get(url).status_code == 403, url


def test_psm_corrects_mobile_and_address_only(as_user, psm, member_a):
    data = {"phone": "0813 1111 2222", "address": "Jl. Sawo 7", "rt": "3", "rw": "4", "full_name": "Lain"}
    response = as_user(psm).post(reverse("psm:edit"), data)
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert (member_a.phone, member_a.address, member_a.rt, member_a.full_name) == (
        "+6281311112222",
        "Jl. Sawo 7",
        "003",
        member_a.full_name,
    )
    assert member_a.full_name != "Lain"
    assert member_a.history.first().history_user == psm


def test_psm_bad_mobile_gets_a_clear_message(as_user, psm, member_a):
    data = {"phone": "12345", "address": "Jl. Sawo 7", "rt": "", "rw": ""}
    response = as_user(psm).post(reverse("psm:edit"), data)
    assert response.status_code == 200 and "nomor seluler indonesia" in response.content.decode().lower()


def test_staff_cannot_open_psm_pages(as_user, staff):
    assert as_user(staff).get(reverse("psm:home")).status_code == 403


def test_psm_prints_own_card_and_not_when_inactive(as_user, psm, member_a, staff):
    client = as_user(psm)
    body = client.get(reverse("psm:card")).content.decode()
    assert member_a.full_name in body and f"{reverse('psm:card')}?kertas=a4" in body
    assert reverse("members:detail", args=[member_a.pk]) not in body  # no link to a page they cannot open
    member_a.status, member_a.status_reason = MemberStatus.NONAKTIF, "pindah_domisili"
    member_a.save()
    # Inactive: no session at all any more, so no card either.
    assert client.get(reverse("psm:card")).status_code == 302


def test_psm_prints_own_certificate_only(as_user, psm, member_a, member_b, magelang, staff):
    from tests.trainings.conftest import make_event, mark_all
    from trainings import services as training_services

    event = make_event(magelang["kota_magelang"], by=staff, title="Bimtek Dasar PSM")
    training_services.invite_members(event=event, members=[member_a], by=staff)
    mine = mark_all(event, member_a)
    other_event = make_event(magelang["kota_magelang"], by=staff, title="Bimtek Lain")
    training_services.invite_members(event=other_event, members=[member_b], by=staff)
    theirs = mark_all(other_event, member_b)
    training_services.issue_certificates(event=event)
    training_services.issue_certificates(event=other_event)
    client = as_user(psm)
    home = client.get(reverse("psm:home")).content.decode()
    assert reverse("psm:certificate", args=[mine.pk]) in home
    page = client.get(reverse("psm:certificate", args=[mine.pk]))
    assert page.status_code == 200 and "Bimtek Dasar PSM" in page.content.decode()
    assert client.get(reverse("psm:certificate", args=[theirs.pk])).status_code == 404


def test_psm_pages_query_count_is_constant(as_user, psm, member_a, magelang, django_assert_max_num_queries):
    client = as_user(psm)
    for _n in range(5):
        case = factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member_a)
        CaseActivity.objects.create(
            case=case, done_on=case.reported_on, description="Kunjungan", recorded_by=psm
        )
    client.get(reverse("psm:cases"))  # the session and the user, once
    with django_assert_max_num_queries(8):
        assert client.get(reverse("psm:cases")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("psm:home")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("psm:case", args=[case.pk])).status_code == 200
