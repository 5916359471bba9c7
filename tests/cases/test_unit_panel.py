"""The coverage panel on an IPSM unit's page: counts only, for everyone who may see PMKS figures."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import MonthlyReport, PmksCategory, ReportState
from members.models import MemberStatus
from members.panels import UNIT_PANELS
from tests import factories


@pytest.fixture
def data(magelang, unit_a):
    """Rejowinangun Utara: 6 active PSM (Budi holds 2 open cases and 1 closed one, Sari 1 open case),
    a former PSM still holding 1 open case, 2 open cases tanpa PSM; PMKS 300 + 20 in 2022, 50 in 2021."""
    poor, elderly = PmksCategory.objects.get(number=24), PmksCategory.objects.get(number=8)
    budi = factories.MemberFactory(unit=unit_a, full_name="Budi Santoso")
    sari = factories.MemberFactory(unit=unit_a, full_name="Sari Lestari")
    factories.MemberFactory.create_batch(4, unit=unit_a)
    former = factories.MemberFactory(
        unit=unit_a, full_name="Joko Purnomo", status=MemberStatus.NONAKTIF, status_reason="lainnya"
    )
    factories.MemberFactory(unit=unit_a, full_name="Calon Tanpa Kasus", status=MemberStatus.CALON)
    kelurahan = magelang["rejowinangun_utara"]
    case = factories.CaseFactory
    case(kelurahan=kelurahan, psm=budi, person_name="Rahasia Satu")
    case(kelurahan=kelurahan, psm=budi, status="intervensi", person_name="Rahasia Dua")
    case(kelurahan=kelurahan, psm=budi, status="selesai", person_name="Rahasia Tiga")
    case(kelurahan=kelurahan, psm=sari, person_name="Rahasia Empat")
    case(kelurahan=kelurahan, psm=former, person_name="Rahasia Lima")
    case.create_batch(2, kelurahan=kelurahan, person_name="Rahasia Tanpa PSM")
    count = factories.PmksCountFactory
    count(kelurahan=kelurahan, category=poor, count=300)
    count(kelurahan=kelurahan, category=elderly, count=20)
    count(kelurahan=kelurahan, category=poor, count=50, year=2021)
    return {"budi": budi, "sari": sari, "former": former, "kelurahan": kelurahan}


def _page(client, unit):
    response = client.get(reverse("members:unit_detail", args=[unit.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _panel(content: str) -> str:
    return re.search(r'<section class="mb-4" id="unit-coverage">.*?</section>', content, re.DOTALL)[0]


def _loads(panel: str) -> dict[str, int]:
    rows = re.findall(r'<tr data-member="(\d+)">.*?class="text-end open-case-count">(\d+)<', panel, re.DOTALL)
    return {int(pk): int(n) for pk, n in rows}


def test_the_panel_is_registered_once():
    from cases.panels import coverage_panel

    assert UNIT_PANELS.count(coverage_panel) == 1


def test_staff_sees_the_kelurahan_figures_of_the_latest_period(as_user, staff, unit_a, data):
    panel = _panel(_page(as_user(staff), unit_a))
    figures = dict(re.findall(r'id="unit-([a-z-]+)">([^<]*)<', panel))
    assert figures["active-psm"] == "6"
    assert figures["pmks"] == "320"  # 2022, not 2021
    assert figures["psm-target"] == "7"
    assert figures["psm-needed"] == "1"
    assert (figures["open-cases"], figures["open-cases-without-psm"]) == ("6", "2")
    assert 'data-status="1"' in panel
    categories = dict(re.findall(r'<tr data-category="(\d+)">.*?<td class="text-end">(\d+)</td>', panel))
    assert categories == {"24": "300", "8": "20"}
    assert f'href="{reverse("cases:list")}?wilayah=33.71.03.1003"' in panel


def test_open_cases_per_psm_count_only_open_ones(as_user, staff, unit_a, data):
    loads = _loads(_panel(_page(as_user(staff), unit_a)))
    assert loads[data["budi"].pk] == 2
    assert loads[data["sari"].pk] == 1
    assert loads[data["former"].pk] == 1  # no longer active but still holds a case: listed
    assert len(loads) == 7  # 6 active + the former one; the candidate without cases is not listed
    assert list(loads)[0] == data["budi"].pk  # the heaviest load first


def test_coordinator_sees_counts_per_psm_but_no_case_details(as_user, coordinator, unit_a, data):
    content = _page(as_user(coordinator), unit_a)
    panel = _panel(content)
    assert _loads(panel)[data["budi"].pk] == 2
    assert "Rahasia" not in content
    assert reverse("cases:list") not in content


def test_viewer_sees_the_panel_without_a_link_to_cases(as_user, viewer, unit_a, data):
    content = _page(as_user(viewer), unit_a)
    assert 'id="unit-coverage"' in content
    assert reverse("cases:list") not in content
    assert "Rahasia" not in content


def test_no_panel_without_the_permission_to_see_pmks(as_user, unit_a, data):
    user = factories.UserFactory(username="tanpa-peran")
    factories.AssignmentFactory(user=user, region=unit_a.region.parent.parent)  # scope, but no role
    assert 'id="unit-coverage"' not in _page(as_user(user), unit_a)


def test_no_panel_for_a_kecamatan_unit(as_user, staff, magelang):
    unit = factories.UnitFactory(region=magelang["magelang_tengah"])
    assert 'id="unit-coverage"' not in _page(as_user(staff), unit)


def test_panel_without_any_pmks_figures(as_user, staff, unit_b):
    panel = _panel(_page(as_user(staff), unit_b))
    assert 'data-status="3"' in panel  # no PMKS figures: no status, whatever the PSM
    assert 'id="unit-pmks">—<' in panel


def test_unit_page_queries_are_constant_whatever_the_members_and_cases(as_user, staff, unit_a, data):
    client = as_user(staff)
    url = reverse("members:unit_detail", args=[unit_a.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for member in factories.MemberFactory.create_batch(8, unit=unit_a):
        factories.CaseFactory.create_batch(2, kelurahan=data["kelurahan"], psm=member)
    factories.PmksCountFactory(
        kelurahan=data["kelurahan"], category=PmksCategory.objects.get(number=1), count=7
    )
    for month in range(1, 7):  # approved monthly reports reaching PMKS of counted and uncounted categories
        MonthlyReport.objects.create(
            member=data["budi"],
            month=datetime.date(2022, month, 1),
            state=ReportState.DISETUJUI,
            due_on=datetime.date(2022, month + 1, 5),
            pmks_reached={"1": 2, "3": month, "24": 4},
        )
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
