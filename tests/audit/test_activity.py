"""The activity log (/aktivitas/): what it lists, for whom, within which area, filters, query counts."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ipsm import roles
from ipsm.audit import activity
from ipsm.models import ExportLog, ImportJob
from members import services as member_services
from members.access import scope_of
from tests import factories
from tests.audit.conftest import edit
from tests.trainings.conftest import make_event

URL = reverse("activity")


def _export(user, **fields):
    fields = {"list_name": "members", "file_format": "xlsx", "row_count": 12, **fields}
    return ExportLog.objects.create(user=user, **fields)


def _import(user, **fields):
    fields = {"kind": "members", "file_name": "roster.xlsx", "status": "done", "new_rows": 3, **fields}
    return ImportJob.objects.create(user=user, content=b"", **fields)


def _entries(response):
    return response.context["page"].entries


def _labels(response) -> set[tuple[str, str]]:
    return {(entry.kind, entry.label) for entry in _entries(response)}


# --- who may use it ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"), [("staff", 200), ("superuser", 200), ("viewer", 403), ("coordinator", 403)]
)
def test_who_may_read_the_activity_log(request, as_user, who, expected):
    user = request.getfixturevalue(who)
    assert as_user(user).get(URL).status_code == expected


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_staff_without_an_assigned_area_gets_403(as_user, magelang):
    user = factories.UserFactory(username="staf-tanpa-wilayah")
    user.groups.add(Group.objects.get(name=roles.STAFF))
    assert as_user(user).get(URL).status_code == 403


def test_nav_link_only_for_those_who_may_read_it(as_user, staff, viewer, coordinator):
    assert f'href="{URL}"' in as_user(staff).get(reverse("home")).content.decode()
    for user in (viewer, coordinator):
        assert f'href="{URL}"' not in as_user(user).get(reverse("home")).content.decode()


# --- what it lists -----------------------------------------------------------------------------------------


@pytest.fixture
def magelang_activity(staff, coordinator, member_a, unit_a, case, event):
    """One record of every kind in Kota Magelang."""
    edit(member_a, coordinator, full_name="Nama Diperbaiki", address="Jl. Baru 1")
    edit(unit_a, staff, sk_number="400/99/2024")
    member_services.appoint_board_member(
        unit=unit_a,
        member=member_a,
        role="ketua",
        term_starts_on=datetime.date(2024, 1, 1),
        term_ends_on=datetime.date(2029, 1, 1),
        by=staff,
    )
    edit(case, staff, person_name="Ibu Sumi")
    _export(staff, filters={"status": "aktif"})
    _import(coordinator)


@pytest.fixture
def temanggung_activity(staff_other, unit_temanggung, case_temanggung, event_temanggung):
    member = factories.MemberFactory(unit=unit_temanggung, full_name="Warga Temanggung")
    edit(member, staff_other, address="Jl. Temanggung 2")
    _export(staff_other, list_name="cases")
    _import(staff_other, file_name="temanggung.xlsx")


def test_lists_every_kind_with_author_action_and_summary(
    as_user, staff, coordinator, member_a, unit_a, case, event, magelang_activity
):
    response = as_user(staff).get(URL)
    entries = _entries(response)
    by_kind = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    assert set(by_kind) == {"member", "unit", "board", "case", "event", "export", "import"}
    member_change = next(e for e in by_kind["member"] if e.action == "~")
    assert (member_change.who, member_change.label, member_change.action_label) == (
        "koordinator-a",
        "Nama Diperbaiki",
        "changed",
    )
    assert member_change.summary == "Changed: full name, address"
    assert member_change.url == reverse("members:detail", args=[member_a.pk])
    assert by_kind["unit"][0].summary == "Changed: SK pembentukan number"
    assert by_kind["unit"][0].label == "IPSM Kel. Rejowinangun Utara"
    assert by_kind["board"][0].label.startswith("Chair (ketua): Nama Diperbaiki")
    assert by_kind["board"][0].url == reverse("members:unit_detail", args=[unit_a.pk])
    case_change = by_kind["case"][0]
    assert (case_change.label, case_change.summary) == (f"Case #{case.pk}", "Changed: name")
    assert "Ibu Sumi" not in response.content.decode()  # values stay on the case's own history page
    assert by_kind["event"][0].url == reverse("trainings:detail", args=[event.pk])
    export = by_kind["export"][0]
    assert (export.who, export.label) == ("staf-magelang", "members (XLSX)")
    assert export.summary == "12 rows · status: aktif"
    upload = by_kind["import"][0]
    assert (upload.who, upload.action_label, upload.url) == ("koordinator-a", "Imported", "")
    assert upload.summary == "3 new, 0 updated, 0 unchanged, 0 with errors"
    assert [e.when for e in entries] == sorted((e.when for e in entries), reverse=True)


def test_nik_values_never_appear_in_the_log(as_user, staff, member_a):
    edit(member_a, staff, nik="3371030101800009")
    page = as_user(staff).get(URL)
    assert "3371030101800009" not in page.content.decode()
    assert _entries(page)[0].summary == "Changed: NIK"


def test_uploader_gets_a_link_to_their_own_import(as_user, staff):
    job = _import(staff)
    (entry,) = _entries(as_user(staff).get(URL + "?jenis=import"))
    assert entry.url == reverse("imports:job", args=[job.pk])


def test_deleted_objects_are_listed_without_a_link(as_user, staff, unit_a):
    member = factories.MemberFactory(unit=unit_a, full_name="Akan Dihapus")
    member._history_user = staff
    member.delete()
    entry = _entries(as_user(staff).get(URL + "?jenis=member"))[0]
    assert (entry.label, entry.action, entry.action_label, entry.url) == ("Akan Dihapus", "-", "deleted", "")


# --- scope -------------------------------------------------------------------------------------------------


def test_staff_see_nothing_of_another_kab_kota(as_user, staff, magelang_activity, temanggung_activity):
    labels = _labels(as_user(staff).get(URL))
    assert ("member", "Warga Temanggung") not in labels
    assert ("event", "Bimtek Temanggung") not in labels
    assert ("export", "cases (XLSX)") not in labels
    assert ("import", "Members (roster): temanggung.xlsx") not in labels
    assert not any(label == "IPSM Desa Kowangan" for _kind, label in labels)
    assert ("member", "Nama Diperbaiki") in labels


def test_other_office_sees_only_its_own(as_user, staff_other, magelang_activity, temanggung_activity):
    response = as_user(staff_other).get(URL)
    labels = _labels(response)
    assert ("member", "Warga Temanggung") in labels
    assert ("event", "Bimtek Temanggung") in labels
    assert ("export", "cases (XLSX)") in labels
    assert {kind for kind, _label in labels} >= {"member", "unit", "case", "export", "import"}
    assert ("member", "Nama Diperbaiki") not in labels
    assert ("event", "Bimtek Dasar Magelang") not in labels
    assert {entry.who for entry in _entries(response)} <= {"staf-temanggung", "system"}


def test_superuser_sees_every_kab_kota(as_user, superuser, magelang_activity, temanggung_activity):
    labels = _labels(as_user(superuser).get(URL))
    assert {("member", "Warga Temanggung"), ("member", "Nama Diperbaiki")} <= labels
    assert {("export", "cases (XLSX)"), ("export", "members (XLSX)")} <= labels


def test_joint_event_is_seen_by_both_offices(as_user, staff, staff_other, magelang):
    make_event(magelang["kota_magelang"], magelang["temanggung"], by=staff, title="Bimtek Bersama")
    for user in (staff, staff_other):
        assert ("event", "Bimtek Bersama") in _labels(as_user(user).get(URL + "?jenis=event"))


def test_user_filter_offers_only_users_of_the_area(as_user, staff, staff_other, coordinator, viewer):
    offered = set(as_user(staff).get(URL).context["form"].fields["pengguna"].queryset)
    assert {staff, coordinator, viewer} <= offered
    assert staff_other not in offered
    response = as_user(staff).get(URL, {"pengguna": staff_other.pk})
    assert response.context["page"] is None and "pengguna" in response.context["form"].errors


# --- filters -----------------------------------------------------------------------------------------------


def test_filter_by_user(as_user, staff, coordinator, magelang_activity):
    response = as_user(staff).get(URL, {"pengguna": coordinator.pk})
    entries = _entries(response)
    assert entries and {entry.who for entry in entries} == {"koordinator-a"}
    assert {entry.kind for entry in entries} == {"member", "import"}


def test_filter_by_kind(as_user, staff, magelang_activity):
    for kind in ("member", "unit", "board", "case", "event", "export", "import"):
        entries = _entries(as_user(staff).get(URL, {"jenis": kind}))
        assert entries and {entry.kind for entry in entries} == {kind}


def test_filter_by_date_range_in_jakarta_days(as_user, staff, member_a):
    edit(member_a, staff, full_name="Perubahan Lama")
    edit(member_a, staff, full_name="Perubahan Baru")
    old, new = member_a.history.order_by("history_id")[1:3]
    # 1 March 2024 23:30 in Jakarta is still 1 March there (16:30 UTC).
    jakarta = timezone.get_default_timezone()
    member_a.history.filter(history_id=old.history_id).update(
        history_date=datetime.datetime(2024, 3, 1, 23, 30, tzinfo=jakarta)
    )
    ExportLog.objects.filter(pk=_export(staff).pk).update(
        created_at=datetime.datetime(2024, 3, 2, 0, 30, tzinfo=jakarta)
    )
    response = as_user(staff).get(URL, {"dari": "2024-03-01", "sampai": "2024-03-01"})
    assert [(e.kind, e.label) for e in _entries(response)] == [("member", "Perubahan Lama")]
    response = as_user(staff).get(URL, {"dari": "2024-03-02", "sampai": "2024-03-02"})
    assert [e.kind for e in _entries(response)] == ["export"]
    response = as_user(staff).get(URL, {"dari": "2024-03-03"})
    assert ("member", "Perubahan Baru") in _labels(response)
    assert ("member", "Perubahan Lama") not in _labels(response)
    assert new.history_date.date() >= datetime.date(2024, 3, 3)


def test_end_before_start_is_refused(as_user, staff):
    response = as_user(staff).get(URL, {"dari": "2024-03-05", "sampai": "2024-03-01"})
    assert response.context["page"] is None and "sampai" in response.context["form"].errors


def test_cases_and_events_only_for_those_who_may_see_them(as_user, magelang, case, event):
    auditor = factories.UserFactory(username="auditor")
    auditor.user_permissions.add(Permission.objects.get(codename="view_exportlog"))
    factories.AssignmentFactory(user=auditor, region=magelang["kota_magelang"])
    response = as_user(auditor).get(URL)
    assert response.status_code == 200
    assert {entry.kind for entry in _entries(response)}.isdisjoint({"case", "event"})
    kinds = [value for value, _label in response.context["form"].fields["jenis"].choices]
    assert "case" not in kinds and "event" not in kinds
    assert as_user(auditor).get(URL, {"jenis": "case"}).context["page"] is None


def test_pages_follow_each_other_newest_first(as_user, staff, unit_a, monkeypatch):
    monkeypatch.setattr(activity, "PAGE_SIZE", 4)
    for number in range(9):
        factories.MemberFactory(unit=unit_a, full_name=f"Anggota {number:02d}")
    client = as_user(staff)
    first, second, third = (
        client.get(URL, {"jenis": "member", "halaman": n}).context["page"] for n in (1, 2, 3)
    )
    names = [e.label for page in (first, second, third) for e in page.entries]
    assert names == [f"Anggota {n:02d}" for n in range(8, -1, -1)]
    assert (first.has_previous, first.has_next, third.has_next) == (False, True, False)
    assert [len(page.entries) for page in (first, second, third)] == [4, 4, 1]


# --- query counts ------------------------------------------------------------------------------------------


def _activity_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_rows(as_user, staff, coordinator, unit_a, case, event, magelang):
    client = as_user(staff)
    client.get(URL)  # warm the session
    few = _activity_queries(client)
    for number in range(12):
        member = factories.MemberFactory(unit=unit_a)
        edit(member, coordinator, address=f"Jl. Baru {number}")
        edit(case, staff, person_name=f"Nama {number}")
        _export(staff)
        _import(coordinator)
    many = _activity_queries(client)
    assert many == few
    assert len(_entries(client.get(URL))) == activity.PAGE_SIZE


def test_one_query_per_kind(staff, magelang_activity, django_assert_num_queries):
    scope_of(staff)  # read once per request, as the view's permission check does
    staff.get_all_permissions()
    with django_assert_num_queries(8):
        activity.activity_page(staff, activity.ActivityFilters())
    with django_assert_num_queries(1):
        activity.activity_page(staff, activity.ActivityFilters(kind="member"))


def test_a_page_number_in_other_digits_shows_the_first_page(as_user, staff):
    assert as_user(staff).get("/aktivitas/", {"halaman": "²"}).status_code == 200
