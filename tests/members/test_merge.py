"""Merging two records of one person (members.services.merge_members), through the service, the review
page and the admin."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from cases.models import CasePsmAssignment
from members import office, services
from members.duplicates import related_counts
from members.models import (
    BoardPosition,
    BoardRole,
    DuplicateDismissal,
    FollowUp,
    InactiveReason,
    Meeting,
    MeetingAttendance,
    MeetingKind,
    Member,
    MemberStatus,
    StatusChange,
    Transfer,
    Unit,
)
from tests import factories
from tests.printing.pictures import phone_photo, upload
from tests.trainings.conftest import make_event, mark_all
from trainings import services as training_services
from trainings.models import Attendance, AttendanceStatus, Participant, Speaker

BORN = datetime.date(1975, 4, 12)

# Every foreign key to Member, and what merging does with it. A new one fails
# test_every_foreign_key_to_member_is_known until merge_members (or its app's merge handler registered
# through members.panels.register_merge_handler) and test_merge_moves_every_relation handle it.
RELATIONS = {
    "members.StatusChange.member": "moved",
    "members.Transfer.member": "moved",
    "members.BoardPosition.member": "moved",
    "members.Member.merged_into": "moved",
    "members.DuplicateDismissal.member_a": "kept",
    "members.DuplicateDismissal.member_b": "kept",
    "members.NikSearch.member": "kept",
    # The merged record's PSM account stays with it, inactive: it can no longer log in (members.accounts).
    "members.Assignment.member": "kept",
    "members.AccountInvitation.member": "kept",
    # The survivor keeps its own photo; it takes the merged record's when it has none (members.office).
    "members.MemberPhoto.member": "moved",
    # Attendance at a meeting and the follow-ups one answers for (members.services._move_meeting_records).
    "members.MeetingAttendance.member": "moved",
    "members.FollowUp.responsible": "moved",
    "cases.Case.psm": "moved",
    "cases.CasePsmAssignment.member": "moved",
    # Monthly reports move, but for a month the survivor reported too (cases.merge; tests/cases).
    "cases.MonthlyReport.member": "moved",
    "trainings.Participant.member": "moved",
    "trainings.Speaker.member": "moved",
}


def _relations_to_member() -> dict:
    return {
        f"{field.related_model._meta.label}.{field.field.name}": field
        for field in Member._meta.get_fields(include_hidden=True)
        if field.is_relation
        and field.auto_created
        and not field.concrete
        and not field.related_model._meta.model_name.startswith("historical")
    }


def test_every_foreign_key_to_member_is_known():
    found = set(_relations_to_member())
    assert found - set(RELATIONS) == set(), "a new foreign key to Member: teach merge_members and this test"
    assert set(RELATIONS) - found == set()
    assert services.unhandled_merge_relations() == set()


def test_merge_refuses_to_run_with_an_unhandled_relation(staff, unit_a, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from members import panels

    monkeypatch.setattr(panels, "MERGE_HANDLERS", {})
    a, b = factories.MemberFactory.create_batch(2, unit=unit_a)
    with pytest.raises(ImproperlyConfigured, match="trainings.Participant.member"):
        services.merge_members(survivor=a, merged=b, by=staff)


def person(unit, name, **fields):
    fields.setdefault("birth_date", BORN)
    fields.setdefault("phone", "")
    return factories.MemberFactory(unit=unit, full_name=name, **fields)


@pytest.fixture
def pair(unit_a, unit_b):
    survivor = person(unit_a, "Siti Rahayu", email="siti@example.id")
    merged = person(
        unit_b, "Sitti Rahayu", phone="+6281298765432", email="lain@example.id", occupation="Guru"
    )
    return survivor, merged


@pytest.fixture
def everything(staff, magelang, pair, unit_a, unit_b):
    """The merged record holds a row of every kind that points at a member."""
    survivor, merged = pair
    rows = {
        "status": StatusChange.objects.create(
            member=merged, new_status=MemberStatus.AKTIF, changed_on=datetime.date(2022, 1, 10), note="Daftar"
        ),
        "transfer": Transfer.objects.create(
            member=merged, from_unit=unit_a, to_unit=unit_b, transferred_on=datetime.date(2023, 2, 1)
        ),
        "seat": factories.BoardPositionFactory(member=merged, unit=unit_b, role=BoardRole.BENDAHARA),
        "earlier": person(unit_b, "Siti Rahayoe", status=MemberStatus.NONAKTIF, status_reason="lainnya"),
        "dismissal": DuplicateDismissal.objects.create(
            member_a=merged, member_b=person(unit_b, "Siti Rahmawati"), dismissed_by=staff
        ),
        "case": factories.CaseFactory(kelurahan=magelang["cacaban"], psm=merged),
        "speaker": Speaker.objects.create(name="Sitti Rahayu", member=merged),
        "photo": office.set_member_photo(
            member=merged, image=office.clean_photo(upload(phone_photo())), by=staff
        ),
    }
    rows["assignment"] = CasePsmAssignment.objects.create(
        case=rows["case"], member=merged, assigned_on=datetime.date(2026, 10, 2)
    )
    event = make_event(magelang["kota_magelang"], by=staff)
    training_services.invite_members(event=event, members=[merged], by=staff)
    rows["participant"] = mark_all(event, merged)
    Member.objects.filter(pk=rows["earlier"].pk).update(
        merged_into=merged, merged_at=datetime.datetime.now(datetime.UTC)
    )
    rows["meeting"] = Meeting.objects.create(
        unit=unit_b, region=unit_b.region, kind=MeetingKind.RUTIN, held_on=datetime.date(2026, 9, 1),
        place="Balai RW", agenda="Pendataan",
    )  # fmt: skip
    MeetingAttendance.objects.create(meeting=rows["meeting"], member=merged, present=True)
    MeetingAttendance.objects.create(meeting=rows["meeting"], member=survivor, present=False)
    FollowUp.objects.create(
        meeting=rows["meeting"], task="Data lansia", responsible=merged, due_on=datetime.date(2026, 9, 30)
    )
    return rows


def test_merge_moves_every_relation(staff, pair, everything):
    survivor, merged = pair
    services.merge_members(survivor=survivor, merged=merged, by=staff)

    moved = everything
    for name in ("status", "transfer", "seat", "speaker", "participant", "assignment", "photo"):
        moved[name].refresh_from_db()
        assert moved[name].member == survivor, name
    assert moved["status"].note == f"[{merged.kta_number}] Daftar"
    assert moved["seat"].ended_on is None  # still the treasurer, now under the surviving record
    moved["case"].refresh_from_db()
    assert moved["case"].psm == survivor
    assert Member.objects.get(pk=moved["earlier"].pk).merged_into == survivor
    assert Attendance.objects.filter(participant__member=survivor).count() == 2
    # "Not the same person" was said of the merged record: it stays with it.
    moved["dismissal"].refresh_from_db()
    assert moved["dismissal"].member_a == merged
    # Both on one meeting's list: one row left, present since the merged record was.
    assert list(
        MeetingAttendance.objects.filter(meeting=moved["meeting"]).values_list("member", "present")
    ) == [(survivor.pk, True)]
    assert FollowUp.objects.get(meeting=moved["meeting"]).responsible == survivor

    # Whatever the relation, nothing points at the merged record any more but its own merge step.
    for label, field in _relations_to_member().items():
        left = field.related_model._base_manager.filter(**{field.field.name: merged})
        if RELATIONS[label] == "moved":
            expected = 1 if label == "members.StatusChange.member" else 0
            assert left.count() == expected, label


def test_merged_record_is_kept_inactive_and_points_at_the_survivor(staff, pair):
    survivor, merged = pair
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    merged.refresh_from_db()
    assert (merged.status, merged.status_reason) == (MemberStatus.NONAKTIF, InactiveReason.LAINNYA)
    assert (merged.merged_into, merged.merged_by) == (survivor, staff)
    assert merged.merged_at is not None
    assert merged.allowed_next_statuses() == ()
    step = merged.status_changes.get()
    assert (step.old_status, step.new_status, step.changed_by) == (
        MemberStatus.AKTIF,
        MemberStatus.NONAKTIF,
        staff,
    )
    assert survivor.kta_number in step.note
    survivor.refresh_from_db()
    assert survivor.status == MemberStatus.AKTIF


def test_merge_is_recorded_in_the_history_of_both(staff, pair):
    survivor, merged = pair
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    merged_version = merged.history.order_by("-history_date").first()
    assert merged_version.history_user == staff
    assert survivor.kta_number in merged_version.history_change_reason
    assert merged_version.merged_into_id == survivor.pk
    survivor_version = survivor.history.order_by("-history_date").first()
    assert survivor_version.history_user == staff
    assert merged.kta_number in survivor_version.history_change_reason
    survivor_step = survivor.status_changes.get()
    assert (survivor_step.old_status, survivor_step.new_status) == (MemberStatus.AKTIF, MemberStatus.AKTIF)
    assert merged.kta_number in survivor_step.note and merged.full_name in survivor_step.note


def test_empty_fields_of_the_survivor_are_filled_never_overwritten(staff, pair):
    survivor, merged = pair
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    survivor.refresh_from_db()
    assert survivor.phone == "+6281298765432"  # was empty
    assert survivor.occupation == "Guru"  # was empty
    assert survivor.email == "siti@example.id"  # kept


def test_an_inactive_record_is_merged_without_a_status_move(staff, pair):
    survivor, merged = pair
    Member.objects.filter(pk=merged.pk).update(status=MemberStatus.NONAKTIF, status_reason="pindah_domisili")
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    merged.refresh_from_db()
    assert (merged.status, merged.status_reason, merged.merged_into) == (
        "nonaktif",
        "pindah_domisili",
        survivor,
    )
    step = merged.status_changes.get()
    assert (step.old_status, step.new_status) == ("nonaktif", "nonaktif")
    assert survivor.kta_number in step.note


# Board seats and trainings where both records hold something --------------------------------------------


def test_the_higher_seat_on_one_board_stays(staff, pair, unit_a):
    survivor, merged = pair
    mine = factories.BoardPositionFactory(member=survivor, unit=unit_a, role=BoardRole.ANGGOTA)
    theirs = factories.BoardPositionFactory(member=merged, unit=unit_a, role=BoardRole.KETUA)
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (theirs.member, theirs.ended_on) == (survivor, None)
    assert mine.ended_on == datetime.date.today()
    assert BoardPosition.objects.current().get(member=survivor) == theirs


def test_on_a_tie_the_survivors_seat_stays(staff, pair, unit_a):
    survivor, merged = pair
    mine = factories.BoardPositionFactory(member=survivor, unit=unit_a, role=BoardRole.ANGGOTA)
    theirs = factories.BoardPositionFactory(member=merged, unit=unit_a, role=BoardRole.ANGGOTA)
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    theirs.refresh_from_db()
    assert (theirs.member, theirs.ended_on) == (survivor, datetime.date.today())
    assert BoardPosition.objects.current().get(member=survivor) == mine
    assert theirs.history.first().history_user == staff


def test_both_invited_to_one_event_keeps_one_participant_with_the_best_marks(staff, magelang, pair):
    survivor, merged = pair
    event = make_event(magelang["kota_magelang"], by=staff, days=3)
    training_services.invite_members(event=event, members=[survivor, merged], by=staff)
    kept = event.participants.get(member=survivor)
    other = event.participants.get(member=merged)
    first, second, third = event.days
    training_services.record_attendance(
        event=event,
        marks={
            (kept.pk, first): AttendanceStatus.TIDAK_HADIR,
            (other.pk, first): AttendanceStatus.HADIR,
            (kept.pk, second): AttendanceStatus.HADIR,
            (other.pk, second): AttendanceStatus.IZIN,
            (other.pk, third): AttendanceStatus.HADIR,
        },
    )
    Attendance.objects.filter(participant=kept, day=third).delete()  # a day only the other record has
    training_services.record_scores(event=event, scores={other.pk: (Decimal("60"), Decimal("85"))})
    Participant.objects.filter(pk=other.pk).update(certificate_number="IPSM/2024/0001/001")

    services.merge_members(survivor=survivor, merged=merged, by=staff)

    participant = Participant.objects.get(event=event)
    assert participant.pk == kept.pk
    assert participant.member == survivor
    assert {row.day: row.status for row in participant.attendance.all()} == {
        first: AttendanceStatus.HADIR,
        second: AttendanceStatus.HADIR,
        third: AttendanceStatus.HADIR,
    }
    assert (participant.pre_test_score, participant.post_test_score) == (Decimal("60"), Decimal("85"))
    assert participant.certificate_number == "IPSM/2024/0001/001"
    assert event.participants.count() == 1


def test_the_survivors_certificate_stays_when_both_have_one(staff, magelang, pair):
    survivor, merged = pair
    event = make_event(magelang["kota_magelang"], by=staff)
    training_services.invite_members(event=event, members=[survivor, merged], by=staff)
    mark_all(event, survivor)
    mark_all(event, merged)
    training_services.issue_certificates(event=event)
    kept_number = event.participants.get(member=survivor).certificate_number
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    assert list(event.participants.values_list("member", "certificate_number")) == [
        (survivor.pk, kept_number)
    ]


# Refusals ---------------------------------------------------------------------------------------------


def _refusal(**kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        services.merge_members(**kwargs)
    return caught.value.code


def test_a_record_cannot_be_merged_into_itself(staff, pair):
    assert _refusal(survivor=pair[0], merged=pair[0], by=staff) == "same_member"


def test_an_already_merged_record_is_refused_either_way(staff, pair, unit_a):
    survivor, merged = pair
    third = person(unit_a, "Siti Rahayuu")
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    assert _refusal(survivor=third, merged=merged, by=staff) == "already_merged"
    assert _refusal(survivor=merged, merged=third, by=staff) == "already_merged"


def test_members_outside_the_users_area_are_refused(staff, staff_other, coordinator, pair, unit_temanggung):
    survivor, merged = pair
    assert _refusal(survivor=survivor, merged=merged, by=staff_other) == "out_of_scope"
    assert _refusal(survivor=survivor, merged=merged, by=coordinator) == "out_of_scope"
    elsewhere = person(unit_temanggung, "Siti Rahayu")
    assert _refusal(survivor=survivor, merged=elsewhere, by=staff) == "out_of_scope"
    assert _refusal(survivor=elsewhere, merged=survivor, by=staff_other) == "out_of_scope"


def test_a_refused_merge_changes_nothing(staff_other, pair, everything):
    survivor, merged = pair
    _refusal(survivor=survivor, merged=merged, by=staff_other)
    merged.refresh_from_db()
    assert (merged.status, merged.merged_into) == (MemberStatus.AKTIF, None)
    assert StatusChange.objects.filter(member=merged).count() == 1
    assert Participant.objects.filter(member=merged).count() == 1


def test_the_superuser_merges_across_kab_kota(superuser, pair, unit_temanggung):
    elsewhere = person(unit_temanggung, "Siti Rahayu")
    services.merge_members(survivor=pair[0], merged=elsewhere, by=superuser)
    assert Member.objects.get(pk=elsewhere.pk).merged_into == pair[0]


# Lists, counts and pages after a merge --------------------------------------------------------------------


def test_merged_record_leaves_lists_and_counts(as_user, staff, pair, unit_b):
    survivor, merged = pair
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    client = as_user(staff)
    listed = client.get(reverse("members:list")).content.decode()
    assert survivor.full_name in listed and merged.full_name not in listed
    only_merged = client.get(reverse("members:list"), {"digabung": "1"}).content.decode()
    assert merged.full_name in only_merged and survivor.full_name not in only_merged
    counts = Unit.objects.filter(pk=unit_b.pk).with_member_counts().get()
    assert (counts.active_count, counts.candidate_count, counts.inactive_count) == (0, 0, 0)
    assert (
        merged.full_name not in client.get(reverse("members:unit_detail", args=[unit_b.pk])).content.decode()
    )
    assert (
        merged.full_name not in client.get(reverse("members:unit_print", args=[unit_b.pk])).content.decode()
    )
    assert not Member.objects.active().filter(pk=merged.pk).exists()
    # Counted once on any day since: the merged record's steps went to the survivor.
    assert list(Member.objects.active_on(datetime.date.today()).filter(pk__in=[m.pk for m in pair])) == [
        survivor
    ]
    assert list(Member.objects.active_on(datetime.date(2023, 1, 1)).filter(pk__in=[m.pk for m in pair])) == []


def test_pages_of_both_records_say_so(as_user, staff, pair):
    survivor, merged = pair
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    client = as_user(staff)
    merged_page = client.get(reverse("members:detail", args=[merged.pk])).content.decode()
    assert 'id="merged-into"' in merged_page
    assert reverse("members:detail", args=[survivor.pk]) in merged_page
    assert reverse("members:status", args=[merged.pk]) not in merged_page
    survivor_page = client.get(reverse("members:detail", args=[survivor.pk])).content.decode()
    assert 'id="merged-records"' in survivor_page
    assert reverse("members:detail", args=[merged.pk]) in survivor_page


def test_status_of_a_merged_record_cannot_change(staff, pair):
    survivor, merged = pair
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    with pytest.raises(ValidationError):
        services.change_member_status(
            member=merged, new_status=MemberStatus.AKTIF, changed_on=datetime.date.today(), by=staff
        )


# The merge page ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("coordinator", 403),
        ("coordinator_b", 403),
        ("viewer", 403),
        ("staff_other", 404),
        ("staff", 200),
        ("superuser", 200),
    ],
)
def test_merge_page_access(request, as_user, pair, role, expected):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    response = as_user(user).get(reverse("members:merge", args=[pair[0].pk, pair[1].pk]))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["coordinator", "viewer", "staff_other"])
def test_others_cannot_merge_by_post(request, as_user, pair, role):
    url = reverse("members:merge", args=[pair[0].pk, pair[1].pk])
    response = as_user(request.getfixturevalue(role)).post(url, {"survivor": pair[0].pk})
    assert response.status_code in (403, 404)
    assert Member.objects.get(pk=pair[1].pk).merged_into is None


def test_merge_page_shows_both_with_what_they_hold(as_user, staff, pair, everything):
    response = as_user(staff).get(reverse("members:merge", args=[pair[0].pk, pair[1].pk]))
    html = response.content.decode()
    for member in pair:
        assert member.full_name in html and member.kta_number in html
    assert response.context["pair"][0][1] == []
    assert [count for _label, count in response.context["pair"][1][1]] == [1] * 8
    with translation.override("en"):
        assert dict(related_counts(pair[1])) == {
            "status changes": 1,
            "transfers": 1,
            "board positions": 1,
            "cases": 1,
            "PSM assignments": 1,
            "speakers": 1,
            "participants": 1,
            "member photos": 1,
        }


def test_staff_merges_through_the_page_choosing_the_survivor(as_user, staff, pair):
    first, second = pair
    url = reverse("members:merge", args=[first.pk, second.pk])
    response = as_user(staff).post(url, {"survivor": second.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:detail", args=[second.pk])
    first.refresh_from_db()
    assert first.merged_into == second


def test_merge_page_explains_a_refusal(as_user, staff, pair, unit_a):
    survivor, merged = pair
    services.merge_members(survivor=survivor, merged=merged, by=staff)
    third = person(unit_a, "Siti Rahayuu")
    client = as_user(staff)
    page = client.get(reverse("members:merge", args=[third.pk, merged.pk]))
    assert page.status_code == 200
    assert 'id="merge-refused"' in page.content.decode()
    refused = client.post(reverse("members:merge", args=[third.pk, merged.pk]), {"survivor": third.pk})
    assert refused.status_code == 400
    assert Member.objects.get(pk=third.pk).status_changes.count() == 0


def test_merge_page_refuses_a_survivor_outside_the_pair(as_user, staff, pair, unit_a):
    stranger = person(unit_a, "Budi Santoso")
    url = reverse("members:merge", args=[pair[0].pk, pair[1].pk])
    response = as_user(staff).post(url, {"survivor": stranger.pk})
    assert response.status_code == 200
    assert Member.objects.filter(merged_into__isnull=False).count() == 0


# The admin ----------------------------------------------------------------------------------------------


def _admin_action(client, members, **extra):
    data = {"action": "merge_two", "_selected_action": [m.pk for m in members], **extra}
    return client.post(reverse("admin:members_member_changelist"), data)


def test_admin_merges_two_selected_members(as_user, superuser, pair):
    client = as_user(superuser)
    confirm = _admin_action(client, pair)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert all(member.kta_number in html for member in pair)
    assert 'name="survivor"' in html
    done = _admin_action(client, pair, survivor=pair[1].pk)
    assert done.status_code == 302
    assert Member.objects.get(pk=pair[0].pk).merged_into == pair[1]


def test_admin_asks_for_exactly_two(as_user, superuser, pair, unit_a):
    client = as_user(superuser)
    response = _admin_action(client, [*pair, person(unit_a, "Budi Santoso")], survivor=pair[0].pk)
    assert response.status_code == 302
    assert Member.objects.filter(merged_into__isnull=False).count() == 0


def test_admin_changelist_links_to_the_duplicates(as_user, superuser, pair):
    response = as_user(superuser).get(reverse("admin:members_member_changelist"))
    assert reverse("members:duplicates") in response.content.decode()


def test_coverage_counts_the_person_once(staff, pair, magelang):
    from cases.models import Kelurahan
    from cases.periods import Period

    survivor, merged = pair
    for member in pair:
        StatusChange.objects.create(
            member=member, new_status=MemberStatus.AKTIF, changed_on=member.status_since
        )

    def active(code, **kwargs):
        return Kelurahan.objects.filter(code=code).with_coverage(Period(2022), **kwargs).get().active_psm

    services.merge_members(survivor=survivor, merged=merged, by=staff)
    for kwargs in ({}, {"as_of": datetime.date.today()}, {"as_of": datetime.date(2023, 1, 1)}):
        assert active(survivor.unit.region_id, **kwargs) == 1, kwargs
        assert active(merged.unit.region_id, **kwargs) == 0, kwargs
