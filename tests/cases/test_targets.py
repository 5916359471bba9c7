"""A kab/kota's coverage targets: who may see and change them, the defaults, saving and validation."""

import pytest
from django.urls import reverse

from cases.models import DEFAULT_MAX_PMKS_PER_PSM, DEFAULT_MIN_ACTIVE_PSM, CoverageTarget

KOTA = "33.71"  # Kota Magelang

ROLES = ["anonymous", "coordinator", "coordinator_b", "viewer", "staff", "staff_other", "superuser"]
# fmt: off
#                  anon coord coordB viewer staff other super
GET_EXPECTED =   (302, 404, 404, 200, 200, 404, 200)
POST_EXPECTED =  (302, 404, 404, 403, 302, 404, 302)
# fmt: on


@pytest.fixture
def users(request, magelang, unit_a, unit_b):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


def _url(code=KOTA):
    return reverse("cases:targets", args=[code])


def _targets():
    return list(CoverageTarget.objects.values_list("region_id", "min_active_psm", "max_pmks_per_psm"))


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_get_access(client, users, role_index):
    user = users(ROLES[role_index])
    if user:
        client.force_login(user)
    response = client.get(_url())
    assert response.status_code == GET_EXPECTED[role_index]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_post_access(client, users, role_index):
    user = users(ROLES[role_index])
    if user:
        client.force_login(user)
    response = client.post(_url(), {"min_active_psm": "4", "max_pmks_per_psm": "60"})
    expected = POST_EXPECTED[role_index]
    assert response.status_code == expected
    if ROLES[role_index] == "anonymous":
        assert response["Location"].startswith(reverse("login"))
        assert _targets() == []
    elif expected == 302:
        assert _targets() == [(KOTA, 4, 60)]
    else:
        assert _targets() == []


def test_staff_of_temanggung_edit_their_own_kabupaten(as_user, staff_other):
    client = as_user(staff_other)
    assert client.get(_url("33.23")).status_code == 200
    assert client.post(_url("33.23"), {"min_active_psm": "6", "max_pmks_per_psm": "40"}).status_code == 302
    assert _targets() == [("33.23", 6, 40)]


@pytest.mark.parametrize("code", ["33", "33.71.03", "33.71.03.1003", "99.99"])
def test_codes_that_are_not_a_kab_kota_in_scope_give_404(as_user, staff, code):
    assert as_user(staff).get(_url(code)).status_code == 404


def test_province_is_not_a_kab_kota_even_for_a_superuser(as_user, superuser, magelang):
    assert as_user(superuser).get(_url("33")).status_code == 404


def test_form_starts_with_the_defaults_and_explains_them(as_user, staff):
    response = as_user(staff).get(_url())
    content = response.content.decode()
    assert f'name="min_active_psm" value="{DEFAULT_MIN_ACTIVE_PSM}"' in content
    assert f'name="max_pmks_per_psm" value="{DEFAULT_MAX_PMKS_PER_PSM}"' in content
    assert 'id="using-defaults"' in content
    assert 'id="defaults"' in content
    assert _targets() == []  # showing the defaults creates nothing


def test_viewer_sees_the_values_without_a_form(as_user, viewer, staff, magelang):
    CoverageTarget.objects.create(region=magelang["kota_magelang"], min_active_psm=3, max_pmks_per_psm=70)
    content = as_user(viewer).get(_url()).content.decode()
    assert 'id="targets-form"' not in content
    assert 'name="min_active_psm"' not in content
    assert 'id="min-active-psm">3<' in content
    assert 'id="max-pmks-per-psm">70<' in content


def test_saving_creates_then_updates_the_row_with_its_author(as_user, staff):
    client = as_user(staff)
    response = client.post(_url(), {"min_active_psm": "4", "max_pmks_per_psm": "60"})
    assert response["Location"] == _url()
    target = CoverageTarget.objects.get()
    assert (target.min_active_psm, target.max_pmks_per_psm, target.updated_by) == (4, 60, staff)
    client.post(_url(), {"min_active_psm": "6", "max_pmks_per_psm": "60"})
    assert _targets() == [(KOTA, 6, 60)]
    assert CoverageTarget.history.count() == 2
    content = client.get(_url()).content.decode()
    assert 'name="min_active_psm" value="6"' in content
    assert 'id="using-defaults"' not in content


@pytest.mark.parametrize(
    "data",
    [
        {"min_active_psm": "0", "max_pmks_per_psm": "50"},
        {"min_active_psm": "5", "max_pmks_per_psm": "0"},
        {"min_active_psm": "-1", "max_pmks_per_psm": "50"},
        {"min_active_psm": "abc", "max_pmks_per_psm": "50"},
        {"min_active_psm": "", "max_pmks_per_psm": "50"},
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(as_user, staff, magelang, data):
    CoverageTarget.objects.create(region=magelang["kota_magelang"], min_active_psm=3, max_pmks_per_psm=70)
    response = as_user(staff).post(_url(), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert _targets() == [(KOTA, 3, 70)]
    assert "is-invalid" in response.content.decode()
