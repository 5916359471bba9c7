"""A coordinator records who came to a meeting on a phone (390 px): from their unit page to the meeting,
"Semua hadir", one absent unticked, a follow-up marked done; no sideways scroll, tap targets of 24 px."""

import datetime

import pytest
from playwright.sync_api import expect

from members import meetings
from members.models import Meeting
from tests import factories
from tests.browser.test_field_journey import PAGE_PROBLEMS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_records_attendance_on_a_phone(log_in, live_server, page, coordinator, unit_a):
    today = datetime.date.today()
    members = [
        factories.MemberFactory(unit=unit_a, full_name=f"Sri Rahayu Kusumaningtyas {n}") for n in range(4)
    ]
    meeting = Meeting(unit=unit_a, region=unit_a.region, kind="rutin", held_on=today)
    meeting.place, meeting.agenda = "Balai Kelurahan Rejowinangun Utara", "Pembagian wilayah kunjungan lansia"
    meeting = meetings.create_meeting(meeting=meeting, by=coordinator)
    meetings.add_follow_up(
        meeting=meeting,
        task="Mendata lansia terlantar RW 03",
        due_on=today,
        responsible=members[0],
        by=coordinator,
    )
    page.set_viewport_size(PHONE)
    log_in(coordinator)
    found = {}
    page.goto(f"{live_server.url}/unit/{unit_a.pk}/")
    expect(page.locator("#open-follow-ups")).to_be_visible()
    found["unit"] = page.evaluate(PAGE_PROBLEMS)
    page.locator("#unit-meetings-link").click()
    page.locator("#meeting-list a").first.click()
    found["detail"] = page.evaluate(PAGE_PROBLEMS)
    page.locator("#attendance-link").click()
    page.locator("#all-present").click()
    expect(page.locator("input[name=hadir]:checked")).to_have_count(4)
    found["attendance"] = page.evaluate(PAGE_PROBLEMS)
    page.locator(f"#hadir-{members[3].pk}").uncheck()
    page.locator("#save-attendance").click()
    expect(page.locator("#present-count")).to_have_text("3/4")
    page.locator(".follow-up-done button").click()
    expect(page.locator("#follow-up-list .badge.text-bg-success")).to_be_visible()
    assert {path: problems for path, problems in found.items() if problems} == {}
