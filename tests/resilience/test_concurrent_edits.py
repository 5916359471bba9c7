"""Two people with the same record open: the second save is refused with a message, nothing is lost
(ipsm.lib.concurrency, on the member, unit and case edit forms)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from cases.models import Case
from members import services
from members.models import Member, MemberStatus, Unit
from tests import factories


def opened(client: Client, url: str) -> dict:
    """The edit form as the page showed it: every field with the value it carried (hidden version too)."""
    form = client.get(url).context["form"]
    data = {}
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else value
    return data


def refused_message(kind: str) -> str:
    with translation.override("id"):
        return {
            "member": translation.gettext(
                "This member's data was changed by someone else after you opened this page. Your changes "
                "were not saved: reload the page to see the current data, then make your changes again."
            ),
            "unit": translation.gettext(
                "This unit's data was changed by someone else after you opened this page. Your changes were "
                "not saved: reload the page to see the current data, then make your changes again."
            ),
            "case": translation.gettext(
                "This case was changed by someone else after you opened this page. Your changes were not "
                "saved: reload the page to see the current data, then make your changes again."
            ),
        }[kind]


@pytest.fixture
def second_client():
    return Client()


def test_second_of_two_open_member_forms_is_refused_and_the_first_save_kept(
    as_user, second_client, staff, coordinator, member_a
):
    url = reverse("members:edit", args=[member_a.pk])
    first, second = as_user(staff), second_client
    second.force_login(coordinator)
    first_form, second_form = opened(first, url), opened(second, url)

    assert first.post(url, {**first_form, "full_name": "Sri Lestari"}).status_code == 302
    response = second.post(url, {**second_form, "full_name": "Sri Wahyuni", "phone": "0813 2222 3333"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [refused_message("member")]
    page = response.content.decode()
    assert page.count(escape(refused_message("member"))) == 1  # once, above the form
    # The person's input is still on the page, to be entered again after reloading.
    assert 'value="Sri Wahyuni"' in page
    assert 'value="0813 2222 3333"' in page
    member_a.refresh_from_db()
    assert (member_a.full_name, member_a.phone) == ("Sri Lestari", "+6281234567890")
    assert member_a.history.count() == 2  # created, then the first edit only


def test_resending_the_refused_form_is_refused_again_until_reloaded(
    as_user, second_client, staff, coordinator, member_a
):
    url = reverse("members:edit", args=[member_a.pk])
    first, second = as_user(staff), second_client
    second.force_login(coordinator)
    first_form, second_form = opened(first, url), opened(second, url)
    first.post(url, {**first_form, "full_name": "Sri Lestari"})
    stale = {**second_form, "address": "Jl. Pemuda 7"}
    assert second.post(url, stale).status_code == 200
    assert second.post(url, stale).status_code == 200  # the page kept the version it was opened with

    reloaded = opened(second, url)
    assert reloaded["full_name"] == "Sri Lestari"
    assert second.post(url, {**reloaded, "address": "Jl. Pemuda 7"}).status_code == 302
    member_a.refresh_from_db()
    assert (member_a.full_name, member_a.address) == ("Sri Lestari", "Jl. Pemuda 7")


def test_a_status_change_meanwhile_neither_blocks_the_edit_nor_is_undone(as_user, staff, member_a, today):
    url = reverse("members:edit", args=[member_a.pk])
    client = as_user(staff)
    form = opened(client, url)
    services.change_member_status(
        member=member_a, new_status=MemberStatus.NONAKTIF, reason="lainnya", changed_on=today, by=staff
    )

    assert client.post(url, {**form, "occupation": "Guru"}).status_code == 302
    member = Member.objects.get(pk=member_a.pk)
    assert (member.occupation, member.status, member.status_since) == ("Guru", MemberStatus.NONAKTIF, today)


def test_a_form_posted_without_a_version_still_saves(as_user, staff, member_a):
    # Scripts and forms opened before the version existed have nothing to compare: the save goes through.
    url = reverse("members:edit", args=[member_a.pk])
    client = as_user(staff)
    form = opened(client, url)
    del form["version"]
    assert client.post(url, {**form, "full_name": "Tanpa Versi"}).status_code == 302


def test_the_version_does_not_reveal_the_nik(as_user, staff, member_a):
    form = opened(as_user(staff), reverse("members:edit", args=[member_a.pk]))
    assert len(form["version"]) == 64
    assert member_a.nik not in form["version"]


def test_second_of_two_open_unit_forms_is_refused(as_user, second_client, staff, superuser, unit_a):
    url = reverse("members:unit_edit", args=[unit_a.pk])
    first, second = as_user(staff), second_client
    second.force_login(superuser)
    first_form, second_form = opened(first, url), opened(second, url)

    assert first.post(url, {**first_form, "sk_number": "400/001/2025"}).status_code == 302
    response = second.post(url, {**second_form, "sk_number": "400/999/2025"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [refused_message("unit")]
    assert 'value="400/999/2025"' in response.content.decode()
    unit_a.refresh_from_db()
    assert unit_a.sk_number == "400/001/2025"


def test_a_member_registered_while_the_unit_form_is_open_keeps_its_kta_serial(as_user, staff, unit_a):
    url = reverse("members:unit_edit", args=[unit_a.pk])
    client = as_user(staff)
    form = opened(client, url)
    newcomer = factories.MemberFactory.build(unit=unit_a, kelurahan=unit_a.region)
    services.register_member(member=newcomer, by=staff)  # raises the unit's KTA serial under a lock

    assert client.post(url, {**form, "sk_number": "400/002/2025"}).status_code == 302
    unit = Unit.objects.get(pk=unit_a.pk)
    # Saving the page read before the registration must not write the old serial back (a KTA would repeat).
    assert (unit.sk_number, unit.kta_serial) == ("400/002/2025", 1)


def test_second_of_two_open_case_forms_is_refused(as_user, second_client, staff, superuser, magelang):
    case = factories.CaseFactory(kelurahan=magelang["cacaban"])
    url = reverse("cases:edit", args=[case.pk])
    first, second = as_user(staff), second_client
    second.force_login(superuser)
    first_form, second_form = opened(first, url), opened(second, url)

    assert first.post(url, {**first_form, "person_address": "Jl. Ikhlas 1"}).status_code == 302
    response = second.post(url, {**second_form, "person_address": "Jl. Sabar 2"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [refused_message("case")]
    assert Case.objects.get(pk=case.pk).person_address == "Jl. Ikhlas 1"
