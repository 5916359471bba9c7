"""A coordinator keeps the unit's work programme on a phone (390 px): from the unit page, start this year's
programme, plan an activity, realise it by the meeting that month; every page fits (no sideways scroll, tap
targets of 24 px) and axe-core finds nothing serious."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from members import meetings
from members.models import Meeting
from tests.browser.test_field_journey import PAGE_PROBLEMS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = (
    "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, "
    "resultTypes: ['violations']})"
)


def _problems(page) -> list[str]:
    found = list(page.evaluate(PAGE_PROBLEMS))
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)["violations"]
    found += [
        f"axe {v['id']}: {v['nodes'][0]['target']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    return found


def test_coordinator_plans_and_realises_on_a_phone(browser, log_in, live_server, coordinator, unit_a):
    today = datetime.date.today()
    held_on = today - datetime.timedelta(days=1) if today.day > 1 else today
    meeting = Meeting(unit=unit_a, region=unit_a.region, kind="rutin", held_on=held_on)
    meeting.place, meeting.agenda = "Balai Kelurahan Rejowinangun Utara", "Rencana kunjungan lansia"
    meetings.create_meeting(meeting=meeting, by=coordinator)
    context = browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Jakarta", bypass_csp=True)
    page = context.new_page()
    found = {}
    page.goto(f"{live_server.url}/masuk/")
    page.fill("#id_username", coordinator.username)
    page.fill("#id_password", "rahasia-123")
    with page.expect_navigation():
        page.click("button[type=submit]")

    page.goto(f"{live_server.url}/unit/{unit_a.pk}/")
    with page.expect_navigation():
        page.locator("#unit-programme-link").click()
    found["empty programme"] = _problems(page)
    with page.expect_navigation():
        page.locator("#start-programme button").click()
    with page.expect_navigation():
        page.locator("#add-activity").click()
    found["activity form"] = _problems(page)
    page.fill("#id_title", "Pertemuan rutin bulanan untuk membagi wilayah kunjungan lansia terlantar")
    page.select_option("#id_kind", "pertemuan")
    page.select_option("#id_month", str(held_on.month))
    page.select_option("#id_funding", "swadaya")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    found["programme"] = _problems(page)
    with page.expect_navigation():
        page.locator("#activity-list a").first.click()
    found["activity"] = _problems(page)
    with page.expect_navigation():
        page.locator('[data-source="rapat"] button').click()
    expect(page.locator("#programme-tally")).to_contain_text("1 dari 1")
    found["realised"] = _problems(page)
    assert {name: problems for name, problems in found.items() if problems} == {}
