"""Readable change history of members, units, cases and training events, and who may read each."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ipsm.lib.history import history_entries
from members.nik import mask_nik
from tests.audit.conftest import edit
from tests.trainings.conftest import make_event
from trainings import services as training_services


def _changes(entry) -> dict[str, tuple[str, str]]:
    return {change.label: (change.old, change.new) for change in entry.changes}


# --- members and units ------------------------------------------------------------------------------------


def test_member_history_shows_each_field_old_to_new_with_author(as_user, staff, member_a, magelang):
    old_name = member_a.full_name
    edit(member_a, staff, full_name="Sri Rahayu Baru", kelurahan=magelang["cacaban"], education="sma")
    page = as_user(staff).get(reverse("members:detail", args=[member_a.pk]))
    newest = page.context["history"][0]
    assert (newest.who, newest.kind) == (staff, "~")
    assert _changes(newest) == {
        "full name": (old_name, "Sri Rahayu Baru"),
        "kelurahan/desa of domicile": ("Kel. Rejowinangun Utara", "Kel. Cacaban"),
        "last education": ("—", "Senior high school (SMA/SMK)"),
    }
    assert page.context["history"][-1].kind == "+"
    assert "Sri Rahayu Baru" in page.content.decode()


def test_member_nik_change_is_clear_to_editors_and_masked_otherwise(staff, member_a):
    old_nik = member_a.nik
    edit(member_a, staff, nik="3371030101800009")
    assert _changes(history_entries(member_a, show_nik=True)[0])["NIK"] == (old_nik, "3371030101800009")
    masked = _changes(history_entries(member_a, show_nik=False)[0])["NIK"]
    assert masked == (mask_nik(old_nik), mask_nik("3371030101800009"))


def test_member_history_only_for_those_who_may_edit(as_user, staff, viewer, coordinator, member_a):
    url = reverse("members:detail", args=[member_a.pk])
    assert as_user(staff).get(url).context["history"] is not None
    assert as_user(coordinator).get(url).context["history"] is not None
    assert as_user(viewer).get(url).context["history"] is None


def test_unit_history_shows_changes_to_staff_only(as_user, staff, coordinator, unit_a):
    old_number = unit_a.sk_number
    edit(unit_a, staff, sk_number="400/77/2024", sk_date=datetime.date(2024, 2, 1))
    url = reverse("members:unit_detail", args=[unit_a.pk])
    newest = as_user(staff).get(url).context["history"][0]
    assert _changes(newest) == {
        "SK pembentukan number": (old_number, "400/77/2024"),
        "SK pembentukan date": ("01/03/2023", "01/02/2024"),
    }
    assert as_user(coordinator).get(url).context["history"] is None


def test_timestamps_alone_are_not_listed_as_changes(staff, member_a):
    edit(member_a, staff)  # saved again, nothing changed but updated_at
    assert history_entries(member_a, show_nik=True)[0].changes == []


# --- cases ------------------------------------------------------------------------------------------------


def test_case_history_names_the_psm_the_kelurahan_and_the_status(as_user, staff, case, member_a, magelang):
    edit(case, staff, psm=member_a, kelurahan=magelang["rejowinangun_utara"], person_name="Ibu Sumi")
    edit(case, staff, status="asesmen", status_since=datetime.date(2024, 3, 2), reason="Asesmen dimulai")
    response = as_user(staff).get(reverse("cases:history", args=[case.pk]))
    assert response.status_code == 200
    status_entry, psm_entry, created = response.context["history"]
    assert status_entry.reason == "Asesmen dimulai"
    assert _changes(status_entry) == {
        "status": ("New", "Assessment"),
        "status since": ("01/03/2024", "02/03/2024"),
    }
    assert _changes(psm_entry)["responsible PSM"] == ("—", member_a.full_name)
    assert _changes(psm_entry)["kelurahan"] == ("Kel. Cacaban", "Kel. Rejowinangun Utara")
    assert psm_entry.who == staff and created.kind == "+"
    assert "Ibu Sumi" in response.content.decode()


def test_case_person_nik_masked_for_readers_who_may_not_edit(as_user, staff, case_reader, case):
    edit(case, staff, person_nik="3371034507500003")
    url = reverse("cases:history", args=[case.pk])
    assert _changes(as_user(staff).get(url).context["history"][0])["NIK"] == (
        "3371034507500002",
        "3371034507500003",
    )
    page = as_user(case_reader).get(url)
    assert _changes(page.context["history"][0])["NIK"] == (
        mask_nik("3371034507500002"),
        mask_nik("3371034507500003"),
    )
    assert "3371034507500003" not in page.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("staff", 200), ("superuser", 200), ("viewer", 403), ("coordinator", 403), ("staff_other", 404)],
)
def test_who_may_read_a_case_history(request, as_user, case, who, expected):
    user = request.getfixturevalue(who)
    assert as_user(user).get(reverse("cases:history", args=[case.pk])).status_code == expected


def test_case_history_needs_login(client, case):
    response = client.get(reverse("cases:history", args=[case.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_case_page_links_to_its_history(as_user, staff, case):
    page = as_user(staff).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:history", args=[case.pk]) in page


def test_case_history_costs_the_same_queries_with_more_changes(as_user, staff, case, member_a, member_b):
    client = as_user(staff)
    url = reverse("cases:history", args=[case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(6):
        edit(case, staff, psm=member_a if number % 2 else member_b, person_name=f"Nama {number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["history"]) == 7
    # One more only for the PSM names, fetched together (members named by the foreign key).
    assert len(many) == len(few) + 1


# --- training events --------------------------------------------------------------------------------------


def _save_event(event, staff, magelang, **fields):
    for name, value in fields.items():
        setattr(event, name, value)
    return training_services.save_event(
        event=event, organiser_regions=[magelang["kota_magelang"]], other_organisers=[], by=staff
    )


def test_event_history_shows_changes_with_author(as_user, staff, event, magelang):
    _save_event(event, staff, magelang, venue="Gedung Wiworo Wiji Pinilih", budget=Decimal("15000000"))
    response = as_user(staff).get(reverse("trainings:history", args=[event.pk]))
    newest = response.context["history"][0]
    assert newest.who == staff
    changes = _changes(newest)
    assert changes["venue"] == ("Aula Dinas Sosial", "Gedung Wiworo Wiji Pinilih")
    assert changes["budget (Rp)"][0] == "—"
    assert changes["budget (Rp)"][1] in {"15.000.000", "15,000,000"}
    assert "Gedung Wiworo Wiji Pinilih" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("staff", 200), ("superuser", 200), ("viewer", 403), ("coordinator", 403), ("staff_other", 404)],
)
def test_who_may_read_an_event_history(request, as_user, event, who, expected):
    user = request.getfixturevalue(who)
    assert as_user(user).get(reverse("trainings:history", args=[event.pk])).status_code == expected


def test_partner_office_reads_the_history_of_a_joint_event(as_user, staff, staff_other, magelang):
    joint = make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, title="Bersama")
    assert as_user(staff_other).get(reverse("trainings:history", args=[joint.pk])).status_code == 200


def test_event_page_links_to_history_only_for_those_who_may_change(as_user, staff, viewer, event):
    link = reverse("trainings:history", args=[event.pk])
    assert link in as_user(staff).get(reverse("trainings:detail", args=[event.pk])).content.decode()
    assert link not in as_user(viewer).get(reverse("trainings:detail", args=[event.pk])).content.decode()


def test_coverage_target_history_still_works_through_the_old_import(staff, magelang):
    from cases.models import CoverageTarget
    from members.history import history_entries as old_import

    target = CoverageTarget(region=magelang["kota_magelang"], min_active_psm=5)
    edit(target, staff)
    edit(target, staff, min_active_psm=7)
    assert _changes(old_import(target, show_nik=False)[0]) == {"minimum active PSM per kelurahan": ("5", "7")}
