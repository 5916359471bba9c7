"""The certificate carries the signing office's letterhead and logo, place and date of issue and its head's
signature block; which office signs is one rule (trainings.certificates.signing_region)."""

import datetime

import pytest
from django.urls import reverse

from members.models import Assignment, Region
from tests import factories
from tests.printing.conftest import ROLES, make_office_profile
from tests.trainings.conftest import make_event, mark_all
from trainings import services
from trainings.certificates import issued_on, signing_region
from trainings.models import OrganiserStatus

JOINT_DAY = datetime.date(2024, 11, 13)


def _certified(event, member, *, by):
    services.invite_members(event=event, members=[member], by=by)
    participant = mark_all(event, member)
    services.issue_certificates(event=event)
    participant.refresh_from_db()
    return participant


def _url(participant) -> str:
    return reverse("trainings:certificate", args=[participant.pk])


def _logo_url(participant) -> str:
    return reverse("trainings:certificate_logo", args=[participant.pk])


def _part(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}"')[1].split("</")[0].split(">", 1)[1]


@pytest.fixture
def joint(staff, magelang):
    """The joint event of 13 November 2024, created by Kota Magelang, Kabupaten Temanggung accepted."""
    return make_event(
        magelang["kota_magelang"],
        magelang["temanggung"],
        by=staff,
        title="Peningkatan Kapasitas PSM",
        starts_on=JOINT_DAY,
        ends_on=JOINT_DAY,
    )


# --- who signs ---------------------------------------------------------------------------------------------


def test_each_office_signs_for_its_own_psm_at_a_joint_event(joint, member_a, member_temanggung, magelang):
    assert signing_region(joint, member_a) == magelang["kota_magelang"]
    assert signing_region(joint, member_temanggung) == magelang["temanggung"]


def test_an_office_that_has_not_accepted_does_not_sign(staff, magelang, member_temanggung):
    event = make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, accepted=False)
    assert event.organisers.get(region=magelang["temanggung"]).status == OrganiserStatus.INVITED
    assert signing_region(event, member_temanggung) == magelang["kota_magelang"]  # the creator's


def test_psm_from_a_region_that_does_not_organise_gets_the_creators_office(
    staff_other, magelang, member_a, unit_a
):
    # Created by Temanggung with Kota Magelang, both accepted; a PSM of a third kab/kota (transferred in).
    event = make_event(magelang["temanggung"], magelang["kota_magelang"], by=staff_other)
    elsewhere = factories.MemberFactory(
        unit=factories.UnitFactory(
            region=Region.objects.create(code="33.08", name="Kabupaten Magelang", level="kabupaten")
        )
    )
    assert signing_region(event, elsewhere) == magelang["temanggung"]
    assert signing_region(event, member_a) == magelang["kota_magelang"]


def test_without_a_creators_office_the_first_organiser_by_code_signs(superuser, staff, magelang):
    event = make_event(magelang["kota_magelang"], magelang["temanggung"], by=superuser)
    stranger = factories.MemberFactory(
        unit=factories.UnitFactory(
            region=Region.objects.create(code="34.04", name="Kabupaten Sleman", level="kabupaten")
        )
    )
    assert signing_region(event, stranger) == magelang["temanggung"]  # 33.23 before 33.71
    # A creator whose office has left the event: the same.
    event.created_by = staff
    left = Region.objects.create(code="33.08", name="Kabupaten Magelang", level="kabupaten")
    Assignment.objects.filter(user=staff).update(region=left)
    assert signing_region(event, stranger) == magelang["temanggung"]


def test_an_event_of_institutions_only_has_no_signing_office(superuser, member_a):
    event = services.save_event(
        event=factories.EventFactory.build(),
        organiser_regions=[],
        other_organisers=["LKS Sejahtera"],
        by=superuser,
    )
    assert signing_region(event, member_a) is None


def test_a_certificate_is_issued_on_the_last_day(magelang, staff):
    event = make_event(magelang["kota_magelang"], by=staff, days=3)
    assert issued_on(event) == datetime.date(2024, 5, 8)


# --- the page ----------------------------------------------------------------------------------------------


def test_certificate_has_letterhead_place_date_and_signature_block(as_user, staff, joint, member_a, magelang):
    make_office_profile(magelang["kota_magelang"], by=staff)
    participant = _certified(joint, member_a, by=staff)
    html = as_user(staff).get(_url(participant)).content.decode()
    assert _part(html, "certificate-office") == "Dinas Sosial Kota Magelang"
    assert _part(html, "certificate-office-address") == "Jl. Veteran No. 7, Magelang 56117"
    assert f'src="{_logo_url(participant)}"' in html
    assert _part(html, "certificate-place-date") == "Magelang, 13 November 2024"
    assert _part(html, "certificate-signatory-title") == "Kepala Dinas Sosial"
    assert _part(html, "certificate-signatory") == "Drs. Bambang Sutrisno, M.Si."
    assert _part(html, "certificate-nip") == "NIP 19700315 199503 1 002"
    assert 'id="office-missing"' not in html
    # Both organisers are still named.
    organisers = html.split('class="certificate-organisers"')[1].split("</ul>")[0]
    assert "Dinas Sosial Kota Magelang" in organisers and "Dinas Sosial Kabupaten Temanggung" in organisers


def test_partner_psm_certificate_is_signed_by_the_partner_office(
    as_user, staff, staff_other, joint, member_temanggung, magelang
):
    make_office_profile(magelang["kota_magelang"], by=staff)
    make_office_profile(
        magelang["temanggung"],
        by=staff_other,
        head_name="Dra. Endang Purwaningsih, M.M.",
        head_nip="197204121998032005",
    )
    participant = _certified(joint, member_temanggung, by=staff_other)
    client = as_user(staff)  # Kota Magelang's staff print it
    html = client.get(_url(participant)).content.decode()
    assert _part(html, "certificate-office") == "Dinas Sosial Kabupaten Temanggung"
    assert _part(html, "certificate-place-date") == "Temanggung, 13 November 2024"
    assert _part(html, "certificate-signatory") == "Dra. Endang Purwaningsih, M.M."
    assert _part(html, "certificate-nip") == "NIP 19720412 199803 2 005"
    # The partner's logo comes with the certificate, though its office page is out of their scope.
    logo = client.get(_logo_url(participant))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    assert logo["Cache-Control"] == "private, no-store"
    assert client.get(reverse("members:office_logo", args=["33.23"])).status_code == 404


def test_without_office_profile_blanks_are_left_to_fill_by_hand(as_user, staff, viewer, joint, member_a):
    participant = _certified(joint, member_a, by=staff)
    html = as_user(staff).get(_url(participant)).content.decode()
    assert _part(html, "certificate-office") == "Dinas Sosial Kota Magelang"
    assert 'id="certificate-logo"' not in html
    assert html.split('id="certificate-place-date">')[1].split("</p>")[0].endswith(", 13 November 2024")
    assert 'class="certificate-blank' in html.split('id="certificate-signatory"')[1].split("</p>")[0]
    notice = html.split('id="office-missing"')[1].split("</p>")[0]
    assert "no-print" in html.split('id="office-missing"')[0].rsplit("<p", 1)[1]
    assert reverse("members:office", args=["33.71"]) in notice
    viewer_notice = as_user(viewer).get(_url(participant)).content.decode().split('id="office-missing"')[1]
    assert reverse("members:office", args=["33.71"]) not in viewer_notice.split("</p>")[0]
    assert as_user(staff).get(_logo_url(participant)).status_code == 404


def test_certificate_is_in_indonesian_whatever_the_page_language(as_user, staff, joint, member_a, magelang):
    make_office_profile(magelang["kota_magelang"], by=staff)
    participant = _certified(joint, member_a, by=staff)
    client = as_user(staff)
    client.cookies["django_language"] = "en"
    html = client.get(_url(participant)).content.decode()
    assert "Back to the event" in html
    assert _part(html, "certificate-place-date") == "Magelang, 13 November 2024"
    assert "Sertifikat" in html.split('id="certificate"')[1]


# fmt: off
LOGO = {"anonymous": 302, "coordinator": 403, "coordinator_b": 403, "viewer": 200, "staff": 200,
        "staff_other": 404, "superuser": 200}
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_certificate_logo_is_for_whoever_may_print_the_certificate(
    client, users, staff, magelang_event, member_a, magelang, role
):
    make_office_profile(magelang["kota_magelang"], by=staff)
    participant = _certified(magelang_event, member_a, by=staff)
    user = users(role)
    if user:
        client.force_login(user)
    assert client.get(_logo_url(participant)).status_code == LOGO[role]
    assert client.get(_url(participant)).status_code == LOGO[role]


@pytest.fixture
def magelang_event(staff, magelang):
    return make_event(magelang["kota_magelang"], by=staff)


@pytest.fixture
def member_temanggung(unit_temanggung):
    return factories.MemberFactory(unit=unit_temanggung)
