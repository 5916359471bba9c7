"""Attendance, one day at a time: "Semua hadir" for the day, then the exceptions; and the scores page."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.trainings.conftest import START, make_event
from trainings import services
from trainings.models import Attendance, AttendanceStatus, Participant

DAY_1, DAY_2 = START, START + datetime.timedelta(days=1)


@pytest.fixture
def invited(staff, magelang_event, unit_a, unit_b):
    """Budi and Siti, invited to the two-day event: by first name, their Participant."""
    budi = factories.MemberFactory(unit=unit_a, full_name="Budi Santoso")
    siti = factories.MemberFactory(unit=unit_b, full_name="Siti Rahayu")
    services.invite_members(event=magelang_event, members=[budi, siti], by=staff)
    return {p.member.full_name.split()[0].lower(): p for p in magelang_event.participants.all()}


def _marks(event) -> dict:
    rows = Attendance.objects.filter(participant__event=event)
    return {(row.participant.member.full_name.split()[0].lower(), row.day): row.status for row in rows}


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _page(event, day=None) -> str:
    url = reverse("trainings:attendance", args=[event.pk])
    return f"{url}?hari={day:%Y-%m-%d}" if day else url


# --- The page ----------------------------------------------------------------------------------------


def test_page_shows_one_day_with_a_choice_per_participant(as_user, staff, magelang_event, invited):
    response = as_user(staff).get(_page(magelang_event))
    content = response.content.decode()
    assert response.context["day"] == DAY_1  # the event is over: its first day
    for participant in invited.values():
        for status in ("hadir", "izin", "tidak_hadir", "diundang"):
            assert f'name="att-{participant.pk}-2024-05-06" value="{status}"' in content
        assert f'name="att-{participant.pk}-2024-05-07"' not in content
    assert 'id="all-present"' in content
    assert "Semua hadir" in content
    assert "Belum dicatat" in content  # not "Diundang" for a day nobody has marked yet
    # The day picker: both days, then the scores.
    assert f'href="{_page(magelang_event, DAY_2)}"' in content
    assert reverse("trainings:scores", args=[magelang_event.pk]) in content


def test_page_opens_on_today_while_the_event_runs(as_user, staff, magelang):
    today = timezone.localdate()
    one_day = datetime.timedelta(days=1)
    event = make_event(
        magelang["kota_magelang"], by=staff, starts_on=today - one_day, ends_on=today + one_day
    )
    assert as_user(staff).get(_page(event)).context["day"] == today


@pytest.mark.parametrize("text", ["2024-05-07", "2024-05-08", "07/05/2024", "٢٠٢٤-٠٥-٠٧", "x" * 300])
def test_a_day_in_the_query_is_shown_only_if_it_is_a_day_of_the_event(
    as_user, staff, magelang_event, invited, text
):
    response = as_user(staff).get(reverse("trainings:attendance", args=[magelang_event.pk]), {"hari": text})
    assert response.status_code == 200
    assert response.context["day"] == (DAY_2 if text == "2024-05-07" else DAY_1)


def test_page_takes_a_constant_number_of_queries(
    as_user, staff, magelang_event, unit_a, django_assert_num_queries
):
    client = as_user(staff)
    services.invite_members(event=magelang_event, members=[factories.MemberFactory(unit=unit_a)], by=staff)
    client.get(_page(magelang_event))
    with CaptureQueriesContext(connection) as few:
        client.get(_page(magelang_event))
    services.invite_members(
        event=magelang_event, members=factories.MemberFactory.create_batch(8, unit=unit_a), by=staff
    )
    with django_assert_num_queries(len(few)):
        response = client.get(_page(magelang_event))
    assert len(response.context["form"].rows()) == 9


# --- "Semua hadir" -------------------------------------------------------------------------------------


def test_everyone_present_marks_the_day_and_keeps_the_exceptions(as_user, staff, magelang_event, invited):
    services.record_attendance(
        event=magelang_event, marks={(invited["budi"].pk, DAY_1): AttendanceStatus.IZIN}
    )
    url = reverse("trainings:attendance_all_present", args=[magelang_event.pk])
    response = as_user(staff).post(url, {"hari": "2024-05-06"})
    assert response.status_code == 302
    assert response["Location"] == _page(magelang_event, DAY_1)
    assert _marks(magelang_event) == {
        ("budi", DAY_1): "izin",
        ("siti", DAY_1): "hadir",
        ("budi", DAY_2): "diundang",
        ("siti", DAY_2): "diundang",
    }
    assert _messages(response) == [
        "1 peserta ditandai hadir pada Senin, 6 Mei 2024.",
        "1 peserta yang sudah ditandai izin atau tidak hadir tetap dengan tandanya.",
    ]


def test_everyone_present_twice_changes_nothing_more(as_user, staff, magelang_event, invited):
    client = as_user(staff)
    url = reverse("trainings:attendance_all_present", args=[magelang_event.pk])
    client.post(url, {"hari": "2024-05-07"})
    response = client.post(url, {"hari": "2024-05-07"})
    assert _messages(response)[-1] == "Tidak ada lagi yang perlu ditandai pada Selasa, 7 Mei 2024."
    assert Attendance.objects.filter(day=DAY_2, status="hadir").count() == 2


@pytest.mark.parametrize(
    "data", [{}, {"hari": "2024-05-08"}, {"hari": "2024-05-06\x00"}, {"hari": "kemarin"}]
)
def test_everyone_present_refuses_a_day_outside_the_event(as_user, staff, magelang_event, invited, data):
    response = as_user(staff).post(
        reverse("trainings:attendance_all_present", args=[magelang_event.pk]), data
    )
    assert response.status_code in (302, 400)
    assert not Attendance.objects.exclude(status="diundang").exists()
    if response.status_code == 302:
        assert _messages(response) == ["Pilih salah satu hari kegiatan."]


def test_everyone_present_needs_a_post(as_user, staff, magelang_event):
    url = reverse("trainings:attendance_all_present", args=[magelang_event.pk])
    assert as_user(staff).get(url).status_code == 405


def test_mark_all_present_is_one_write_through_the_attendance_rules(staff, magelang_event, invited):
    services.record_attendance(
        event=magelang_event, marks={(invited["siti"].pk, DAY_2): AttendanceStatus.TIDAK_HADIR}
    )
    done = services.mark_all_present(event=magelang_event, day=DAY_2)
    assert (done.marked, done.kept) == (1, 1)
    with pytest.raises(ValidationError) as refused:
        services.mark_all_present(event=magelang_event, day=DAY_2 + datetime.timedelta(days=1))
    assert refused.value.code == "not_event_day"
    with pytest.raises(ValidationError):
        services.record_attendance(
            event=magelang_event, marks={(invited["siti"].pk, START - datetime.timedelta(days=1)): "hadir"}
        )


# --- The exceptions ------------------------------------------------------------------------------------


def _day_sheet(invited, day, **statuses) -> dict:
    data = {"hari": f"{day:%Y-%m-%d}"}
    for name, participant in invited.items():
        data[f"att-{participant.pk}-{day:%Y-%m-%d}"] = statuses.get(name, "hadir")
    return data


def test_saving_a_day_sets_its_marks_only(as_user, staff, magelang_event, invited):
    url = _page(magelang_event)
    response = as_user(staff).post(url, _day_sheet(invited, DAY_2, siti="tidak_hadir"))
    assert response.status_code == 302
    assert response["Location"] == _page(magelang_event, DAY_2)
    assert _marks(magelang_event) == {
        ("budi", DAY_1): "diundang",
        ("siti", DAY_1): "diundang",
        ("budi", DAY_2): "hadir",
        ("siti", DAY_2): "tidak_hadir",
    }
    assert _messages(response) == ["Kehadiran Selasa, 7 Mei 2024 disimpan."]
    page = as_user(staff).get(_page(magelang_event, DAY_2)).content.decode()
    assert f'value="tidak_hadir" class="btn-check" id="id_att-{invited["siti"].pk}-2024-05-07_3"' in page


@pytest.mark.parametrize(
    "bad", [{"siti": "bolos"}, {"siti": ""}, {"siti": "hadir\x00"}], ids=["unknown", "empty", "control"]
)
def test_an_invalid_choice_saves_nothing(as_user, staff, magelang_event, invited, bad):
    data = _day_sheet(invited, DAY_1, **bad)
    response = as_user(staff).post(_page(magelang_event), data)
    if response.status_code == 400:  # a control character is refused before the view (middleware)
        return
    assert response.status_code == 200
    assert response.context["form"].errors
    assert 'id="attendance-errors"' in response.content.decode()
    assert not Attendance.objects.exclude(status="diundang").exists()


def test_a_sheet_without_a_day_of_the_event_saves_nothing(as_user, staff, magelang_event, invited):
    data = _day_sheet(invited, DAY_1)
    data["hari"] = "2024-05-09"
    response = as_user(staff).post(_page(magelang_event), data)
    assert response.status_code == 302
    assert _messages(response) == ["Pilih salah satu hari kegiatan."]
    assert not Attendance.objects.exclude(status="diundang").exists()


# --- Scores --------------------------------------------------------------------------------------------


def test_scores_are_saved_and_shown_without_useless_decimals(as_user, staff, magelang_event, invited):
    budi, siti = invited["budi"], invited["siti"]
    client = as_user(staff)
    url = reverse("trainings:scores", args=[magelang_event.pk])
    data = {
        f"pre-{budi.pk}": "55,5",
        f"post-{budi.pk}": "90",
        f"pre-{siti.pk}": "60.25",
        f"post-{siti.pk}": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:detail", args=[magelang_event.pk])
    budi.refresh_from_db()
    siti.refresh_from_db()
    assert (budi.pre_test_score, budi.post_test_score) == (Decimal("55.5"), Decimal("90"))
    assert (siti.pre_test_score, siti.post_test_score) == (Decimal("60.25"), None)
    page = client.get(url).content.decode()
    assert f'name="pre-{budi.pk}" value="55,5"' in page
    assert f'name="post-{budi.pk}" value="90"' in page
    detail = client.get(reverse("trainings:detail", args=[magelang_event.pk])).content.decode()
    assert ">55,5</td>" in detail and ">90</td>" in detail and ">60,25</td>" in detail
    assert "90,00" not in detail


@pytest.mark.parametrize("bad", ["101", "-1", "lima", "55,555"])
def test_an_invalid_score_saves_nothing(as_user, staff, magelang_event, invited, bad):
    budi, siti = invited["budi"], invited["siti"]
    data = {f"pre-{budi.pk}": "70", f"post-{budi.pk}": "", f"pre-{siti.pk}": bad, f"post-{siti.pk}": ""}
    response = as_user(staff).post(reverse("trainings:scores", args=[magelang_event.pk]), data)
    assert response.status_code == 200
    assert 'id="scores-errors"' in response.content.decode()
    assert not Participant.objects.filter(pre_test_score__isnull=False).exists()
