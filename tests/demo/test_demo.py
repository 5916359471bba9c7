"""The demo loader (manage.py load_demo): accounts, units, members, boards and transfers, idempotent."""

import datetime
import hashlib
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import RequestFactory

from cases.models import MonthlyReport
from ipsm import roles
from ipsm.devtools.demo import DEMO_PASSWORD, SHOWCASE_VILLAGE
from members.models import (
    SINGLE_SEAT_ROLES,
    Assignment,
    BoardPosition,
    BoardRole,
    FollowUp,
    Meeting,
    MeetingAttendance,
    Member,
    MemberStatus,
    StatusChange,
    Transfer,
    Unit,
)
from members.nik import nik_mismatches, parse_nik
from tests.demo.conftest import IN_DEMO_GROUP, load_demo_again

User = get_user_model()

pytestmark = IN_DEMO_GROUP


def _years_between(start: datetime.date, end: datetime.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _snapshot() -> dict:
    members = Member.objects.order_by("nik").values_list(
        "nik", "full_name", "unit_id", "kta_number", "status", "status_since", "updated_at"
    )
    checksum = hashlib.sha256(repr(list(members)).encode()).hexdigest()
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Member, Unit, BoardPosition, StatusChange, Transfer, User, Assignment)
        },
        "members": checksum,
        "kta_serials": list(Unit.objects.order_by("pk").values_list("pk", "kta_serial")),
        "history": (Member.history.count(), Unit.history.count(), BoardPosition.history.count()),
    }


def test_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    before = _snapshot()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=StringIO())
    assert _snapshot() == before


ROLE_ACCOUNTS = [
    ("staf-magelang", roles.STAFF, "33.71", None),
    ("staf-temanggung", roles.STAFF, "33.23", None),
    ("pimpinan-magelang", roles.VIEWER, "33.71", None),
    ("koordinator-rejowinangun-utara", roles.COORDINATOR, None, SHOWCASE_VILLAGE),
]


def test_role_accounts_have_their_group_and_scope(demo):
    for username, group, region, unit_region in ROLE_ACCOUNTS:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group], username
        assert not user.is_superuser
        assert user.first_name and user.last_name
        assignment = user.assignment
        assert assignment.region_id == region, username
        assert (assignment.unit.region_id if assignment.unit else None) == unit_region, username


def test_psm_account_is_one_active_member_of_the_showcase_unit(demo):
    user = User.objects.get(username="psm-rejowinangun-utara")
    assert list(user.groups.values_list("name", flat=True)) == [roles.PSM]
    member = user.assignment.member
    assert member.unit.region_id == SHOWCASE_VILLAGE and member.status == "aktif" and member.phone
    assert member.cases.exists()  # something to see on their pages
    assert user.get_full_name() == member.full_name
    request = RequestFactory().post("/")
    assert authenticate(request=request, username=member.phone, password=DEMO_PASSWORD) == user


def test_admin_is_a_superuser(demo):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not Assignment.objects.filter(user=admin).exists()


def test_every_demo_account_logs_in_with_the_demo_password(demo):
    usernames = [
        "admin",
        "staf-magelang",
        "staf-temanggung",
        "pimpinan-magelang",
        "koordinator-rejowinangun-utara",
        "psm-rejowinangun-utara",
    ]
    for username in usernames:
        request = RequestFactory().post("/")
        assert authenticate(request=request, username=username, password=DEMO_PASSWORD) is not None, username


def test_output_lists_counts_and_logins(demo):
    assert DEMO_PASSWORD in demo
    for username in ("admin", "staf-magelang", "koordinator-rejowinangun-utara"):
        assert username in demo
    assert str(Member.objects.count()) in demo


def test_units_cover_magelang_and_most_of_temanggung(demo):
    magelang = Unit.objects.within("33.71")
    assert magelang.filter(region__level="kelurahan").count() == 17
    assert magelang.filter(region__level="kecamatan").count() == 3
    assert magelang.filter(region_id="33.71").exists()
    temanggung_villages = Unit.objects.within("33.23").filter(region__level__in=["desa", "kelurahan"]).count()
    assert 0.5 * 289 <= temanggung_villages <= 0.7 * 289
    assert Unit.objects.filter(region_id="33.23").exists()
    assert Unit.objects.within("33.23").filter(region__level="kecamatan").exists()
    assert not Unit.objects.exclude(sk_number="").filter(sk_date__isnull=True).exists()


def test_every_nik_is_valid_and_agrees_with_the_member(demo):
    members = list(Member.objects.all())
    assert len({m.nik for m in members}) == len(members) > 1000
    for member in members:
        parts = parse_nik(member.nik)
        is_female = member.sex == "P"
        assert nik_mismatches(parts, is_female=is_female, birth_date=member.birth_date) == [], member.nik
        assert _years_between(member.birth_date, member.joined_on) >= 18, member.nik
        assert datetime.date(2015, 1, 1) <= member.joined_on <= datetime.date(2025, 12, 31)
    assert {m.sex for m in members} == {"L", "P"}


def test_each_village_unit_has_3_to_12_members(demo):
    counts = Unit.objects.filter(region__level__in=["desa", "kelurahan"]).annotate(n=Count("members"))
    assert all(3 <= unit.n <= 12 for unit in counts), [
        (u.region_id, u.n) for u in counts if not 3 <= u.n <= 12
    ]
    assert not Member.objects.exclude(unit__region__level__in=["desa", "kelurahan"]).exists()


def test_members_carry_a_consistent_lifecycle(demo):
    statuses = dict(Member.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses[MemberStatus.AKTIF] > statuses[MemberStatus.CALON] > 0
    assert statuses[MemberStatus.NONAKTIF] > 0
    changes = {}
    for change in StatusChange.objects.order_by("changed_on", "pk"):
        changes.setdefault(change.member_id, []).append(change)
    for member in Member.objects.all():
        steps = changes[member.pk]
        assert steps[0].old_status == "" and steps[0].changed_on == member.joined_on
        assert all(a.new_status == b.old_status for a, b in zip(steps, steps[1:], strict=False))
        assert (steps[-1].new_status, steps[-1].changed_on) == (member.status, member.status_since)
        assert steps[-1].reason == member.status_reason


def test_kta_numbers_continue_from_each_units_serial(demo):
    ktas = list(Member.objects.values_list("kta_number", flat=True))
    for unit in Unit.objects.filter(region__level__in=["desa", "kelurahan"]):
        prefix = unit.region_id.replace(".", "") + "-"
        serials = sorted(int(kta.removeprefix(prefix)) for kta in ktas if kta.startswith(prefix))
        # Transferred members keep the KTA of the unit that issued it.
        assert serials == list(range(1, unit.kta_serial + 1)), unit.region_id


def test_phones_and_rt_rw_are_normalised(demo):
    assert not Member.objects.exclude(phone="").exclude(phone__regex=r"^\+628[0-9]{8,11}$").exists()
    assert not Member.objects.exclude(rt__regex=r"^[0-9]{3}$").exists()
    assert Member.objects.filter(phone="").exists() and Member.objects.exclude(email="").exists()


def test_boards_respect_the_rules(demo, today):
    current = BoardPosition.objects.current()
    assert current.count() > 400
    # One holder per single seat, one seat per member, per unit (PostgreSQL enforces it too).
    assert (
        not current.filter(role__in=SINGLE_SEAT_ROLES)
        .values("unit", "role")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not current.values("unit", "member").annotate(n=Count("pk")).filter(n__gt=1)
    for position in current.select_related("member__unit"):
        assert position.member.status != MemberStatus.NONAKTIF
        assert position.member.unit.region_id.startswith(position.unit.region_id)
        assert 1825 <= (position.term_ends_on - position.term_starts_on).days <= 1827  # masa bakti 5 years
    lapsed = current.filter(term_ends_on__lt=today).values("unit").distinct().count()
    ending = current.filter(term_ends_on__gte=today, term_ends_on__lte=today + datetime.timedelta(days=90))
    assert 1 <= lapsed <= 5
    assert ending.values("unit").distinct().count() >= 3
    assert current.filter(unit__region__level="kecamatan").exists()
    assert current.filter(unit__region_id="33.71").exists()


def test_showcase_unit_is_fresh_with_a_full_board(demo, today):
    unit = Unit.objects.get(region_id=SHOWCASE_VILLAGE)
    assert not unit.roster_is_stale
    assert 8 <= unit.members.count() <= 10
    roles_held = set(unit.board.current().filter(term_ends_on__gt=today).values_list("role", flat=True))
    assert roles_held >= {BoardRole.KETUA, BoardRole.WAKIL_KETUA, BoardRole.SEKRETARIS, BoardRole.BENDAHARA}


def test_some_rosters_are_stale(demo):
    assert Unit.objects.within("33.71").roster_stale().count() == 3
    temanggung = Unit.objects.within("33.23").filter(region__level__in=["desa", "kelurahan"])
    share = temanggung.roster_stale().count() / temanggung.count()
    assert 0.1 <= share <= 0.2
    assert Unit.objects.filter(roster_confirmed_at__isnull=True).exists()


def test_transfers_moved_members(demo):
    transfers = list(Transfer.objects.select_related("member", "from_unit", "to_unit"))
    assert len(transfers) >= 3
    for transfer in transfers:
        assert transfer.member.unit == transfer.to_unit != transfer.from_unit
        assert transfer.transferred_by.username == "admin"
    within_magelang = [
        t for t in transfers if t.from_unit.region_id[:5] == t.to_unit.region_id[:5] == "33.71"
    ]
    assert within_magelang
    assert any(t.from_unit.region_id[:5] != t.to_unit.region_id[:5] for t in transfers)


def test_history_pages_have_rows(demo):
    assert Member.history.filter(history_type="+").count() == Member.objects.count()
    assert Unit.history.filter(history_type="+").count() == Unit.objects.count()
    assert BoardPosition.history.count() >= BoardPosition.objects.count()


def test_second_run_changes_nothing(demo, settings):
    settings.DEBUG = True
    before = _snapshot()
    output = load_demo_again()
    assert _snapshot() == before
    assert "ipsm-demo" in output


def test_a_partial_demo_is_completed(demo, settings):
    settings.DEBUG = True
    before = _snapshot()
    unit = Unit.objects.get(region_id="33.71.01.1007")
    unit.board.all().delete()
    MonthlyReport.objects.filter(member__unit=unit).delete()  # a report keeps its member (PROTECT)
    # So do meeting attendance and follow-ups (the unit's meetings go too: the demo makes them again).
    Meeting.objects.filter(unit=unit).delete()
    MeetingAttendance.objects.filter(member__unit=unit).delete()
    FollowUp.objects.filter(responsible__unit=unit).delete()
    Member.objects.filter(
        unit=unit,
        board_positions__isnull=True,
        transfers__isnull=True,
        cases__isnull=True,
        case_assignments__isnull=True,
        trainings__isnull=True,
    ).delete()
    User.objects.filter(username="koordinator-rejowinangun-utara").delete()
    assert _snapshot()["counts"] != before["counts"]
    load_demo_again()
    after = _snapshot()
    assert after["counts"] == before["counts"]
    assert after["kta_serials"] == before["kta_serials"]
