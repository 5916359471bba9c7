"""Every registry view against every role: anonymous -> login, out of scope -> 404, read-only -> 403."""

import pytest
from django.urls import reverse

from tests import factories

ROLES = ["anonymous", "coordinator", "coordinator_b", "viewer", "staff", "staff_other"]


@pytest.fixture
def position_a(member_a):
    return factories.BoardPositionFactory(member=member_a)


@pytest.fixture
def users(request, magelang):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


def _url(name, objects):
    member, unit, position = objects
    return {
        "detail": reverse("members:detail", args=[member.pk]),
        "edit": reverse("members:edit", args=[member.pk]),
        "status": reverse("members:status", args=[member.pk]),
        "transfer": reverse("members:transfer", args=[member.pk]),
        "create": reverse("members:create", args=[unit.pk]),
        "unit_detail": reverse("members:unit_detail", args=[unit.pk]),
        "unit_edit": reverse("members:unit_edit", args=[unit.pk]),
        "board_add": reverse("members:board_add", args=[unit.pk]),
        "board_end": reverse("members:board_end", args=[position.pk]),
        "region": reverse("members:region", args=["33.71.03"]),
        "list": reverse("members:list"),
        "unit_list": reverse("members:unit_list"),
        "unit_create": reverse("members:unit_create"),
    }[name]


# Expected status of a GET per page and role (302 for anonymous means: sent to the login page).
# fmt: off
EXPECTED = {
    #               anon coord coordB viewer staff other
    "detail":      (302, 200, 404, 200, 200, 404),
    "edit":        (302, 200, 404, 403, 200, 404),
    "status":      (302, 200, 404, 403, 200, 404),
    "transfer":    (302, 403, 404, 403, 200, 404),
    "create":      (302, 200, 404, 403, 200, 404),
    "unit_detail": (302, 200, 404, 200, 200, 404),
    "unit_edit":   (302, 403, 404, 403, 200, 404),
    "board_add":   (302, 200, 404, 403, 200, 404),
    "board_end":   (302, 200, 404, 403, 200, 404),
    "region":      (302, 404, 404, 200, 200, 404),
    "list":        (302, 200, 200, 200, 200, 200),
    "unit_list":   (302, 200, 200, 200, 200, 200),
    "unit_create": (302, 403, 403, 403, 200, 200),
}
# fmt: on


@pytest.mark.parametrize("page", EXPECTED)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_get_access(client, users, member_a, position_a, page, role_index):
    user = users(ROLES[role_index])
    if user:
        client.force_login(user)
    response = client.get(_url(page, (member_a, member_a.unit, position_a)))
    expected = EXPECTED[page][role_index]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("coordinator", 302),
        ("coordinator_b", 404),
        ("viewer", 403),
        ("staff", 302),
        ("staff_other", 404),
    ],
)
def test_confirm_roster_access(client, users, unit_a, role, expected):
    user = users(role)
    if user:
        client.force_login(user)
    response = client.post(reverse("members:unit_confirm_roster", args=[unit_a.pk]))
    assert response.status_code == expected
    unit_a.refresh_from_db()
    assert (unit_a.roster_confirmed_at is not None) == (role in ("coordinator", "staff"))


def test_confirm_roster_refuses_get(as_user, coordinator, unit_a):
    assert (
        as_user(coordinator).get(reverse("members:unit_confirm_roster", args=[unit_a.pk])).status_code == 405
    )


def test_viewer_post_to_edit_is_refused_and_changes_nothing(as_user, viewer, member_a):
    response = as_user(viewer).post(reverse("members:edit", args=[member_a.pk]), {"full_name": "Diubah"})
    assert response.status_code == 403
    member_a.refresh_from_db()
    assert member_a.full_name != "Diubah"


def test_coordinator_lists_only_own_unit(as_user, coordinator, member_a, member_b):
    response = as_user(coordinator).get(reverse("members:list"))
    names = [row.record.full_name for row in response.context["table"].page.object_list]
    assert names == [member_a.full_name]


def test_staff_list_excludes_other_kabkota(as_user, staff, member_a, unit_temanggung):
    other = factories.MemberFactory(unit=unit_temanggung)
    response = as_user(staff).get(reverse("members:list"))
    names = {row.record.full_name for row in response.context["table"].page.object_list}
    assert member_a.full_name in names
    assert other.full_name not in names


def test_coordinator_home_is_their_unit(as_user, coordinator, unit_a):
    response = as_user(coordinator).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("members:unit_detail", args=[unit_a.pk])


def test_staff_home_shows_their_scope(as_user, staff, member_a):
    response = as_user(staff).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["region"].code == "33.71"
    rows = {row["code_prefix"]: row for row in response.context["child_rows"]}
    assert rows["33.71.03"]["active_psm"] == 1


def test_user_without_assignment_is_told_so(as_user, db):
    response = as_user(factories.UserFactory()).get(reverse("home"))
    assert response.status_code == 403
    assert response.context["user"].is_authenticated


def test_superuser_home_lists_provinces(as_user, superuser, member_a):
    response = as_user(superuser).get(reverse("home"))
    assert [row["code_prefix"] for row in response.context["child_rows"]] == ["33"]


def test_anonymous_search_goes_to_login(client, db):
    response = client.post(reverse("members:search"), {"q": "budi"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
