"""A PSM's own account on a phone (390x844): the coordinator invites the member from the member page, the
member opens the slip's link, chooses a password, lands on their own page and corrects their mobile number;
every PSM page fits the phone (no sideways scroll, tap targets of at least 24x24 px)."""

import re

import pytest
from playwright.sync_api import Browser, expect

from members.models import Member
from tests import factories
from tests.browser.test_field_journey import PAGE_PROBLEMS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lapangan-Tidar-2026"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


def test_coordinator_invites_and_psm_activates_on_a_phone(
    log_in, live_server, coordinator, unit_a, magelang, browser: Browser, browser_context_args
):
    member = factories.MemberFactory(unit=unit_a, full_name="Sumarni Lapangan", phone="+6281234567890")
    factories.CaseFactory(kelurahan=magelang["rejowinangun_utara"], psm=member, person_name="Mbah Kasiyem")
    page = log_in(coordinator)
    page.goto(f"{live_server.url}/anggota/{member.pk}/")
    expect(page.locator("#psm-account-status")).to_contain_text("Belum ada akun")
    page.click("#psm-invite")
    link = page.locator("#slip-link").inner_text()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/aktivasi/[^/]+/", link)
    expect(page.locator("#slip-whatsapp")).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/6281234567890\?text=")
    )

    # The member, on their own phone (no session of the coordinator's).
    context = browser.new_context(**browser_context_args)
    psm_page = context.new_page()
    psm_page.goto(link)
    assert psm_page.evaluate(PAGE_PROBLEMS) == []
    psm_page.fill("#id_username", "sumarni")
    psm_page.fill("#id_new_password1", PASSWORD)
    psm_page.fill("#id_new_password2", PASSWORD)
    with psm_page.expect_navigation():
        psm_page.click("#activate-account")
    assert psm_page.url == f"{live_server.url}/saya/"
    expect(psm_page.locator("#own-nik")).to_have_text(member.nik)
    assert psm_page.evaluate(PAGE_PROBLEMS) == []

    with psm_page.expect_navigation():
        psm_page.click("#edit-contact-link")
    assert psm_page.evaluate(PAGE_PROBLEMS) == []
    psm_page.fill("#id_phone", "0813 2222 3333")
    with psm_page.expect_navigation():
        psm_page.click("#save-contact")
    expect(psm_page.locator("#own-phone")).to_have_text("+6281322223333")
    assert Member.objects.get(pk=member.pk).phone == "+6281322223333"

    with psm_page.expect_navigation():
        psm_page.click("#own-cases-link")
    assert psm_page.evaluate(PAGE_PROBLEMS) == []
    with psm_page.expect_navigation():
        psm_page.click("text=Mbah Kasiyem")
    assert psm_page.evaluate(PAGE_PROBLEMS) == []
    context.close()
