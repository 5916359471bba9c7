"""Two journeys through the real UI, in Indonesian, as the people who use it would take them."""

import datetime

import pytest
from playwright.sync_api import expect

from members.models import Member, Transfer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinator_fixes_a_wrong_nik_and_finds_the_new_member_in_the_roster(log_in, coordinator, unit_a):
    page = log_in(coordinator)
    expect(page.locator("h1")).to_contain_text("Rejowinangun Utara")  # a coordinator's home is their unit

    page.get_by_role("link", name="Tambah anggota").click()
    page.fill("#id_nik", "3371 0306 0190 0003")  # birth day 06, but the member was born on the 5th
    page.fill("#id_full_name", "Sugeng Raharjo")
    page.select_option("#id_sex", "L")
    page.fill("#id_birth_place", "Magelang")
    page.fill("#id_birth_date", "1990-01-05")
    page.fill("#id_address", "Jl. Tidar 12")
    page.fill("#id_phone", "0812 3456 7890")
    page.get_by_role("button", name="Simpan").click()

    expect(page.locator("#div_id_nik")).to_contain_text("NIK tidak sesuai dengan tanggal lahir")
    assert not Member.objects.exists()
    expect(page.locator("#id_full_name")).to_have_value("Sugeng Raharjo")  # nothing typed is lost

    page.fill("#id_nik", "3371.0305.0190.0003")
    page.get_by_role("button", name="Simpan").click()

    expect(page.locator("h1")).to_contain_text("Sugeng Raharjo")
    member = Member.objects.get()
    assert (member.nik, member.phone, member.unit) == ("3371030501900003", "+6281234567890", unit_a)

    page.get_by_role("link", name=str(unit_a.region.name)).first.click()
    roster = page.locator("#roster")
    expect(roster).to_contain_text("Sugeng Raharjo")
    expect(roster).to_contain_text(member.kta_number)
    expect(roster).not_to_contain_text("3371030501900003")  # the roster shows NIKs masked


def test_staff_transfer_a_member_and_see_it_in_the_history(log_in, staff, member_a, unit_b):
    page = log_in(staff)

    page.get_by_role("navigation").get_by_role("link", name="Anggota").click()
    spaced_nik = " ".join(member_a.nik[i : i + 4] for i in range(0, 16, 4))
    page.fill("#id_cari", spaced_nik)  # a NIK search opens the member at once, and never lands in the URL
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(member_a.full_name)
    assert member_a.nik not in page.url
    page.get_by_role("link", name="Mutasi").click()

    page.select_option("#id_to_unit", str(unit_b.pk))
    page.fill("#id_transferred_on", datetime.date.today().isoformat())
    page.fill("#id_note", "Pindah domisili")
    page.locator("main").get_by_role("button", name="Mutasi").click()

    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("#transfers")).to_contain_text("Pindah domisili")
    expect(page.locator("#transfers")).to_contain_text(str(unit_b.region.name))
    expect(page.get_by_text("Riwayat perubahan")).to_be_visible()
    transfer = Transfer.objects.get(member=member_a)
    assert (transfer.to_unit, transfer.transferred_by) == (unit_b, staff)
