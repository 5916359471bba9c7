"""Status changes, transfers, boards and roster checks through the pages and services."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from members import services
from members.models import BoardPosition, BoardRole, MemberStatus, StatusChange, Transfer
from tests import factories


def test_staff_activates_a_candidate(as_user, staff, unit_a):
    member = factories.MemberFactory(unit=unit_a, status=MemberStatus.CALON)
    response = as_user(staff).post(
        reverse("members:status", args=[member.pk]),
        # No bimtek dasar yet: the warning is confirmed (tests/trainings/test_registry_training.py).
        {
            "new_status": "aktif",
            "changed_on": "2024-03-01",
            "reason": "",
            "note": "SK Kadinsos",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.status, member.status_since) == (MemberStatus.AKTIF, datetime.date(2024, 3, 1))
    change = member.status_changes.get()
    assert (change.old_status, change.new_status, change.changed_by) == ("calon", "aktif", staff)


def test_deactivation_needs_a_reason(as_user, staff, member_a):
    response = as_user(staff).post(
        reverse("members:status", args=[member_a.pk]), {"new_status": "nonaktif", "changed_on": "2024-03-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.AKTIF


def test_illegal_move_is_not_offered(as_user, staff, member_a):
    response = as_user(staff).post(
        reverse("members:status", args=[member_a.pk]), {"new_status": "calon", "changed_on": "2024-03-01"}
    )
    assert "new_status" in response.context["form"].errors
    assert [value for value, _label in response.context["form"].fields["new_status"].choices] == ["nonaktif"]


def test_deceased_member_cannot_be_reactivated(member_a, staff):
    services.change_member_status(
        member=member_a,
        new_status="nonaktif",
        reason="meninggal_dunia",
        changed_on=datetime.date(2024, 5, 1),
        by=staff,
    )
    member_a.refresh_from_db()
    assert member_a.allowed_next_statuses() == ()
    with pytest.raises(ValidationError):
        services.change_member_status(
            member=member_a, new_status="aktif", changed_on=datetime.date(2024, 6, 1), by=staff
        )


def test_deactivation_ends_board_seats(member_a, staff):
    position = factories.BoardPositionFactory(member=member_a)
    services.change_member_status(
        member=member_a,
        new_status="nonaktif",
        reason="mengundurkan_diri",
        changed_on=datetime.date(2024, 5, 1),
        by=staff,
    )
    position.refresh_from_db()
    assert position.ended_on == datetime.date(2024, 5, 1)


def test_status_date_cannot_go_back_before_current_status(member_a, staff):
    with pytest.raises(ValidationError):
        services.change_member_status(
            member=member_a,
            new_status="nonaktif",
            reason="lainnya",
            changed_on=datetime.date(2000, 1, 1),
            by=staff,
        )


def test_transfer_keeps_kta_and_history(as_user, staff, member_a, unit_b):
    kta = member_a.kta_number
    old_unit = member_a.unit
    seat = factories.BoardPositionFactory(member=member_a)
    response = as_user(staff).post(
        reverse("members:transfer", args=[member_a.pk]),
        {"to_unit": unit_b.pk, "transferred_on": "2024-07-01", "note": "Pindah rumah"},
    )
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert (member_a.unit, member_a.kta_number) == (unit_b, kta)
    transfer = Transfer.objects.get()
    assert (transfer.from_unit, transfer.to_unit, transfer.transferred_by) == (old_unit, unit_b, staff)
    seat.refresh_from_db()
    assert seat.ended_on == datetime.date(2024, 7, 1)
    page = as_user(staff).get(reverse("members:detail", args=[member_a.pk]))
    changes = [(c.old, c.new) for entry in page.context["history"] for c in entry.changes]
    assert (str(old_unit), str(unit_b)) in changes


def test_transfer_target_must_be_in_scope(as_user, staff, member_a, unit_temanggung):
    response = as_user(staff).post(
        reverse("members:transfer", args=[member_a.pk]),
        {"to_unit": unit_temanggung.pk, "transferred_on": "2024-07-01"},
    )
    assert response.status_code == 200
    assert "to_unit" in response.context["form"].errors
    member_a.refresh_from_db()
    assert member_a.unit != unit_temanggung


def test_new_ketua_takes_the_seat_over(as_user, coordinator, unit_a):
    old = factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a), role=BoardRole.KETUA)
    new_member = factories.MemberFactory(unit=unit_a)
    response = as_user(coordinator).post(
        reverse("members:board_add", args=[unit_a.pk]),
        {
            "member": new_member.pk,
            "role": "ketua",
            "term_starts_on": "2025-01-01",
            "term_ends_on": "2030-01-01",
        },
    )
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.ended_on == datetime.date(2025, 1, 1)
    assert BoardPosition.objects.current().get(unit=unit_a, role="ketua").member == new_member


def test_board_term_must_end_after_start(as_user, coordinator, member_a):
    response = as_user(coordinator).post(
        reverse("members:board_add", args=[member_a.unit.pk]),
        {
            "member": member_a.pk,
            "role": "ketua",
            "term_starts_on": "2025-01-01",
            "term_ends_on": "2024-01-01",
        },
    )
    assert "term_ends_on" in response.context["form"].errors
    assert not BoardPosition.objects.exists()


def test_database_refuses_two_current_holders_of_a_single_seat(unit_a):
    factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a), role=BoardRole.BENDAHARA)
    with pytest.raises(IntegrityError):
        factories.BoardPositionFactory(member=factories.MemberFactory(unit=unit_a), role=BoardRole.BENDAHARA)


def test_board_warns_when_term_ends_soon_or_lapsed(as_user, staff, unit_a, today):
    ending = factories.BoardPositionFactory(
        member=factories.MemberFactory(unit=unit_a),
        role="ketua",
        term_ends_on=today + datetime.timedelta(days=30),
    )
    lapsed = factories.BoardPositionFactory(
        member=factories.MemberFactory(unit=unit_a),
        role="sekretaris",
        term_ends_on=today - datetime.timedelta(days=1),
    )
    fine = factories.BoardPositionFactory(
        member=factories.MemberFactory(unit=unit_a),
        role="bendahara",
        term_ends_on=today + datetime.timedelta(days=400),
    )
    response = as_user(staff).get(reverse("members:unit_detail", args=[unit_a.pk]))
    warnings = {p.pk: p.warning for p in response.context["board"]}
    assert warnings == {ending.pk: "ending", lapsed.pk: "lapsed", fine.pk: ""}
    overview = as_user(staff).get(reverse("members:region", args=["33.71"]))  # the registry overview
    assert {p.pk for p in overview.context["ending_positions"]} == {ending.pk, lapsed.pk}


def test_ending_a_seat(as_user, staff, member_a):
    position = factories.BoardPositionFactory(member=member_a)
    response = as_user(staff).post(
        reverse("members:board_end", args=[position.pk]), {"ended_on": "2025-02-01"}
    )
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.ended_on == datetime.date(2025, 2, 1)
    assert position.history.first().history_user == staff


def test_roster_confirmation_clears_the_stale_flag(as_user, coordinator, staff, unit_a, unit_b):
    assert unit_a.roster_is_stale
    as_user(coordinator).post(reverse("members:unit_confirm_roster", args=[unit_a.pk]))
    unit_a.refresh_from_db()
    assert not unit_a.roster_is_stale
    assert unit_a.roster_confirmed_by == coordinator
    overview = as_user(staff).get(reverse("members:region", args=["33.71"]))  # the registry overview
    assert [u.pk for u in overview.context["stale_units"]] == [unit_b.pk]


def test_unit_roster_stale_after_180_days(unit_a):
    from django.utils import timezone

    from members.models import Unit

    Unit.objects.filter(pk=unit_a.pk).update(
        roster_confirmed_at=timezone.now() - datetime.timedelta(days=181)
    )
    assert list(Unit.objects.roster_stale()) == [unit_a]
    Unit.objects.filter(pk=unit_a.pk).update(
        roster_confirmed_at=timezone.now() - datetime.timedelta(days=179)
    )
    assert not Unit.objects.roster_stale().exists()


def test_staff_creates_a_unit_in_scope_only(as_user, staff, magelang):
    client = as_user(staff)
    response = client.post(reverse("members:unit_create"), {"region": "33.71.01.1007", "sk_number": "1/2024"})
    assert response.status_code == 302
    refused = client.post(reverse("members:unit_create"), {"region": "33.23.11.2001"})
    assert "region" in refused.context["form"].errors


def test_statuschange_rows_are_kept_in_order(member_a, staff):
    services.change_member_status(
        member=member_a,
        new_status="nonaktif",
        reason="pindah_domisili",
        changed_on=datetime.date(2024, 1, 1),
        by=staff,
    )
    member_a.refresh_from_db()
    services.change_member_status(
        member=member_a, new_status="aktif", changed_on=datetime.date(2024, 6, 1), by=staff
    )
    assert list(StatusChange.objects.values_list("new_status", flat=True)) == ["aktif", "nonaktif"]
