"""A coordinator reads the partners of their kecamatan on a phone (390 px): from their unit page to the
directory and a partner's page, with no sideways scroll and tap targets of 24 px at least."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from members import partners
from members.models import Partner
from tests.browser.test_field_journey import PAGE_PROBLEMS, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_reads_partners_on_a_phone(log_in, live_server, page, coordinator, unit_a, magelang):
    today = datetime.date.today()
    partner = Partner.objects.create(
        region=magelang["kota_magelang"],
        name="Yayasan Kesejahteraan Sosial Bina Insan Mandiri Magelang",
        sector="lks",
        contact_name="Ibu Retno Wulandari",
        phone="0293 362 111",
        email="sekretariat.binainsanmandiri@example.org",
        mou_number="PKS/460/0123/DINSOS/2025",
        mou_ends_on=today + datetime.timedelta(days=30),
    )
    partner.kecamatan_served.set([magelang["magelang_tengah"]])
    partners.record_contribution(
        partner=partner,
        kind="barang",
        value=Decimal(12_500_000),
        given_on=today,
        purpose="Kursi roda untuk lansia",
        unit=unit_a,
        by=None,
    )
    page.set_viewport_size(PHONE)
    log_in(coordinator)
    found = {}
    page.goto(f"{live_server.url}/unit/{unit_a.pk}/")
    expect(page.locator("#unit-partners")).to_contain_text("Kursi roda untuk lansia")
    found["unit"] = page.evaluate(PAGE_PROBLEMS)
    page.locator("#unit-partners-link").click()
    expect(page.locator("#partner-list")).to_contain_text("Bina Insan Mandiri")
    expect(page.locator(".partner-expiry")).to_be_visible()
    found["list"] = page.evaluate(PAGE_PROBLEMS)
    page.locator("#partner-list a").first.click()
    expect(page.locator("#contribution-totals")).to_contain_text("12.500.000")
    found["detail"] = page.evaluate(PAGE_PROBLEMS)
    assert {path: problems for path, problems in found.items() if problems} == {}
