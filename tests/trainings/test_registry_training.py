"""Training in the registry: a member's training history on their page, and the bimtek dasar check when a
member becomes active (Permensos No. 10 Tahun 2019), whose warning is recorded if staff go ahead."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import MemberStatus, StatusChange
from members.panels import ACTIVATION_CHECKS, MEMBER_PANELS, UNIT_PANELS
from tests import factories
from tests.trainings.conftest import START, make_event, mark_all
from trainings import services
from trainings.models import AttendanceStatus
from trainings.panels import basic_training_check, member_training_panel, unit_training_panel


def _history(content: str) -> str:
    return re.search(r'<section class="mt-4" id="member-trainings">.*?</section>', content, re.DOTALL)[0]


def _rows(section: str) -> dict[int, str]:
    """Event pk -> data-completed of each row of the history."""
    return {
        int(pk): done for pk, done in re.findall(r'<tr data-event="(\d+)" data-completed="(\d)">', section)
    }


@pytest.fixture
def history(staff, magelang, member_a):
    """member_a: a two-day bimtek dasar attended in full (certificate issued), a sosialisasi attended on one
    day of two; member_b of the other unit is in the bimtek dasar too."""
    dasar = make_event(magelang["kota_magelang"], by=staff, title="Bimtek Dasar 2024")
    sosialisasi = make_event(
        magelang["kota_magelang"],
        by=staff,
        title="Sosialisasi 2024",
        training_type="sosialisasi",
        starts_on=START + datetime.timedelta(days=30),
        ends_on=START + datetime.timedelta(days=31),
    )
    services.invite_members(event=dasar, members=[member_a], by=staff)
    services.invite_members(event=sosialisasi, members=[member_a], by=staff)
    mark_all(dasar, member_a)
    participant = sosialisasi.participants.get(member=member_a)
    services.record_attendance(
        event=sosialisasi,
        marks={
            (participant.pk, sosialisasi.starts_on): AttendanceStatus.HADIR,
            (participant.pk, sosialisasi.ends_on): AttendanceStatus.TIDAK_HADIR,
        },
    )
    services.issue_certificates(event=dasar)
    return {
        "dasar": dasar,
        "sosialisasi": sosialisasi,
        "certificate": dasar.participants.get(member=member_a),
    }


def test_panels_and_check_are_registered_once():
    assert MEMBER_PANELS.count(member_training_panel) == 1
    assert UNIT_PANELS.count(unit_training_panel) == 1
    assert ACTIVATION_CHECKS.count(basic_training_check) == 1


# --- The member's training history --------------------------------------------------------------


def test_staff_sees_the_training_history_with_links(as_user, staff, member_a, history):
    response = as_user(staff).get(reverse("members:detail", args=[member_a.pk]))
    section = _history(response.content.decode())
    dasar, sosialisasi = history["dasar"], history["sosialisasi"]
    assert _rows(section) == {dasar.pk: "1", sosialisasi.pk: "0"}
    assert section.index(f'data-event="{sosialisasi.pk}"') < section.index(f'data-event="{dasar.pk}"')
    assert 'id="basic-training" data-completed="1"' in section
    assert f'href="{reverse("trainings:detail", args=[dasar.pk])}"' in section
    certificate = history["certificate"]
    assert f'href="{reverse("trainings:certificate", args=[certificate.pk])}"' in section
    assert certificate.certificate_number in section
    row = re.search(rf'<tr data-event="{sosialisasi.pk}".*?</tr>', section, re.DOTALL)[0]
    assert re.search(r'class="attendance-summary">\D*1\D+2\D', row)  # present 1 of 2 days


def test_coordinator_of_the_unit_sees_the_history_but_no_event_links(as_user, coordinator, member_a, history):
    response = as_user(coordinator).get(reverse("members:detail", args=[member_a.pk]))
    assert response.status_code == 200
    section = _history(response.content.decode())
    assert set(_rows(section)) == {history["dasar"].pk, history["sosialisasi"].pk}
    assert history["certificate"].certificate_number in section
    assert reverse("trainings:detail", args=[history["dasar"].pk]) not in section
    assert reverse("trainings:certificate", args=[history["certificate"].pk]) not in section


def test_viewer_sees_the_history_with_links(as_user, viewer, member_a, history):
    section = _history(as_user(viewer).get(reverse("members:detail", args=[member_a.pk])).content.decode())
    assert reverse("trainings:detail", args=[history["dasar"].pk]) in section


def test_staff_of_another_kabkota_and_other_coordinator_get_404(
    as_user, staff_other, coordinator_b, member_a, history
):
    url = reverse("members:detail", args=[member_a.pk])
    assert as_user(staff_other).get(url).status_code == 404
    assert as_user(coordinator_b).get(url).status_code == 404


def test_partner_region_event_is_listed_without_links_for_whoever_cannot_open_it(
    as_user, staff, staff_other, magelang, member_temanggung
):
    """A Temanggung PSM at an event Kota Magelang organised alone: Temanggung staff see the row, no link."""
    event = make_event(magelang["kota_magelang"], by=staff, title="Bimtek Kota")
    services.invite_members(event=event, members=[member_temanggung], by=staff)
    section = _history(
        as_user(staff_other).get(reverse("members:detail", args=[member_temanggung.pk])).content.decode()
    )
    assert set(_rows(section)) == {event.pk}
    assert reverse("trainings:detail", args=[event.pk]) not in section


def test_member_without_trainings_shows_an_empty_history(as_user, staff, member_b):
    section = _history(as_user(staff).get(reverse("members:detail", args=[member_b.pk])).content.decode())
    assert _rows(section) == {}
    assert 'id="basic-training" data-completed="0"' in section


def test_member_page_queries_are_constant(as_user, staff, magelang, member_a, history):
    client = as_user(staff)
    url = reverse("members:detail", args=[member_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for number in range(3):
        event = make_event(
            magelang["kota_magelang"],
            by=staff,
            title=f"Peningkatan {number}",
            starts_on=START + datetime.timedelta(days=60 + 10 * number),
            ends_on=START + datetime.timedelta(days=61 + 10 * number),
        )
        services.invite_members(event=event, members=[member_a], by=staff)
        mark_all(event, member_a)
        services.issue_certificates(event=event)
    with CaptureQueriesContext(connection) as large:
        assert len(_rows(_history(client.get(url).content.decode()))) == 5
    assert len(large) == len(small)


# --- Activation and bimtek dasar --------------------------------------------------------------------


def _activate(client, member, **extra):
    data = {"new_status": "aktif", "changed_on": "2024-06-01", "reason": "", "note": "SK Kadinsos", **extra}
    return client.post(reverse("members:status", args=[member.pk]), data)


@pytest.fixture
def candidate(unit_a):
    return factories.MemberFactory(unit=unit_a, status=MemberStatus.CALON)


def test_activation_without_bimtek_dasar_warns_and_saves_nothing(as_user, staff, candidate):
    response = _activate(as_user(staff), candidate)
    assert response.status_code == 200
    form = response.context["form"]
    assert len(form.warnings) == 1
    assert "confirm" in form.errors
    content = response.content.decode()
    assert 'id="activation-warnings"' in content
    assert 'type="checkbox" name="confirm"' in content
    candidate.refresh_from_db()
    assert candidate.status == MemberStatus.CALON
    assert not StatusChange.objects.filter(member=candidate).exists()


def test_confirmed_activation_saves_and_records_the_warning(as_user, staff, candidate):
    client = as_user(staff)
    warning = _activate(client, candidate).context["form"].warnings[0]
    response = _activate(client, candidate, confirm="on")
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == MemberStatus.AKTIF
    change = candidate.status_changes.get()
    assert (change.old_status, change.new_status, change.changed_by) == ("calon", "aktif", staff)
    assert change.note.startswith("SK Kadinsos; ")
    assert warning in change.note
    # And it shows in the status history on the member's page.
    page = client.get(reverse("members:detail", args=[candidate.pk])).content.decode()
    history = re.search(r'<ul [^>]*id="status-history">.*?</ul>', page, re.DOTALL)[0]
    assert warning in history


def test_reactivating_an_inactive_member_also_warns(as_user, staff, unit_a):
    member = factories.MemberFactory(unit=unit_a, status=MemberStatus.NONAKTIF, status_reason="lainnya")
    response = _activate(as_user(staff), member)
    assert response.status_code == 200
    assert response.context["form"].warnings
    member.refresh_from_db()
    assert member.status == MemberStatus.NONAKTIF


def test_activation_with_a_completed_bimtek_dasar_passes_without_warning(as_user, staff, magelang, candidate):
    event = make_event(magelang["kota_magelang"], by=staff)
    services.invite_members(event=event, members=[candidate], by=staff)
    mark_all(event, candidate)
    response = _activate(as_user(staff), candidate)
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == MemberStatus.AKTIF
    assert candidate.status_changes.get().note == "SK Kadinsos"


def test_a_bimtek_dasar_attended_only_partly_does_not_count(as_user, staff, magelang, candidate):
    event = make_event(magelang["kota_magelang"], by=staff, days=3)
    services.invite_members(event=event, members=[candidate], by=staff)
    participant = mark_all(event, candidate)
    services.record_attendance(event=event, marks={(participant.pk, event.ends_on): AttendanceStatus.IZIN})
    response = _activate(as_user(staff), candidate)
    assert response.status_code == 200
    assert response.context["form"].warnings
    candidate.refresh_from_db()
    assert candidate.status == MemberStatus.CALON


def test_another_training_type_does_not_count(as_user, staff, magelang, candidate):
    event = make_event(magelang["kota_magelang"], by=staff, training_type="sosialisasi")
    services.invite_members(event=event, members=[candidate], by=staff)
    mark_all(event, candidate)
    assert _activate(as_user(staff), candidate).status_code == 200


def test_confirm_box_stays_hidden_until_a_warning(as_user, staff, candidate):
    content = as_user(staff).get(reverse("members:status", args=[candidate.pk])).content.decode()
    assert 'type="hidden" name="confirm"' in content
    assert 'id="activation-warnings"' not in content


def test_deactivation_does_not_run_the_check(as_user, staff, member_a):
    response = as_user(staff).post(
        reverse("members:status", args=[member_a.pk]),
        {"new_status": "nonaktif", "reason": "lainnya", "changed_on": "2024-06-01", "confirm_inactive": "on"},
    )
    assert response.status_code == 302
    assert member_a.status_changes.get().note == ""


def test_coordinator_cannot_change_a_status_of_another_unit(as_user, coordinator_b, candidate):
    assert _activate(as_user(coordinator_b), candidate, confirm="on").status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == MemberStatus.CALON
