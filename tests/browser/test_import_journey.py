"""A coordinator imports a roster: two bad rows refuse the file, the fixed file goes in."""

import datetime

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from members.nik import build_nik

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["No", "NIK", "Nama", "Jenis Kelamin", "Tempat Lahir", "Tgl Lahir", "Alamat", "No HP"]


def roster(path, rows):
    workbook = Workbook()
    workbook.active.append(HEADER)
    for number, row in enumerate(rows, start=1):
        workbook.active.append([number, *row])
    workbook.save(path)
    return path


def person(name, birth: datetime.date, female: bool, serial: int):
    nik = build_nik(region_code="33.71.03", birth_date=birth, is_female=female, serial=serial)
    return [nik, name, "P" if female else "L", "Magelang", birth.strftime("%d/%m/%Y"), "Jl. Tidar 1"]


def test_coordinator_fixes_a_roster_and_imports_it(log_in, live_server, coordinator, unit_a, tmp_path):
    sri = person("Sri Wahyuni", datetime.date(1982, 4, 9), True, 1)
    agus = person("Agus Prasetyo", datetime.date(1975, 11, 23), False, 2)
    dewi = person("Dewi Lestari", datetime.date(1990, 2, 14), True, 3)
    bad_rows = [
        [*sri, "0812 3456 7890"],
        [*agus[:4], "31/11/1975", agus[5], "0813 2222 3333"],  # no 31 November
        [*dewi, "12345"],  # not a mobile number
    ]
    page = log_in(coordinator)
    page.goto(f"{live_server.url}/unit/{unit_a.pk}/")
    page.click("#import-members-link")
    page.set_input_files("#id_file", roster(tmp_path / "anggota.xlsx", bad_rows))
    page.click("#import-upload")

    expect(page.locator("#import-refused")).to_contain_text("2 baris memuat kesalahan")
    errors = page.locator("#import-rows tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("3")
    expect(errors.nth(0)).to_contain_text("Tanggal Lahir")
    expect(errors.nth(0)).to_contain_text("Tanggal tidak dikenali")
    expect(errors.nth(1)).to_contain_text("No. HP")
    expect(page.locator("#import-confirm")).to_have_count(0)

    fixed = [[*sri, "0812 3456 7890"], [*agus, "0813 2222 3333"], [*dewi, "0857-1234-5678"]]
    page.click("#upload-again")
    page.set_input_files("#id_file", roster(tmp_path / "anggota-perbaikan.xlsx", fixed))
    page.click("#import-upload")
    expect(page.locator("#count-new")).to_have_text("3")
    page.click("#import-confirm")
    expect(page.locator("#import-done")).to_be_visible()

    page.locator("#import-done a").click()
    for name in ("Sri Wahyuni", "Agus Prasetyo", "Dewi Lestari"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
