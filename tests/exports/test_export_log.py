"""The export log page (staff of a kab/kota, superusers), the read-only admin, and the download buttons."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ipsm.models import ExportLog
from members.nik import mask_nik
from tests.exports.helpers import body
from tests.trainings.conftest import make_event

URL = reverse("exports:log")


def _log(user, list_name="members", days_ago=0, **fields) -> ExportLog:
    log = ExportLog.objects.create(
        user=user, list_name=list_name, file_format="xlsx", row_count=3, filters={"status": "aktif"}, **fields
    )
    ExportLog.objects.filter(pk=log.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return log


@pytest.fixture
def logs(staff, staff_other, viewer, coordinator, superuser):
    return {
        "staff": _log(staff, nik_masked=False),
        "viewer": _log(viewer, "units", days_ago=3),
        "coordinator": _log(coordinator, "members", days_ago=10),
        "staff_other": _log(staff_other, "coverage"),
        "superuser": _log(superuser, "indicators"),
    }


def _shown(response) -> set[int]:
    return {log.pk for log in response.context["page"].object_list}


def test_staff_see_exports_of_users_assigned_in_their_kab_kota(as_user, staff, logs):
    response = as_user(staff).get(URL)
    assert response.status_code == 200
    assert _shown(response) == {logs["staff"].pk, logs["viewer"].pk, logs["coordinator"].pk}
    page = response.content.decode()
    assert "staf-temanggung" not in page.split('id="export-log"')[1]
    assert "status=aktif" in page


def test_other_staff_see_their_own_region_only(as_user, staff_other, logs):
    assert _shown(as_user(staff_other).get(URL)) == {logs["staff_other"].pk}


def test_superuser_sees_every_export(as_user, superuser, logs):
    assert _shown(as_user(superuser).get(URL)) == {log.pk for log in logs.values()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"daftar": "units"}, ["viewer"]),
        ({"dari": "{d5}"}, ["staff", "viewer"]),
        ({"sampai": "{d5}"}, ["coordinator"]),
        ({"pengguna": "coordinator"}, ["coordinator"]),
    ],
)
def test_filters_by_user_list_and_date(request, as_user, staff, logs, today, params, expected):
    values = {"d5": (today - datetime.timedelta(days=5)).isoformat()}
    params = {key: value.format(**values) for key, value in params.items()}
    if "pengguna" in params:
        params["pengguna"] = request.getfixturevalue(params["pengguna"]).pk
    assert _shown(as_user(staff).get(URL, params)) == {logs[name].pk for name in expected}


def test_user_choices_are_the_users_in_scope(as_user, staff, logs):
    users = response_users = as_user(staff).get(URL).context["filter"].form.fields["pengguna"].queryset
    assert {user.username for user in response_users} == {
        "staf-magelang",
        "pimpinan-magelang",
        "koordinator-a",
    }
    assert users.count() == 3


def test_a_user_outside_the_scope_cannot_be_chosen(as_user, staff, staff_other, logs):
    # An unknown choice is an invalid filter: it narrows nothing and shows nothing of the other region.
    response = as_user(staff).get(URL, {"pengguna": staff_other.pk})
    assert logs["staff_other"].pk not in _shown(response)


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_others_are_refused(request, as_user, logs, role):
    assert as_user(request.getfixturevalue(role)).get(URL).status_code == 403


def test_anonymous_user_is_sent_to_login(client, logs):
    assert client.get(URL).status_code == 302


def test_pages_of_fifty(as_user, staff):
    for _ in range(51):
        _log(staff)
    client = as_user(staff)
    assert len(client.get(URL).context["page"].object_list) == 50
    assert len(client.get(URL, {"halaman": 2}).context["page"].object_list) == 1


def test_query_count_does_not_grow_with_rows(as_user, staff, viewer, django_assert_num_queries):
    client = as_user(staff)
    for _ in range(2):
        _log(viewer)
    client.get(URL)
    with django_assert_num_queries(8):
        assert len(client.get(URL).context["page"].object_list) == 2
    for _ in range(4):
        _log(staff)
    with django_assert_num_queries(8):
        assert len(client.get(URL).context["page"].object_list) == 6


def test_an_export_appears_in_the_log(as_user, staff, member_a):
    client = as_user(staff)
    body(client.get(reverse("members:export", args=["csv"]), {"status": "aktif"}))
    row = client.get(URL).content.decode().split('id="export-log"')[1]
    assert "staf-magelang" in row and "CSV" in row and "status=aktif" in row


# --- Admin -----------------------------------------------------------------------------------------------


def test_admin_lists_the_log_read_only(as_user, superuser, logs):
    client = as_user(superuser)
    assert client.get(reverse("admin:ipsm_exportlog_changelist")).status_code == 200
    assert client.get(reverse("admin:ipsm_exportlog_changelist"), {"q": "staf"}).status_code == 200
    change = reverse("admin:ipsm_exportlog_change", args=[logs["staff"].pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"row_count": 0}).status_code == 403
    assert client.get(reverse("admin:ipsm_exportlog_add")).status_code == 403
    assert client.get(reverse("admin:ipsm_exportlog_delete", args=[logs["staff"].pk])).status_code == 403
    assert ExportLog.objects.get(pk=logs["staff"].pk).row_count == 3


# --- Download buttons ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "export"),
    [
        ("members:list", "members:export"),
        ("members:unit_list", "members:unit_export"),
        ("cases:list", "cases:summary_export"),
        ("trainings:list", "trainings:export"),
        ("trainings:indicators", "trainings:indicator_export"),
    ],
)
def test_list_pages_offer_both_downloads_with_their_query_string(as_user, staff, member_a, page, export):
    content = as_user(staff).get(reverse(page), {"status": "aktif", "halaman": "1"}).content.decode()
    for fmt in ("xlsx", "csv"):
        assert f'href="{reverse(export, args=[fmt])}?status=aktif"' in content


def test_dashboard_pmks_grid_and_event_offer_downloads(as_user, staff, magelang, member_a):
    client = as_user(staff)
    content = client.get(reverse("coverage", args=["33.71"]), {"periode": "2022"}).content.decode()
    assert f'href="{reverse("exports:coverage", args=["33.71", "xlsx"])}?periode=2022"' in content
    assert f'href="{reverse("cases:pmks_export", args=["33.71", "csv"])}?periode=2022"' in content
    content = client.get(
        reverse("cases:pmks_grid", args=["33.71.03.1003"]), {"periode": "2022"}
    ).content.decode()
    assert f'href="{reverse("cases:pmks_export", args=["33.71.03.1003", "xlsx"])}?periode=2022"' in content
    event = make_event(magelang["kota_magelang"], by=staff)
    content = client.get(reverse("trainings:detail", args=[event.pk])).content.decode()
    assert f'href="{reverse("trainings:participant_export", args=[event.pk, "csv"])}"' in content


def test_a_nik_typed_into_an_exports_search_is_kept_masked(as_user, staff, member_a):
    """Security probe, finding 6: the filters are shown to colleagues (export history, activity log)."""
    client = as_user(staff)
    spaced = " ".join(member_a.nik[i : i + 4] for i in range(0, 16, 4))
    for typed in (member_a.nik, spaced):
        body(client.get(reverse("members:export", args=["csv"]), {"cari": typed}))
    stored = [log.filters["cari"] for log in ExportLog.objects.order_by("pk")]
    assert stored == [mask_nik(member_a.nik)] * 2
    for page in (URL, reverse("activity")):
        content = client.get(page).content.decode()
        assert mask_nik(member_a.nik) in content
        assert member_a.nik not in content and spaced not in content
