"""Certificate numbers: a confirm step that says who will get one and who will not and why, a result that says
who was left out, and the printable certificate."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from tests.trainings.conftest import START, mark_all
from trainings import services
from trainings.models import AttendanceStatus, Participant


@pytest.fixture
def invited(staff, magelang_event, unit_a):
    """Budi present both days, Sari present one of two, Tono not recorded on the second day."""
    names = ["Budi Santoso", "Sari Wulandari", "Tono Prasetyo"]
    members = [factories.MemberFactory(unit=unit_a, full_name=name) for name in names]
    services.invite_members(event=magelang_event, members=members, by=staff)
    budi, sari, tono = (magelang_event.participants.get(member=member) for member in members)
    mark_all(magelang_event, budi.member)
    services.record_attendance(
        event=magelang_event,
        marks={
            (sari.pk, START): AttendanceStatus.HADIR,
            (sari.pk, magelang_event.ends_on): AttendanceStatus.TIDAK_HADIR,
            (tono.pk, START): AttendanceStatus.HADIR,
        },
    )
    return {"budi": budi, "sari": sari, "tono": tono}


def _url(event) -> str:
    return reverse("trainings:issue_certificates", args=[event.pk])


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_confirm_step_says_who_gets_a_number_and_who_does_not_and_why(
    as_user, staff, magelang_event, invited
):
    response = as_user(staff).get(_url(magelang_event))
    assert response.status_code == 200
    content = response.content.decode()
    assert "1 peserta akan mendapat nomor" in content
    assert "2 peserta tidak akan mendapatkannya" in content
    assert "Sari Wulandari: <span" in content and "tidak hadir setiap hari: hadir 1 dari 2 hari" in content
    assert "kehadiran 1 hari belum dicatat" in content
    assert 'id="issue-confirm"' in content and "Terbitkan 1 nomor sertifikat" in content
    assert not Participant.objects.exclude(certificate_number=None).exists()  # a GET writes nothing


def test_issuing_says_who_was_left_out_and_why(as_user, staff, magelang_event, invited):
    response = as_user(staff).post(_url(magelang_event))
    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:detail", args=[magelang_event.pk])
    assert _messages(response) == [
        "1 nomor sertifikat diterbitkan; 2 peserta tidak mendapatkannya: Sari Wulandari (tidak hadir setiap "
        "hari: hadir 1 dari 2 hari), Tono Prasetyo (kehadiran 1 hari belum dicatat)."
    ]
    numbers = dict(Participant.objects.values_list("member__full_name", "certificate_number"))
    assert numbers == {
        "Budi Santoso": f"IPSM/2024/{magelang_event.pk:04d}/001",
        "Sari Wulandari": None,
        "Tono Prasetyo": None,
    }


def test_after_issuing_the_confirm_step_lists_those_numbered_and_offers_nothing_new(
    as_user, staff, magelang_event, invited
):
    client = as_user(staff)
    client.post(_url(magelang_event))
    content = client.get(_url(magelang_event)).content.decode()
    assert "1 peserta sudah bernomor" in content
    assert f"IPSM/2024/{magelang_event.pk:04d}/001" in content
    assert 'id="issue-confirm"' not in content
    assert 'id="nothing-to-issue"' in content
    response = client.post(_url(magelang_event))
    assert _messages(response)[0].startswith("0 nomor sertifikat diterbitkan; 2 peserta tidak mendapatkannya")


def test_result_names_at_most_ten_of_those_left_out(as_user, staff, magelang_event, unit_a):
    members = factories.MemberFactory.create_batch(12, unit=unit_a)
    services.invite_members(event=magelang_event, members=members, by=staff)
    (text,) = _messages(as_user(staff).post(_url(magelang_event)))
    assert text.startswith("0 nomor sertifikat diterbitkan; 12 peserta tidak mendapatkannya: ")
    assert text.endswith(" dan 2 lainnya.")
    assert text.count("kehadiran 2 hari belum dicatat") == 10


def test_confirm_step_takes_a_constant_number_of_queries(
    as_user, staff, magelang_event, unit_a, django_assert_num_queries
):
    client = as_user(staff)
    services.invite_members(event=magelang_event, members=[factories.MemberFactory(unit=unit_a)], by=staff)
    client.get(_url(magelang_event))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(magelang_event))
    members = factories.MemberFactory.create_batch(8, unit=unit_a)
    services.invite_members(event=magelang_event, members=members, by=staff)
    for member in members[:4]:
        mark_all(magelang_event, member)
    services.issue_certificates(event=magelang_event)
    with django_assert_num_queries(len(few)):
        response = client.get(_url(magelang_event))
    assert len(response.context["plan"].numbered) == 4


def test_the_detail_page_leads_to_the_confirm_step(as_user, staff, magelang_event, invited):
    content = as_user(staff).get(reverse("trainings:detail", args=[magelang_event.pk])).content.decode()
    assert f'id="issue-certificates" href="{_url(magelang_event)}"' in content


# --- The certificate ---------------------------------------------------------------------------------------


def test_certificate_page_shows_the_participant_and_event(as_user, staff, magelang_event, invited):
    as_user(staff).post(_url(magelang_event))
    budi = invited["budi"]
    budi.refresh_from_db()
    response = as_user(staff).get(reverse("trainings:certificate", args=[budi.pk]))
    content = response.content.decode()
    for text in (
        budi.certificate_number,
        "Budi Santoso",
        budi.member.kta_number,
        magelang_event.title,
        "Kota Magelang",
    ):
        assert text in content
    assert "css/print.css" in content


def test_certificate_page_is_404_without_a_number(as_user, staff, magelang_event, invited):
    response = as_user(staff).get(reverse("trainings:certificate", args=[invited["sari"].pk]))
    assert response.status_code == 404
