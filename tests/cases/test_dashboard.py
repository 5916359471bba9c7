"""The coverage dashboard (`/`) and its drill-down (`/cakupan/<code>/`, `/cakupan/<code>/tanpa-psm/`)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CoverageStatus, PmksCategory
from cases.periods import Period
from members.models import MemberStatus, Region
from tests import factories

ROLES = ["anonymous", "coordinator", "viewer", "staff", "staff_other", "superuser"]


@pytest.fixture
def data(magelang, unit_a, unit_b):
    """As in test_coverage.py, for 2022: Rejowinangun Utara 6 active PSM / 320 PMKS (1 PSM short);
    Cacaban 2 active / 40 PMKS (3 short, 1 open case with a PSM); Magersari no unit / 75 PMKS / 2 open cases
    tanpa PSM. Cacaban also has a 2021 figure (999)."""
    poor, elderly = PmksCategory.objects.get(number=24), PmksCategory.objects.get(number=8)
    for _ in range(6):
        factories.MemberFactory(unit=unit_a)
    factories.MemberFactory.create_batch(2, unit=unit_b)
    factories.MemberFactory(unit=unit_b, status=MemberStatus.CALON)
    count = factories.PmksCountFactory
    count(kelurahan=magelang["rejowinangun_utara"], category=poor, count=300)
    count(kelurahan=magelang["rejowinangun_utara"], category=elderly, count=20)
    count(kelurahan=magelang["cacaban"], category=poor, count=40)
    count(kelurahan=magelang["magersari"], category=poor, count=75)
    count(kelurahan=magelang["cacaban"], category=poor, count=999, year=2021)
    factories.CaseFactory.create_batch(2, kelurahan=magelang["magersari"])
    factories.CaseFactory(kelurahan=magelang["cacaban"], psm=unit_b.members.first())
    factories.CaseFactory(kelurahan=magelang["cacaban"], status="selesai")  # closed: not counted
    return magelang


@pytest.fixture
def users(request, magelang):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


PAGES = {
    "home": reverse("home"),
    "kabkota": reverse("coverage", args=["33.71"]),
    "kecamatan": reverse("coverage", args=["33.71.03"]),
    "without_psm": reverse("coverage_without_psm", args=["33.71"]),
}

# fmt: off
EXPECTED = {
    #              anon coord viewer staff other super
    "home":        (302, 302, 200, 200, 200, 200),
    "kabkota":     (302, 403, 200, 200, 404, 200),
    "kecamatan":   (302, 403, 200, 200, 404, 200),
    "without_psm": (302, 403, 200, 200, 404, 200),
}
# fmt: on


@pytest.mark.parametrize("page", EXPECTED)
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=ROLES)
def test_get_access(client, users, data, page, role_index):
    user = users(ROLES[role_index])
    if user:
        client.force_login(user)
    response = client.get(PAGES[page])
    assert response.status_code == EXPECTED[page][role_index]
    if ROLES[role_index] == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_coordinator_home_is_their_unit(as_user, coordinator, unit_a):
    response = as_user(coordinator).get(reverse("home"))
    assert response["Location"] == reverse("members:unit_detail", args=[unit_a.pk])


def test_coordinator_gets_403_even_for_their_own_kelurahan(as_user, coordinator):
    client = as_user(coordinator)
    assert client.get(reverse("coverage", args=["33.71.03.1003"])).status_code == 403
    assert client.get(reverse("coverage_without_psm", args=["33.71.03"])).status_code == 403


def test_unknown_region_is_404(as_user, superuser):
    assert as_user(superuser).get(reverse("coverage", args=["99.99"])).status_code == 404


def test_user_without_assignment_is_told_so(as_user, db):
    response = as_user(factories.UserFactory()).get(reverse("home"))
    assert response.status_code == 403
    assert response.templates[0].name == "members/no_assignment.html"


def test_kelurahan_with_a_unit_redirects_to_the_unit_page(as_user, staff, data, unit_a):
    response = as_user(staff).get(reverse("coverage", args=["33.71.03.1003"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("members:unit_detail", args=[unit_a.pk])


def test_kelurahan_without_a_unit_shows_its_single_row(as_user, staff, data):
    response = as_user(staff).get(reverse("coverage", args=["33.71.01.1007"]))
    assert response.status_code == 200
    assert [row.code for row in response.context["page"]] == ["33.71.01.1007"]
    assert response.context["child_rows"] is None
    assert 'id="kel-33-71-01-1007"' in response.content.decode()


def test_staff_home_figures(as_user, staff, data):
    response = as_user(staff).get(reverse("home"))
    context = response.context
    assert context["region"].code == "33.71"
    assert context["period"] == Period(2022)
    names = ["kelurahan_count", "active_psm", "pmks", "psm_needed", "open_cases", "open_cases_without_psm"]
    assert [context["totals"][name] for name in names] == [3, 8, 435, 9, 3, 2]
    assert context["totals"]["kelurahan_without_psm"] == 1
    # Kecamatan, worst first, with their names from one extra query.
    children = context["child_rows"]
    assert [row["code_prefix"] for row in children] == ["33.71.01", "33.71.03"]
    assert children[0]["region"].name == "Magelang Selatan"
    assert (children[1]["active_psm"], children[1]["pmks"], children[1]["psm_needed"]) == (8, 360, 4)
    # All kelurahan of the kab/kota, worst first.
    rows = list(context["page"])
    assert [row.code for row in rows] == ["33.71.01.1007", "33.71.03.1002", "33.71.03.1003"]
    assert [row.coverage_status for row in rows] == [
        CoverageStatus.TANPA_PSM,
        CoverageStatus.KURANG,
        CoverageStatus.KURANG,
    ]
    assert context["chart_data"]["needed"] == [5, 3, 1]
    assert context["chart_data"]["target"] == [5, 5, 7]


def test_rows_carry_ids_status_badge_and_links(as_user, staff, data, unit_a):
    content = as_user(staff).get(reverse("home")).content.decode()
    row = re.search(r'<tr id="kel-33-71-03-1003".*?</tr>', content, re.DOTALL)[0]
    assert re.search(r'class="coverage-status"><span class="badge text-bg-warning" data-status="1">', row)
    assert f'href="{reverse("members:unit_detail", args=[unit_a.pk])}"' in row
    assert f'href="{reverse("cases:pmks_grid", args=["33.71.03.1003"])}?periode=2022"' in row
    magersari = re.search(r'<tr id="kel-33-71-01-1007".*?</tr>', content, re.DOTALL)[0]
    # No unit yet: its coverage page, for the period shown.
    assert f'href="{reverse("coverage", args=["33.71.01.1007"])}?periode=2022"' in magersari
    assert 'data-status="0"' in magersari
    assert 'id="coverage-chart-data"' in content
    assert "tanpa PSM" in content


def test_staff_gets_links_to_cases_and_targets(as_user, staff, data):
    content = as_user(staff).get(reverse("home")).content.decode()
    assert f'href="{reverse("cases:list")}?tanpa_psm=1&amp;wilayah=33.71"' in content
    assert f'href="{reverse("coverage_without_psm", args=["33.71"])}?periode=2022"' in content
    assert f'href="{reverse("cases:targets", args=["33.71"])}"' in content
    assert f'href="{reverse("coverage", args=["33.71.03"])}?periode=2022"' in content  # drill down


def test_viewer_sees_counts_but_no_link_to_cases(as_user, viewer, data):
    response = as_user(viewer).get(reverse("home"))
    content = response.content.decode()
    assert response.context["totals"]["open_cases_without_psm"] == 2
    assert reverse("cases:list") not in content
    assert reverse("cases:pmks_grid", args=["33.71.03.1003"]) not in content
    block = re.search(r'<div id="open-cases-without-psm">.*?</div>', content, re.DOTALL)[0]
    assert ">2</span>" in block
    assert f'href="{reverse("coverage_without_psm", args=["33.71"])}?periode=2022"' in content  # counts only


def test_drill_down_from_kabkota_to_kecamatan(as_user, staff, data):
    response = as_user(staff).get(reverse("coverage", args=["33.71.03"]))
    assert response.context["child_rows"] is None  # the kelurahan table is the next level
    assert [row.code for row in response.context["page"]] == ["33.71.03.1002", "33.71.03.1003"]
    assert [region.code for region in response.context["ancestors"]] == ["33.71"]  # not Jawa Tengah


def test_superuser_home_rolls_up_to_provinces(as_user, superuser, data):
    response = as_user(superuser).get(reverse("home"))
    assert response.context["region"] is None
    assert [row["code_prefix"] for row in response.context["child_rows"]] == ["33"]
    assert response.context["totals"]["kelurahan_count"] == 4
    response = as_user(superuser).get(reverse("coverage", args=["33"]))
    assert [row["code_prefix"] for row in response.context["child_rows"]] == ["33.71", "33.23"]


def test_without_psm_lists_kelurahan_with_pmks_but_no_active_psm(as_user, staff, data):
    factories.PmksCountFactory(kelurahan=data["kowangan"], category=PmksCategory.objects.get(number=24))
    response = as_user(staff).get(reverse("coverage_without_psm", args=["33.71"]))
    assert [row.code for row in response.context["page"]] == ["33.71.01.1007"]
    assert 'id="kel-33-71-01-1007"' in response.content.decode()
    response = as_user(staff).get(reverse("coverage_without_psm", args=["33.71.03"]))
    assert list(response.context["page"]) == []


def test_period_defaults_to_the_latest_with_data(as_user, staff, data):
    client = as_user(staff)
    response = client.get(reverse("home"))
    assert response.context["period"] == Period(2022)
    assert response.context["periods"] == [Period(2022), Period(2021)]
    assert '<option value="2022" selected>' in response.content.decode()

    response = client.get(reverse("home"), {"periode": "2021"})
    assert response.context["period"] == Period(2021)
    rows = {row.code: row for row in response.context["page"]}
    assert (rows["33.71.03.1002"].pmks, rows["33.71.03.1003"].pmks) == (999, None)

    response = client.get(reverse("home"), {"periode": "2022-S1"})
    assert response.context["period"] == Period(2022, 1)
    assert response.context["totals"]["pmks"] is None
    assert Period(2022, 1) in response.context["periods"]  # the period shown stays selectable

    response = client.get(reverse("home"), {"periode": "kemarin"})
    assert response.status_code == 200
    assert response.context["period"] == Period(2022)


def test_period_is_none_without_any_data(as_user, staff, unit_a):
    response = as_user(staff).get(reverse("home"))
    assert response.status_code == 200
    assert response.context["period"] is None
    assert response.context["totals"]["psm_needed"] == 15  # three kelurahan, 5 each


@pytest.mark.parametrize(
    ("sort", "codes"),
    [
        ("name", ["33.71.03.1002", "33.71.01.1007", "33.71.03.1003"]),
        ("-pmks", ["33.71.03.1003", "33.71.01.1007", "33.71.03.1002"]),
        ("active_psm", ["33.71.01.1007", "33.71.03.1002", "33.71.03.1003"]),
        ("-open_cases_without_psm", ["33.71.01.1007", "33.71.03.1002", "33.71.03.1003"]),
        ("parent__name", ["33.71.01.1007", "33.71.03.1002", "33.71.03.1003"]),  # not allowed: worst first
        ("-password", ["33.71.01.1007", "33.71.03.1002", "33.71.03.1003"]),
    ],
)
def test_sorting_is_whitelisted(as_user, staff, data, sort, codes):
    response = as_user(staff).get(reverse("home"), {"urut": sort})
    assert [row.code for row in response.context["page"]] == codes
    allowed = sort.removeprefix("-") in ("name", "pmks", "active_psm", "open_cases_without_psm")
    assert response.context["sort"] == (sort if allowed else "")


def _add_kelurahan(magelang, number: int) -> None:
    """More kelurahan under Magelang Tengah, each with a unit, members, PMKS and open cases."""
    category = PmksCategory.objects.get(number=24)
    for serial in range(number):
        region = Region.objects.create(
            code=f"33.71.03.{2000 + serial}",
            name=f"Tambahan {serial}",
            level="kelurahan",
            parent=magelang["magelang_tengah"],
        )
        unit = factories.UnitFactory(region=region)
        members = factories.MemberFactory.create_batch(2, unit=unit)
        factories.PmksCountFactory(kelurahan=region, category=category, count=60 + serial)
        factories.CaseFactory(kelurahan=region, psm=members[0])
        factories.CaseFactory(kelurahan=region)


def _queries(client, url) -> int:
    client.get(url)  # warm up anything cached per process
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("coverage", args=["33.71.03"]),
        reverse("coverage_without_psm", args=["33.71"]),
        reverse("home") + "?urut=-pmks",
    ],
)
def test_dashboard_takes_the_same_queries_for_3_or_8_kelurahan(as_user, staff, data, url):
    client = as_user(staff)
    small = _queries(client, url)
    _add_kelurahan(data, 5)
    assert len(client.get(url).context["page"]) >= 1
    assert _queries(client, url) == small


def test_superuser_dashboard_queries_are_constant(as_user, superuser, data):
    client = as_user(superuser)
    small = _queries(client, reverse("home"))
    _add_kelurahan(data, 5)
    assert _queries(client, reverse("home")) == small


def test_home_flags_stale_rosters_and_ending_terms_and_links_to_the_registry(as_user, staff, unit_a, unit_b):
    from django.utils import timezone

    from members.models import Unit

    Unit.objects.filter(pk=unit_a.pk).update(roster_confirmed_at=timezone.now())  # unit_b stays unchecked
    member = factories.MemberFactory(unit=unit_a)
    ends = timezone.localdate() + datetime.timedelta(days=30)
    factories.BoardPositionFactory(member=member, term_ends_on=ends)
    response = as_user(staff).get(reverse("home"))
    assert response.context["registry_alerts"] == {"stale_units": 1, "ending_positions": 1}
    assert reverse("members:region", args=["33.71"]) in response.content.decode()
