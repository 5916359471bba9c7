"""PMKS reached by PSM: the people counted in *approved* monthly reports, per kelurahan, category and month,
a source of its own beside the DTKS/survey counts; shown beside them on the PMKS grid and the unit page.

The data (Rejowinangun Utara = unit A, Cacaban = unit B, Kowangan = Temanggung):
  a1 (A): Jan 2022 approved {24: 5, 8: 2}; Feb 2022 approved {24: 3}; Mar 2022 submitted {24: 100};
          Dec 2021 approved {24: 7}
  a2 (A): Jan 2022 approved {24: 4}; Apr 2022 returned {8: 50}; May 2022 draft {24: 60}
  b1 (B): Jan 2022 approved {24: 11}
  t1 (Temanggung): Jan 2022 approved {24: 13}
DTKS counts of Rejowinangun Utara for 2022: 300 poor (24).
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import MonthlyReport, PmksCategory, PmksCount, PmksReached, ReportState
from cases.periods import Period
from tests import factories

D = datetime.date
REJO, CACABAN = "33.71.03.1003", "33.71.03.1002"
APPROVED = ReportState.DISETUJUI


def _report(member, month, reached, state=APPROVED):
    return MonthlyReport.objects.create(
        member=member,
        month=month,
        state=state,
        due_on=D(month.year + month.month // 12, month.month % 12 + 1, 5),
        submitted_at=None if state == ReportState.DRAF else timezone.now(),
        pmks_reached=reached,
    )


@pytest.fixture
def reports(magelang, unit_a, unit_b, unit_temanggung):
    a1, a2 = factories.MemberFactory.create_batch(2, unit=unit_a)
    _report(a1, D(2022, 1, 1), {"24": 5, "8": 2})
    _report(a1, D(2022, 2, 1), {"24": 3})
    _report(a1, D(2022, 3, 1), {"24": 100}, ReportState.TERKIRIM)
    _report(a1, D(2021, 12, 1), {"24": 7})
    _report(a2, D(2022, 1, 1), {"24": 4})
    _report(a2, D(2022, 4, 1), {"8": 50}, ReportState.DIKEMBALIKAN)
    _report(a2, D(2022, 5, 1), {"24": 60}, ReportState.DRAF)
    _report(factories.MemberFactory(unit=unit_b), D(2022, 1, 1), {"24": 11})
    _report(factories.MemberFactory(unit=unit_temanggung), D(2022, 1, 1), {"24": 13})
    factories.PmksCountFactory(
        kelurahan=magelang["rejowinangun_utara"], category=PmksCategory.objects.get(number=24), count=300
    )


# --- The figures (cases.models.MonthlyReportQuerySet) -----------------------------------------------------


def test_rows_per_kelurahan_category_and_month_from_approved_reports_only(reports):
    rows = MonthlyReport.objects.within("33.71").pmks_reached()
    assert rows == [
        PmksReached(CACABAN, 24, D(2022, 1, 1), 11),
        PmksReached(REJO, 8, D(2022, 1, 1), 2),
        PmksReached(REJO, 24, D(2021, 12, 1), 7),
        PmksReached(REJO, 24, D(2022, 1, 1), 9),  # a1 and a2
        PmksReached(REJO, 24, D(2022, 2, 1), 3),
    ]


def test_a_period_sums_its_months_only(reports):
    rejo = MonthlyReport.objects.within(REJO)
    assert rejo.in_period(Period(2022)).reached_by_category() == {24: 12, 8: 2}
    assert rejo.in_period(Period(2022, 2)).reached_by_category() == {}
    assert rejo.in_period(Period(2021)).reached_by_category() == {24: 7}
    periods = {"now": Period(2022), "before": Period(2021), "empty": Period(2020)}
    assert MonthlyReport.objects.within("33.71").people_reached(periods) == {
        "now": 25,
        "before": 7,
        "empty": 0,
    }
    assert MonthlyReport.objects.within("33.23").people_reached(periods) == {
        "now": 13,
        "before": 0,
        "empty": 0,
    }
    assert MonthlyReport.objects.none().people_reached(periods) == {"now": 0, "before": 0, "empty": 0}
    assert MonthlyReport.objects.none().pmks_reached() == []


def test_reached_figures_never_change_the_pmks_counts(reports):
    assert list(PmksCount.objects.values_list("category__number", "count")) == [(24, 300)]


# --- Where they are shown ---------------------------------------------------------------------------------


def _grid_row(content: str, number: int) -> str:
    return re.search(rf'<tr id="row-{number}".*?</tr>', content, re.DOTALL)[0]


def _reached(html: str) -> str:
    return re.search(r'class="text-end reached">([^<]*)<', html)[1]


@pytest.mark.parametrize("role", ["staff", "viewer", "coordinator"])
def test_grid_shows_the_people_reached_in_the_period_as_its_own_source(request, as_user, reports, role):
    client = as_user(request.getfixturevalue(role))
    content = client.get(reverse("cases:pmks_grid", args=[REJO]), {"periode": "2022"}).content.decode()
    assert "Dijangkau PSM (laporan disetujui)" in content
    assert _reached(_grid_row(content, 24)) == "12"  # Jan 5 + 4, Feb 3; not the submitted or draft ones
    assert _reached(_grid_row(content, 8)) == "2"  # the returned report's 50 does not count
    assert _reached(_grid_row(content, 1)) == "—"
    assert 'id="reached-total">14<' in content
    assert 'id="pmks-total">300<' in content  # the DTKS count is unchanged
    content = client.get(reverse("cases:pmks_grid", args=[REJO]), {"periode": "2021"}).content.decode()
    assert _reached(_grid_row(content, 24)) == "7"


def test_grid_of_another_kelurahan_counts_its_own_psm_only(as_user, staff, reports):
    content = as_user(staff).get(reverse("cases:pmks_grid", args=[CACABAN]), {"periode": "2022"})
    assert _reached(_grid_row(content.content.decode(), 24)) == "11"


def test_unit_page_shows_the_people_reached_beside_each_category(as_user, coordinator, unit_a, reports):
    content = as_user(coordinator).get(reverse("members:unit_detail", args=[unit_a.pk])).content.decode()
    table = re.search(r'<table[^>]*id="unit-pmks-categories".*?</table>', content, re.DOTALL)[0]
    assert "Dijangkau PSM (laporan disetujui)" in table
    rows = re.findall(
        r'<tr data-category="(\d+)">.*?<td class="text-end">([^<]*)</td>'
        r'<td class="text-end reached">([^<]*)<',
        table,
    )
    # 2022, the latest period with DTKS figures: the elderly have no count but were reached.
    assert {number: (count, reached) for number, count, reached in rows} == {
        "8": ("—", "2"),
        "24": ("300", "12"),
    }
