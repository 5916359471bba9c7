"""The coverage sheet of one kelurahan/desa for the musyawarah (/cakupan/<code>/cetak/?periode=...): the
coverage dashboard's figures and access rule, counts only (no case's details), constant query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import PmksCategory, PmksSource
from members.models import BoardRole, MemberStatus
from tests import factories
from tests.printing.conftest import ROLES, count_queries
from tests.trainings.conftest import make_event, mark_all
from trainings import services

CODE = "33.71.03.1003"  # Rejowinangun Utara, unit_a


def _url(code: str = CODE, period: str = "2023") -> str:
    url = reverse("coverage_print", args=[code])
    return f"{url}?periode={period}" if period else url


@pytest.fixture
def sheet(magelang, unit_a, unit_b, staff):
    """Rejowinangun Utara in 2023: 300 fakir miskin (DTKS) + 20 lansia terlantar (survey) = 320 PMKS;
    6 active PSM (Ani trained last month), a calon and a nonaktif; 3 open cases (2 fakir miskin, 1 lansia)
    and a closed one; a 2022 figure and Cacaban's cases are not on the sheet. Target 5 PSM, 50 PMKS each:
    7 needed, 1 short."""
    poor, elderly = PmksCategory.objects.get(number=24), PmksCategory.objects.get(number=8)
    kel = magelang["rejowinangun_utara"]
    count = factories.PmksCountFactory
    count(kelurahan=kel, category=poor, count=300, year=2023, data_date=datetime.date(2023, 6, 30))
    count(
        kelurahan=kel,
        category=elderly,
        count=20,
        year=2023,
        source=PmksSource.SURVEI,
        data_date=datetime.date(2023, 8, 17),
    )
    count(kelurahan=kel, category=poor, count=999, year=2022)
    ani = factories.MemberFactory(unit=unit_a, full_name="Ani Wibowo")
    factories.MemberFactory.create_batch(5, unit=unit_a)
    factories.MemberFactory(unit=unit_a, full_name="Calon Setiawan", status=MemberStatus.CALON)
    factories.MemberFactory(
        unit=unit_a, full_name="Mundur Hartono", status=MemberStatus.NONAKTIF, status_reason="lainnya"
    )
    factories.BoardPositionFactory(member=ani, role=BoardRole.KETUA)
    start = timezone.localdate() - datetime.timedelta(days=30)
    event = make_event(magelang["kota_magelang"], by=staff, starts_on=start, ends_on=start)
    services.invite_members(event=event, members=[ani], by=staff)
    mark_all(event, ani)
    factories.CaseFactory.create_batch(2, kelurahan=kel, category=poor, person_name="Rahasia Pribadi")
    factories.CaseFactory(kelurahan=kel, category=elderly, person_name="Rahasia Pribadi")
    factories.CaseFactory(kelurahan=kel, category=elderly, status="selesai")
    factories.CaseFactory.create_batch(4, kelurahan=magelang["cacaban"], category=poor)
    return {"ani": ani}


# The dashboard's rule: coordinators read the figures on their unit page, so the sheet is 403 for them.
# fmt: off
EXPECTED = {
    "anonymous": 302, "coordinator": 403, "coordinator_b": 403, "viewer": 200,
    "staff": 200, "staff_other": 404, "superuser": 200,
}
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_access_is_the_coverage_page_s(client, users, unit_a, role):
    user = users(role)
    if user:
        client.force_login(user)
    response = client.get(_url())
    assert response.status_code == EXPECTED[role]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("code", ["33.71.03", "33.71", "33.71.03.9999"])
def test_only_a_kelurahan_has_a_sheet(as_user, staff, code):
    assert as_user(staff).get(_url(code)).status_code == 404


def test_sheet_of_a_kelurahan_without_unit(as_user, staff, magelang):
    html = as_user(staff).get(_url("33.71.01.1007")).content.decode()
    assert "Kel. Magersari" in html
    assert 'id="sheet-active-psm">0<' in html


def _part(html: str, element_id: str, end: str = "</table>") -> str:
    return html.split(f'id="{element_id}"')[1].split(end)[0]


def test_sheet_shows_the_coverage_figures(as_user, viewer, sheet):
    html = as_user(viewer).get(_url()).content.decode()
    assert "Kel. Rejowinangun Utara" in html
    assert "Kel. Rejowinangun Utara · Kec. Magelang Tengah · Kota Magelang" in html
    assert "Tahun 2023" in _part(html, "sheet-period", "</p>")
    assert 'id="sheet-pmks">320<' in html
    assert 'id="sheet-active-psm">6<' in html
    assert 'id="sheet-psm-target">7<' in html
    assert 'id="sheet-psm-needed">1<' in html
    assert 'data-status="1"' in _part(html, "sheet-status", "</td>")


def test_sheet_shows_pmks_per_category_with_source_and_date(as_user, staff, sheet):
    table = _part(as_user(staff).get(_url()).content.decode(), "sheet-pmks-categories")
    poor = table.split('data-category="24"')[1].split("</tr>")[0]
    assert "300" in poor and "DTKS/SIKS-NG" in poor and "30/06/2023" in poor
    elderly = table.split('data-category="8"')[1].split("</tr>")[0]
    assert "20" in elderly and "Survei" in elderly and "17/08/2023" in elderly
    assert "999" not in table  # 2022


def test_period_picks_the_figures(as_user, staff, sheet):
    html = as_user(staff).get(_url(period="2022")).content.decode()
    assert 'id="sheet-pmks">999<' in html
    # Without a period: the kelurahan's latest.
    assert 'id="sheet-pmks">320<' in as_user(staff).get(_url(period="")).content.decode()


def test_sheet_lists_active_psm_with_training(as_user, staff, sheet):
    html = as_user(staff).get(_url()).content.decode()
    table = _part(html, "sheet-psm")
    assert table.count("data-member=") == 6
    assert "Calon Setiawan" not in table and "Mundur Hartono" not in table
    ani = table.split(f'data-member="{sheet["ani"].pk}"')[1].split("</tr>")[0]
    assert ani.count("✓") == 2
    assert 'id="sheet-trained">1<' in html
    assert 'id="sheet-trained-recent">1<' in html


def test_open_cases_are_counts_per_category_without_personal_data(as_user, staff, sheet):
    html = as_user(staff).get(_url()).content.decode()
    table = _part(html, "sheet-open-cases")
    assert '<td class="text-end">2</td>' in table.split('data-category="24"')[1].split("</tr>")[0]
    assert '<td class="text-end">1</td>' in table.split('data-category="8"')[1].split("</tr>")[0]
    assert 'id="sheet-open-cases-total">3<' in table
    assert "Rahasia Pribadi" not in html
    assert "Jl. Pahlawan" not in html
    assert reverse("cases:list") not in html


def test_sheet_has_notes_and_signature_lines(as_user, staff, sheet, magelang):
    html = as_user(staff).get(_url()).content.decode()
    assert html.count('class="print-blank-line"') >= 4
    signatures = _part(html, "sheet-signatures", "</section>")
    assert 'data-signatory="lurah"' in signatures
    assert 'data-signatory="ketua-ipsm"' in signatures
    assert "Kel. Rejowinangun Utara" in signatures
    assert "(Ani Wibowo)" in signatures  # the ketua's name under the line
    assert "staf-magelang" in _part(html, "printed", "</p>")


def test_a_desa_is_signed_by_its_kepala_desa(as_user, staff_other, unit_temanggung):
    html = as_user(staff_other).get(_url("33.23.11.2001")).content.decode()
    signatures = _part(html, "sheet-signatures", "</section>")
    assert 'data-signatory="kepala-desa"' in signatures
    assert "Kowangan" in signatures


def test_unit_and_coverage_pages_link_to_the_sheet(as_user, staff, viewer, coordinator, sheet, magelang):
    unit_page = reverse("members:unit_detail", args=[sheet["ani"].unit_id])
    link = f'href="{_url()}"'
    assert link in as_user(staff).get(unit_page).content.decode()
    assert link in as_user(viewer).get(unit_page).content.decode()
    # Not offered where it would be refused.
    assert reverse("coverage_print", args=[CODE]) not in as_user(coordinator).get(unit_page).content.decode()
    # A kelurahan without a unit has its own coverage page.
    page = as_user(staff).get(reverse("coverage", args=["33.71.01.1007"])).content.decode()
    assert reverse("coverage_print", args=["33.71.01.1007"]) in page


def test_query_count_does_not_grow_with_members(as_user, staff, magelang, unit_a):
    client = as_user(staff)
    poor = PmksCategory.objects.get(number=24)
    factories.PmksCountFactory(kelurahan=magelang["rejowinangun_utara"], category=poor, year=2023)
    factories.MemberFactory.create_batch(2, unit=unit_a)
    factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], category=poor)
    with_two = count_queries(client, _url())
    factories.MemberFactory.create_batch(4, unit=unit_a)
    for number in (1, 2, 3):
        category = PmksCategory.objects.get(number=number)
        factories.PmksCountFactory(kelurahan=magelang["rejowinangun_utara"], category=category, year=2023)
        factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], category=category)
    factories.BoardPositionFactory(member=unit_a.members.first(), role=BoardRole.KETUA)
    assert count_queries(client, _url()) == with_two
