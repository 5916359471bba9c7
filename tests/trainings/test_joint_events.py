"""Joint events need the other office's consent (security probe, finding 1).

Naming another Dinas Sosial as co-organiser sends it an invitation; until its staff accept, the event is the
creator's alone: no access to the other region's PSM, nothing in its lists or figures. Only an organising
office itself leaves a joint event, and the last one cannot.
"""

import pytest
from django.urls import reverse

from ipsm.lib.imports import process
from tests import factories
from tests.imports.files import xlsx
from tests.trainings.conftest import START, make_event, mark_all
from trainings import services
from trainings.importers import ParticipantImporter
from trainings.models import Event, OrganiserStatus, Participant, trained_members

NEW_EVENT = {
    "title": "Bimtek Bersama Temanggung",
    "training_type": "bimtek_dasar",
    "starts_on": START.isoformat(),
    "ends_on": START.isoformat(),
    "venue": "Pendopo Temanggung",
    "budget": "",
    "description": "",
    "other_organisers": "",
}


@pytest.fixture
def magelang_psm(unit_a, unit_b):
    return [factories.MemberFactory(unit=unit_a), factories.MemberFactory(unit=unit_b)]


@pytest.fixture
def temanggung_psm(unit_temanggung):
    return factories.MemberFactory(unit=unit_temanggung, full_name="Wulan Temanggung")


@pytest.fixture
def proposed(as_user, staff_other, magelang) -> Event:
    """Temanggung's event naming Kota Magelang (33.71) as co-organiser, made through the form."""
    data = {**NEW_EVENT, "organiser_regions": ["33.23", "33.71"]}
    response = as_user(staff_other).post(reverse("trainings:create"), data)
    assert response.status_code == 302
    return Event.objects.get(title=NEW_EVENT["title"])


def test_the_named_office_is_invited_not_made_an_organiser(proposed, staff_other):
    assert proposed.organiser_codes == ["33.23"]
    invitation = proposed.organisers.get(region_id="33.71")
    assert invitation.status == OrganiserStatus.INVITED
    assert invitation.invited_by == staff_other


def test_before_consent_the_other_regions_psm_are_out_of_reach(
    as_user, client, staff_other, proposed, magelang_psm, temanggung_psm
):
    client = as_user(staff_other)
    invite_url = reverse("trainings:invite", args=[proposed.pk])
    page = client.get(invite_url).content.decode()
    assert temanggung_psm.full_name in page
    for member in magelang_psm:
        assert member.full_name not in page
        assert member.kta_number not in page
    # Kota Magelang's kecamatan are not offered either.
    response = client.get(invite_url, {"kecamatan": "33.71.03"})
    assert magelang_psm[0].full_name not in response.content.decode()
    # Posting their ids invites no one.
    client.post(invite_url, {"member": [str(m.pk) for m in magelang_psm]})
    assert not Participant.objects.filter(member__in=magelang_psm).exists()


def test_before_consent_nothing_reaches_the_other_office(
    as_user, staff, staff_other, proposed, temanggung_psm, magelang_psm
):
    services.invite_members(event=proposed, members=[temanggung_psm], by=staff_other)
    mark_all(proposed, temanggung_psm)
    services.issue_certificates(event=proposed)
    client = as_user(staff)
    assert client.get(reverse("trainings:detail", args=[proposed.pk])).status_code == 404
    assert client.get(reverse("trainings:edit", args=[proposed.pk])).status_code == 404
    assert not Event.objects.visible_to(staff).filter(pk=proposed.pk).exists()
    assert not Event.objects.of_region("33.71").filter(pk=proposed.pk).exists()
    # The event list shows only the invitation, with no link into the event.
    page = client.get(reverse("trainings:list")).content.decode()
    assert reverse("trainings:detail", args=[proposed.pk]) not in page
    assert "Bimtek Bersama Temanggung" in page
    assert not trained_members().filter(pk__in=[m.pk for m in magelang_psm]).exists()


def test_the_creator_cannot_remove_an_organising_partner(as_user, staff, staff_other, magelang):
    """The probe's reverse case: Temanggung edited the joint event of both offices to drop 33.71."""
    joint = make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, title="Bimtek Bersama")
    data = {**NEW_EVENT, "title": "Bimtek Bersama", "organiser_regions": ["33.23"]}
    response = as_user(staff_other).post(reverse("trainings:edit", args=[joint.pk]), data)
    assert response.status_code == 200
    assert "organiser_regions" in response.context["form"].errors
    assert sorted(joint.organiser_codes) == ["33.23", "33.71"]
    assert as_user(staff).get(reverse("trainings:detail", args=[joint.pk])).status_code == 200


def test_the_last_organiser_cannot_leave(as_user, staff, magelang):
    event = make_event(magelang["kota_magelang"], by=staff)
    data = {**NEW_EVENT, "organiser_regions": [], "other_organisers": "LKS Sejahtera"}
    response = as_user(staff).post(reverse("trainings:edit", args=[event.pk]), data)
    assert response.context["form"].errors["organiser_regions"] == [
        "Dinas Sosial Anda adalah penyelenggara terakhir kegiatan ini dan tidak dapat keluar."
    ]
    assert event.organiser_codes == ["33.71"]


def test_accepting_makes_a_joint_event(as_user, staff, staff_other, proposed, magelang_psm):
    client = as_user(staff)
    invitation = proposed.organisers.get(region_id="33.71")
    page = client.get(reverse("trainings:list")).content.decode()
    assert reverse("trainings:invitation_answer", args=[invitation.pk]) in page
    response = client.post(reverse("trainings:invitation_answer", args=[invitation.pk]), {"answer": "terima"})
    assert response["Location"] == reverse("trainings:detail", args=[proposed.pk])
    invitation.refresh_from_db()
    assert (invitation.status, invitation.answered_by) == (OrganiserStatus.ACCEPTED, staff)
    assert sorted(proposed.organiser_codes) == ["33.23", "33.71"]
    assert client.get(reverse("trainings:detail", args=[proposed.pk])).status_code == 200
    # From now on both offices invite each other's PSM.
    invite_url = reverse("trainings:invite", args=[proposed.pk])
    as_user(staff_other).post(invite_url, {"member": [str(magelang_psm[0].pk)]})
    assert Participant.objects.filter(event=proposed, member=magelang_psm[0]).exists()


def test_declining_keeps_the_event_the_creators_and_may_be_asked_again(as_user, staff, staff_other, proposed):
    invitation = proposed.organisers.get(region_id="33.71")
    as_user(staff).post(reverse("trainings:invitation_answer", args=[invitation.pk]), {"answer": "tolak"})
    invitation.refresh_from_db()
    assert invitation.status == OrganiserStatus.DECLINED
    assert not Event.objects.visible_to(staff).filter(pk=proposed.pk).exists()
    # The creator sees the refusal; naming the office again asks again.
    client = as_user(staff_other)
    detail = client.get(reverse("trainings:detail", args=[proposed.pk])).content.decode()
    assert "Ditolak" in detail
    form = client.get(reverse("trainings:edit", args=[proposed.pk])).context["form"]
    assert form["organiser_regions"].value() == ["33.23"]
    data = {**NEW_EVENT, "organiser_regions": ["33.23", "33.71"]}
    client.post(reverse("trainings:edit", args=[proposed.pk]), data)
    invitation.refresh_from_db()
    assert invitation.status == OrganiserStatus.INVITED


def test_the_creator_may_withdraw_an_invitation(as_user, staff_other, proposed):
    data = {**NEW_EVENT, "organiser_regions": ["33.23"]}
    assert as_user(staff_other).post(reverse("trainings:edit", args=[proposed.pk]), data).status_code == 302
    assert not proposed.organisers.filter(region_id="33.71").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("viewer", 403), ("coordinator", 403), ("staff_other", 404), ("superuser", 302)],
)
def test_only_staff_of_the_invited_office_answer(request, as_user, proposed, role, status):
    """Temanggung (the inviter) cannot accept on Magelang's behalf; Magelang's read-only head cannot."""
    invitation = proposed.organisers.get(region_id="33.71")
    user = request.getfixturevalue(role)
    url = reverse("trainings:invitation_answer", args=[invitation.pk])
    assert as_user(user).post(url, {"answer": "terima"}).status_code == status
    invitation.refresh_from_db()
    assert invitation.status == (OrganiserStatus.ACCEPTED if status == 302 else OrganiserStatus.INVITED)


def test_an_answered_invitation_cannot_be_answered_again(as_user, staff, proposed):
    invitation = proposed.organisers.get(region_id="33.71")
    url = reverse("trainings:invitation_answer", args=[invitation.pk])
    as_user(staff).post(url, {"answer": "tolak"})
    assert as_user(staff).post(url, {"answer": "terima"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == OrganiserStatus.DECLINED


def test_a_bad_answer_changes_nothing(as_user, staff, proposed):
    invitation = proposed.organisers.get(region_id="33.71")
    url = reverse("trainings:invitation_answer", args=[invitation.pk])
    assert as_user(staff).post(url, {"answer": "ya"}).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == OrganiserStatus.INVITED


def test_participant_import_refuses_the_other_regions_psm_before_consent(staff_other, proposed, magelang_psm):
    rows = []
    importer = ParticipantImporter(user=staff_other, options={"event": proposed.pk, "file_name": "h.xlsx"})
    content = xlsx(["No. KTA", "Nama"], [[m.kta_number, m.full_name] for m in magelang_psm])
    process(importer, content, "h.xlsx", write=False, on_batch=lambda batch, summary: rows.extend(batch))
    assert rows and all(row.has_error for row in rows)
