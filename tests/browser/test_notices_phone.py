"""The bell and the notices on a phone (390 px): the count arrives after the page (htmx, under the CSP), the
bell is named with it, the list fits the screen with targets of 24 px at least, and marking read works."""

import pytest
from playwright.sync_api import expect

from ipsm.notices.services import remind
from tests.browser.test_dashboard_phone import PHONE, SIDEWAYS, SMALL_TARGETS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_reads_a_reminder_on_a_phone(log_in, live_server, page, coordinator, unit_a):
    remind()  # unit A's roster was never checked
    page.set_viewport_size(PHONE)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    errors: list[str] = []
    log_in(coordinator)

    bell = page.locator("#notice-bell")
    expect(bell).to_have_attribute("aria-label", "Pemberitahuan, 1 belum dibaca")
    expect(bell).to_be_visible()  # outside the folded menu
    assert page.evaluate(SIDEWAYS) <= 0
    assert page.evaluate(SMALL_TARGETS, ".navbar") == []

    bell.click()
    expect(page.locator("h1")).to_have_text("Pemberitahuan")
    expect(page.locator("#notices")).to_contain_text("belum pernah diperiksa")
    assert page.evaluate(SIDEWAYS) <= 0
    assert page.evaluate(SMALL_TARGETS, "main") == []

    page.get_by_role("button", name="Tandai sudah dibaca").click()
    expect(page.locator("#notice-bell")).to_have_attribute("aria-label", "Pemberitahuan")
    page.get_by_role("link", name="Buka").click()
    expect(page).to_have_url(f"{live_server.url}/unit/{unit_a.pk}/")
    assert errors == []  # no CSP refusal
