"""Staff enter PMKS figures and watch the dashboard; a case gets its PSM and leaves the tanpa PSM list."""

import datetime

import pytest
from playwright.sync_api import expect

from cases.models import Case, CoverageStatus, PmksCategory
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_enter_pmks_figures_and_see_the_status_change(log_in, live_server, staff, unit_b):
    factories.MemberFactory.create_batch(5, unit=unit_b)  # Cacaban: five active PSM, the minimum
    poor = PmksCategory.objects.get(number=24)
    page = log_in(staff)

    status = page.locator("#kel-33-71-03-1002 .coverage-status")
    # No PMKS figures yet: no status, however many PSM.
    expect(status.locator("[data-status]")).to_have_attribute("data-status", CoverageStatus.NO_DATA)

    page.locator("#kel-33-71-03-1002 .pmks-link").click()
    page.fill(f"#id_count_{poor.pk}", "-3")
    page.select_option("#id_source", "dtks")
    page.fill("#id_data_date", datetime.date.today().isoformat())
    page.locator("#pmks-grid-form").get_by_role("button", name="Simpan").click()
    expect(page.locator(f"#row-{poor.number} .row-error")).to_be_visible()  # nothing saved

    page.fill(f"#id_count_{poor.pk}", "400")  # 400 PMKS / 50 per PSM: 8 PSM needed, 5 active
    page.locator("#pmks-grid-form").get_by_role("button", name="Simpan").click()
    expect(page.locator("#pmks-total")).to_have_text("400")

    page.goto(f"{live_server.url}/")
    expect(status.locator("[data-status]")).to_have_attribute("data-status", CoverageStatus.KURANG)
    expect(status).to_contain_text("Kurang")


def test_staff_open_a_case_assign_a_psm_and_it_leaves_the_tanpa_psm_list(
    log_in, live_server, staff, member_b
):
    page = log_in(staff)
    page.get_by_role("navigation").get_by_role("link", name="Kasus").click()
    page.get_by_role("link", name="Kasus baru").click()
    page.fill("#id_person_name", "Mbah Sainem")
    page.select_option("#id_person_sex", "P")
    page.fill("#id_person_age", "78")
    page.fill("#id_person_address", "Jl. Cempaka 4, RT 002/RW 005")
    page.select_option("#id_kelurahan", "33.71.03.1002")
    page.select_option("#id_category", label="Lanjut Usia Terlantar")
    page.fill("#id_description", "Tinggal sendiri, tidak ada keluarga yang merawat.")
    page.select_option("#id_channel", "laporan_warga")
    page.locator("main").get_by_role("button", name="Simpan").click()
    expect(page.locator("#case-psm")).to_contain_text("tanpa PSM")
    case = Case.objects.get()

    page.goto(f"{live_server.url}/")
    page.locator("#open-cases-without-psm a").click()  # the dashboard's "tanpa PSM" link
    expect(page.get_by_role("link", name="Mbah Sainem")).to_be_visible()
    page.get_by_role("link", name="Mbah Sainem").click()

    page.select_option("#id_member", str(member_b.pk))
    page.click("#assign-submit")
    expect(page.locator("#case-psm")).to_contain_text(member_b.full_name)
    case.refresh_from_db()
    assert case.psm == member_b

    page.goto(f"{live_server.url}/kasus/?tanpa_psm=1&wilayah=33.71")
    expect(page.get_by_role("link", name="Mbah Sainem")).to_have_count(0)
