"""The whole loop on a phone (390x844): the coordinator invites a PSM, the PSM opens the link, sets a
password, fills and submits their monthly report with a photo, the coordinator returns it with a note, the
PSM corrects and submits it again, the coordinator approves it, and Dinas Sosial staff see the unit's
reporting rate change; every page fits the phone (no sideways scroll, tap targets of at least 24x24 px)."""

import datetime

import pytest
from playwright.sync_api import Browser, expect

from cases.models import MonthlyReport, ReportState
from tests import factories
from tests.browser.test_field_journey import PAGE_PROBLEMS, PHONE
from tests.factories import USER_PASSWORD
from tests.printing.pictures import phone_photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Sumarni-lapor-2026"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


def _phone(browser: Browser, browser_context_args, live_server, username=None, password=USER_PASSWORD):
    """A page in a browser of its own (another person's phone), logged in when a username is given."""
    page = browser.new_context(**browser_context_args).new_page()
    if username:
        page.goto(f"{live_server.url}/masuk/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
    return page


def _unit_rate(page, live_server, unit, month: datetime.date) -> list[str]:
    """The unit's row on its kecamatan's reporting-rate page: expected, submitted, on time, approved."""
    page.goto(f"{live_server.url}/laporan-bulanan/33.71.03/?bulan={month:%Y-%m}")
    assert page.evaluate(PAGE_PROBLEMS) == []
    row = page.locator(f'#reporting-children tr[data-code="{unit.region_id}"]')
    return [
        " ".join(row.locator(f"td.{name}").inner_text().split())
        for name in ("expected", "submitted", "on-time", "approved")
    ]


def test_invited_psm_reports_coordinator_reviews_staff_see_the_rate_change(
    log_in,
    live_server,
    coordinator,
    staff,
    unit_a,
    magelang,
    browser: Browser,
    browser_context_args,
    tmp_path,
):
    member = factories.MemberFactory(
        unit=unit_a, full_name="Sumarni Lapangan", phone="+6281234567890", status_history=True
    )
    factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member, person_name="Mbah Kasiyem")
    today = datetime.date.today()
    month = today.replace(day=1)

    # Staff look at the unit's reporting rate this month: one PSM expected, nothing submitted.
    office = _phone(browser, browser_context_args, live_server, staff.username)
    assert _unit_rate(office, live_server, unit_a, month) == ["1", "0 (0%)", "0 (0%)", "0 (0%)"]

    # The coordinator invites the member from the member page.
    page = log_in(coordinator)
    page.goto(f"{live_server.url}/anggota/{member.pk}/")
    page.click("#psm-invite")
    link = page.locator("#slip-link").inner_text()

    # The member, on their own phone, opens the link and chooses a password.
    psm = _phone(browser, browser_context_args, live_server)
    psm.goto(link)
    psm.fill("#id_username", "sumarni")
    psm.fill("#id_new_password1", PASSWORD)
    psm.fill("#id_new_password2", PASSWORD)
    with psm.expect_navigation():
        psm.click("#activate-account")
    assert psm.url == f"{live_server.url}/saya/"

    # They fill this month's report, with a photo, and submit it.
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
    photo = tmp_path / "kunjungan.jpg"
    photo.write_bytes(phone_photo())
    psm.set_input_files("#id_photo", str(photo))
    assert psm.evaluate(PAGE_PROBLEMS) == []
    psm.click("#submit-report")
    expect(psm.locator("#report-activities")).to_contain_text("3")
    expect(psm.locator("img.report-photo")).to_have_count(1)
    assert psm.evaluate(PAGE_PROBLEMS) == []
    report = MonthlyReport.objects.get(member=member)
    assert report.state == ReportState.TERKIRIM and report.photos.count() == 1

    # The coordinator returns it with a note.
    page.goto(f"{live_server.url}/unit/{unit_a.pk}/laporan/?bulan={month:%Y-%m}")
    assert page.evaluate(PAGE_PROBLEMS) == []
    with page.expect_navigation():
        page.click("text=Sumarni Lapangan")
    assert page.evaluate(PAGE_PROBLEMS) == []
    page.fill("#return-note", "Tambahkan rencana bulan depan")
    page.click("#return-report")
    expect(page.locator("#report-steps")).to_contain_text("Tambahkan rencana bulan depan")

    # The PSM corrects it and submits it again.
    psm.goto(f"{live_server.url}/saya/laporan/{month:%Y-%m}/")
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

    # Staff see the unit's rate change: 1 of 1 submitted, on time, approved.
    assert _unit_rate(office, live_server, unit_a, month) == ["1", "1 (100%)", "1 (100%)", "1 (100%)"]
