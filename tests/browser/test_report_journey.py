"""A PSM's monthly report on a phone (390x844): the PSM fills and submits it, their coordinator returns it
with a note, the PSM corrects and submits it again, the coordinator approves it; every page fits the phone
(no sideways scroll, tap targets of at least 24x24 px)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, expect

from cases.models import MonthlyReport, ReportState
from ipsm import roles
from tests import factories
from tests.browser.test_field_journey import PAGE_PROBLEMS, PHONE
from tests.factories import USER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


def test_psm_submits_coordinator_returns_psm_resubmits_coordinator_approves(
    log_in, live_server, coordinator, unit_a, magelang, browser: Browser, browser_context_args
):
    member = factories.MemberFactory(unit=unit_a, full_name="Sumarni Lapangan")
    factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member, person_name="Mbah Kasiyem")
    user = factories.UserFactory(username="sumarni")
    user.groups.add(Group.objects.get(name=roles.PSM))
    factories.AssignmentFactory(user=user, member=member)
    today = datetime.date.today()

    # The PSM, on their own phone.
    context = browser.new_context(**browser_context_args)
    psm = context.new_page()
    psm.goto(f"{live_server.url}/masuk/")
    psm.fill("#id_username", "sumarni")
    psm.fill("#id_password", USER_PASSWORD)
    with psm.expect_navigation():
        psm.click("button[type=submit]")
    psm.goto(f"{live_server.url}/saya/laporan/")
    assert psm.evaluate(PAGE_PROBLEMS) == []
    with psm.expect_navigation():
        psm.click("#this-month-report")
    psm.select_option("#id_kegiatan-0-kind", "kunjungan")
    psm.fill("#id_kegiatan-0-done_on", today.isoformat())
    psm.fill("#id_kegiatan-0-count", "3")
    psm.click("#pmks-reached summary")
    psm.fill("#id_pmks_24", "5")
    psm.get_by_label("Mbah Kasiyem", exact=False).check()
    psm.fill("#id_obstacles", "Jalan rusak")
    assert psm.evaluate(PAGE_PROBLEMS) == []
    psm.click("#submit-report")
    expect(psm.locator("#report-activities")).to_contain_text("3")
    assert psm.evaluate(PAGE_PROBLEMS) == []
    report = MonthlyReport.objects.get(member=member)
    assert report.state == ReportState.TERKIRIM

    # The coordinator returns it.
    page = log_in(coordinator)
    page.goto(f"{live_server.url}/unit/{unit_a.pk}/laporan/?bulan={today:%Y-%m}")
    assert page.evaluate(PAGE_PROBLEMS) == []
    with page.expect_navigation():
        page.click("text=Sumarni Lapangan")
    assert page.evaluate(PAGE_PROBLEMS) == []
    page.fill("#return-note", "Tambahkan rencana bulan depan")
    page.click("#return-report")
    expect(page.locator("#report-steps")).to_contain_text("Tambahkan rencana bulan depan")

    # The PSM corrects and submits again.
    psm.goto(f"{live_server.url}/saya/laporan/{today:%Y-%m}/")
    expect(psm.locator("#return-note")).to_contain_text("Tambahkan rencana bulan depan")
    psm.fill("#id_plan", "Pendataan RW 3")
    psm.click("#submit-report")
    expect(psm.locator("#report-plan")).to_contain_text("Pendataan RW 3")

    # The coordinator approves it.
    page.reload()
    page.click("#approve-report")
    expect(page.locator("#review-actions")).to_have_count(0)
    report.refresh_from_db()
    assert report.state == ReportState.DISETUJUI and report.cases.count() == 1
    context.close()
