"""The reporting-rate pages (ipsm/dashboard/reporting.py): who sees which region, the figures of a month and
the last 12, the regions and units below, the silent PSM, the export, the snapshot for the nation; and the
rate on the coverage dashboard and the unit page."""

import csv
import io

import pytest
from django.utils import timezone

from cases import reporting
from cases.models import MonthlyReport, ReportState
from ipsm.models import ExportLog
from tests import factories

LAST = reporting.last_whole_month()
BEFORE = reporting.add_months(LAST, -1)


def _member(unit, **kwargs):
    return factories.MemberFactory(unit=unit, status_history=True, **kwargs)


def _report(member, month, state=ReportState.DISETUJUI, *, late=False):
    return MonthlyReport.objects.create(
        member=member,
        month=month,
        state=state,
        due_on=reporting.add_months(month, 1).replace(day=5),
        submitted_at=None if state == ReportState.DRAF else timezone.now(),
        is_late=late,
    )


@pytest.fixture
def registry(unit_a, unit_b, unit_temanggung):
    """Unit A: 2 PSM, both reported last month (one late); unit B: 2 PSM, one silent for months; Temanggung:
    one PSM who reported."""
    reporting_a = _member(unit_a, full_name="Ani Rajin")
    late_a = _member(unit_a, full_name="Budi Telat")
    _report(reporting_a, LAST)
    _report(reporting_a, BEFORE)
    _report(late_a, LAST, ReportState.TERKIRIM, late=True)
    _member(unit_b, full_name="Citra Diam")
    draft_b = _member(unit_b, full_name="Dedi Draf")
    _report(draft_b, LAST, ReportState.DRAF)
    _report(draft_b, BEFORE, ReportState.DIKEMBALIKAN)
    _report(_member(unit_temanggung, full_name="Eko Temanggung"), LAST)


def _row(response, table: str, key: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{table}"')
    row = html.index(f'data-{"month" if table == "reporting-months" else "code"}="{key}"', start)
    return html[row : html.index("</tr>", row)]


def test_staff_see_their_kabkota_by_kecamatan_with_the_months_figures(as_user, staff, registry):
    response = as_user(staff).get("/laporan-bulanan/")
    assert response.status_code == 200
    assert response.context["region"].code == "33.71"
    current = response.context["rates"].current
    assert (current.expected, current.submitted, current.on_time, current.approved) == (4, 2, 1, 1)
    assert "33.23" not in [child["rate"].key for child in response.context["children"]]
    assert ">4<" in _row(response, "reporting-children", "33.71.03")
    assert "2 <span" in _row(response, "reporting-months", f"{BEFORE:%Y-%m}")  # 2 submitted the month before


def test_a_kecamatan_lists_its_units_lowest_share_first_linking_to_their_reports(
    as_user, staff, registry, unit_a, unit_b
):
    response = as_user(staff).get(f"/laporan-bulanan/33.71.03/?bulan={LAST:%Y-%m}")
    keys = [child["rate"].key for child in response.context["children"]]
    assert keys == [unit_b.region_id, unit_a.region_id]
    assert f'href="/unit/{unit_a.pk}/laporan/?bulan={LAST:%Y-%m}"' in response.content.decode()


def test_silent_psm_are_listed_for_follow_up(as_user, staff, registry):
    response = as_user(staff).get("/laporan-bulanan/33.71/")
    names = [member.full_name for member in response.context["silent"]]
    # Dedi's returned report was submitted once, inside the 3 months; Citra never reported.
    assert names == ["Citra Diam"]


def test_a_month_to_come_or_junk_falls_back_to_the_last_whole_month(as_user, staff, registry):
    client = as_user(staff)
    for value in ("2999-01", "x", "2026-13", "1999-12"):
        response = client.get("/laporan-bulanan/", {"bulan": value})
        assert response.status_code == 200 and response.context["rates"].month == LAST, value


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("staff", "/laporan-bulanan/33.23/", 404),
        ("staff_other", "/laporan-bulanan/33.71.03/", 404),
        ("viewer", "/laporan-bulanan/33.71/", 200),
        ("coordinator", "/laporan-bulanan/33.71/", 403),
        ("superuser", "/laporan-bulanan/33/", 200),
        ("staff", "/laporan-bulanan/", 200),
    ],
)
def test_who_sees_which_region(as_user, registry, request, who, url, status):
    assert as_user(request.getfixturevalue(who)).get(url).status_code == status


def test_a_coordinator_is_sent_to_their_units_reports(as_user, coordinator, unit_a):
    response = as_user(coordinator).get("/laporan-bulanan/")
    assert response.status_code == 302 and response.url == f"/unit/{unit_a.pk}/laporan/"


def test_the_nation_and_a_province_read_the_snapshot(as_user, superuser, registry):
    response = as_user(superuser).get("/laporan-bulanan/")
    assert response.context["snapshot"] is not None
    assert [child["rate"].key for child in response.context["children"]] == ["33"]
    current = response.context["rates"].current
    assert (current.expected, current.submitted) == (5, 3)
    province = as_user(superuser).get("/laporan-bulanan/33/")
    assert {child["rate"].key: child["rate"].expected for child in province.context["children"]} == {
        "33.71": 4,
        "33.23": 1,
    }


def test_the_export_has_every_group_month_by_month_and_is_logged(as_user, staff, registry):
    response = as_user(staff).get("/laporan-bulanan/33.71/ekspor/csv/")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + 12 + 12  # header, the kab/kota's months, its one kecamatan with members
    assert rows[12][0] == "33.71" and rows[12][3:6] == ["4", "2", "50.0"]
    assert ExportLog.objects.get().list_name == "reporting"


def test_the_page_takes_the_same_queries_however_many_psm(
    as_user, staff, registry, unit_a, django_assert_max_num_queries
):
    client = as_user(staff)
    client.get("/laporan-bulanan/33.71/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get("/laporan-bulanan/33.71/")
    for _ in range(5):
        _report(_member(unit_a), LAST)
    _member(factories.UnitFactory(region_id="33.71.01.1007"))
    with django_assert_max_num_queries(len(before)):
        client.get("/laporan-bulanan/33.71/")


def test_the_dashboard_shows_last_months_rate_and_links_to_the_page(as_user, staff, registry):
    response = as_user(staff).get("/")
    html = response.content.decode()
    assert "2 dari 4 PSM mengirim laporan" in html
    assert 'href="/laporan-bulanan/33.71/"' in html
    assert response.context["reporting_chart"]["submitted"][-1] == 50.0


def test_the_unit_page_shows_its_rate_and_silent_psm(as_user, coordinator_b, registry, unit_b):
    html = as_user(coordinator_b).get(f"/unit/{unit_b.pk}/").content.decode()
    assert "0 dari 2 PSM mengirim laporan" in html
    assert 'id="unit-silent-count"' in html


def test_the_unit_reports_page_lists_who_sent_nothing(as_user, coordinator_b, registry, unit_b):
    response = as_user(coordinator_b).get(f"/unit/{unit_b.pk}/laporan/")
    assert [member.full_name for member in response.context["silent"]] == ["Citra Diam"]
    assert response.context["rate"].expected == 2
