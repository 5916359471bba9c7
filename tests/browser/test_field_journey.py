"""The coordinator's pages on a phone (390x844): no sideways scroll, tap targets of at least 24x24 px (WCAG
2.5.8), the roster and "Tambah anggota" on the first screen of their home, the NIK filling sex and date of
birth, and the journey of a coordinator who adds a member from the list and checks the roster."""

import datetime

import pytest
from playwright.sync_api import expect

from cases.models import PmksCategory
from members.models import BoardRole, Member, MemberStatus
from members.nik import build_nik
from members.rules import MIN_AGE_AT_JOINING
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# What a page must not do at 390 px: scroll sideways; and every link and button it shows (in <main>, the
# navbar is base.html's) at least 24x24 px.
PAGE_PROBLEMS = """() => {
  const problems = [];
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) problems.push(`page ${width} px wide in a ${window.innerWidth} px window`);
  for (const el of document.querySelectorAll("main a[href], main button, main summary")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (folded away, or hidden on a phone)
    if (box.width < 24 || box.height < 24) {
      problems.push(`${el.tagName} "${el.textContent.trim().slice(0, 40)}" is ${box.width}x${box.height}`);
    }
  }
  return problems;
}"""


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": PHONE}


@pytest.fixture
def busy_unit(unit_a, unit_b, magelang):
    """Rejowinangun Utara as a coordinator finds it: a dozen PSM (some with long names), a board whose
    secretary's term is ending, PMKS figures in all 26 categories."""
    names = [
        "Raden Ajeng Sri Wahyuningsih Kusumawardhani",
        "Muhammad Abdurrahman Prasetyo Nugroho",
        "Siti Aminah",
        "Budi Santoso",
    ]
    members = [factories.MemberFactory(unit=unit_a, full_name=name) for name in names]
    members += factories.MemberFactory.create_batch(8, unit=unit_a)
    # Named: a factory name depends on how many members the worker made before, and "Endang ..." would
    # match the journey's search for the candidate it adds.
    factories.MemberFactory(unit=unit_a, status=MemberStatus.CALON, full_name="Wahyu Hidayat")
    factories.MemberFactory.create_batch(3, unit=unit_b)
    today = datetime.date.today()
    factories.BoardPositionFactory(member=members[0], role=BoardRole.KETUA)
    factories.BoardPositionFactory(
        member=members[1],
        role=BoardRole.SEKRETARIS,
        term_starts_on=today - datetime.timedelta(days=1800),
        term_ends_on=today + datetime.timedelta(days=30),
    )
    for category in PmksCategory.objects.all():
        factories.PmksCountFactory(kelurahan=magelang["rejowinangun_utara"], category=category, count=12)
    factories.UnitFactory(region=magelang["magersari"])
    return unit_a


def _problems(page) -> list[str]:
    return page.evaluate(PAGE_PROBLEMS)


def test_coordinator_pages_fit_a_phone(log_in, live_server, coordinator, busy_unit):
    page = log_in(coordinator)
    member = busy_unit.members.order_by("pk").first()
    position = busy_unit.board.first()
    found = {}
    for path in [
        f"/unit/{busy_unit.pk}/",
        "/anggota/",
        "/anggota/?status=aktif&urut=-full_name",
        "/unit/",
        "/anggota/tambah/",
        f"/unit/{busy_unit.pk}/anggota/tambah/",
        f"/anggota/{member.pk}/status/",
        f"/pengurus/{position.pk}/akhiri/",
        f"/unit/{busy_unit.pk}/pengurus/tambah/",
        f"/wilayah/{busy_unit.region_id}/",
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main h1")).to_be_visible()
        if problems := _problems(page):
            found[path] = problems
    # The status change's confirmation step, and the unit page with its PMKS detail unfolded.
    page.goto(f"{live_server.url}/anggota/{member.pk}/status/")
    page.select_option("#id_new_status", "nonaktif")
    page.select_option("#id_reason", "pindah_domisili")
    page.locator("main").get_by_role("button", name="Simpan").click()
    expect(page.locator("#deactivation-confirm")).to_be_visible()
    found["status: confirmation step"] = _problems(page)
    page.goto(f"{live_server.url}/unit/{busy_unit.pk}/")
    page.locator("#unit-pmks-details summary").click()
    page.locator("#unit-psm-loads-details summary").click()
    expect(page.locator("#unit-pmks-categories")).to_be_visible()
    found["unit page, unfolded"] = _problems(page)
    assert not {path: problems for path, problems in found.items() if problems}


def test_staff_lists_fit_a_phone(log_in, live_server, staff, busy_unit, unit_b):
    factories.MemberFactory.create_batch(60, unit=unit_b)  # pages of 25: the page numbers show
    page = log_in(staff)
    found = {}
    for path in [
        "/anggota/",
        "/anggota/?kecamatan=33.71.03",
        "/unit/",
        "/anggota/tambah/",
        "/wilayah/33.71/",
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main h1")).to_be_visible()
        found[path] = _problems(page)
    assert not {path: problems for path, problems in found.items() if problems}


def test_the_coordinators_home_starts_with_the_roster(log_in, live_server, coordinator, busy_unit):
    page = log_in(coordinator)  # a coordinator lands on their unit
    expect(page.locator("h1")).to_contain_text("Rejowinangun Utara")
    for selector in ("#add-member-link", "#roster-heading", "#confirm-roster"):
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], f"{selector} is below the first screen: {box}"
    assert page.locator("#roster").bounding_box()["y"] < PHONE["height"]
    expect(page.locator("#confirm-roster")).to_have_text("Konfirmasi daftar anggota sudah diperiksa")
    # The PMKS detail is folded away; the board's "Akhiri" is on the screen's width.
    expect(page.locator("#unit-pmks-categories")).to_be_hidden()
    end = page.locator("#board").get_by_role("link", name="Akhiri").first
    end.scroll_into_view_if_needed()
    box = end.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def _expected_birth(day: int, month: int, yy: int) -> str:
    year = 2000 + yy
    if year > datetime.date.today().year - MIN_AGE_AT_JOINING:
        year -= 100
    return f"{year}-{month:02d}-{day:02d}"


def test_the_nik_fills_sex_and_date_of_birth(log_in, live_server, coordinator, unit_a):
    page = log_in(coordinator)
    page.goto(f"{live_server.url}/anggota/tambah/")
    nik, sex, birth = page.locator("#id_nik"), page.locator("#id_sex"), page.locator("#id_birth_date")
    nik.press_sequentially("3371 0345 0490 0001")  # a woman (day 05 + 40) born 05/04/1990
    expect(sex).to_have_value("P")
    expect(birth).to_have_value("1990-04-05")
    expect(page.locator("#nik-reading")).to_have_text("Menurut NIK ini: perempuan, lahir 05/04/1990.")

    nik.fill("3371.0312.0805.0002")  # corrected: a man born 12/08/?05; the fields it filled follow it
    expect(sex).to_have_value("L")
    expect(birth).to_have_value(_expected_birth(12, 8, 5))
    nik.fill("3371 0312 0870 0002")
    expect(birth).to_have_value(_expected_birth(12, 8, 70))  # 1970: a child cannot be a PSM

    birth.fill("1970-08-13")  # typed by hand: the NIK no longer overwrites it
    nik.fill("3371 0314 0870 0002")
    expect(birth).to_have_value("1970-08-13")
    expect(page.locator("#nik-reading")).to_contain_text("14/08/1970")  # what the NIK says, to compare

    nik.fill("3371 0399 1370 0002")  # not a date: nothing is filled, nothing is claimed
    expect(page.locator("#nik-reading")).to_have_text("")
    expect(sex).to_have_value("L")


def test_coordinator_adds_a_member_found_through_the_list_and_checks_the_roster(
    log_in, live_server, coordinator, busy_unit
):
    page = log_in(coordinator)
    page.goto(f"{live_server.url}/anggota/")
    page.get_by_role("link", name="Tambah anggota").click()

    expect(page.locator("#id_unit")).to_be_disabled()  # their own unit, preset
    expect(page.locator("#id_unit")).to_have_value(str(busy_unit.pk))
    birth = datetime.date(1984, 7, 21)
    nik = build_nik(region_code="33.71.03", birth_date=birth, is_female=True, serial=77)
    page.locator("#id_nik").press_sequentially(nik)
    expect(page.locator("#id_sex")).to_have_value("P")  # filled from the NIK
    expect(page.locator("#id_birth_date")).to_have_value("1984-07-21")
    page.fill("#id_full_name", "Endang Sulistyowati")
    page.fill("#id_birth_place", "Magelang")
    page.fill("#id_address", "Jl. Tidar 12")
    page.fill("#id_phone", "0812 3456 7890")
    assert not _problems(page)
    page.locator("main").get_by_role("button", name="Simpan").click()

    expect(page.locator("h1")).to_contain_text("Endang Sulistyowati")
    member = Member.objects.get(full_name="Endang Sulistyowati")
    assert (member.unit, member.sex, member.birth_date) == (busy_unit, "P", birth)

    page.goto(f"{live_server.url}/anggota/")
    page.fill("#id_cari", "endang")
    page.keyboard.press("Enter")
    expect(page.locator("#member-table")).to_contain_text("Endang Sulistyowati")
    page.locator("#member-filter summary").click()
    page.select_option("#id_status", "calon")  # applies at once; the name typed stays
    expect(page.locator("#id_status")).to_have_value("calon")
    expect(page.locator("#id_cari")).to_have_value("endang")
    expect(page.locator("#member-table tbody tr")).to_have_count(1)
    expect(page.locator("#member-table")).to_contain_text("Endang Sulistyowati")
    assert not _problems(page)

    page.goto(f"{live_server.url}/")  # home: the unit page
    expect(page.locator("#roster")).to_contain_text("Endang Sulistyowati")
    expect(page.locator("#roster-last-check")).to_contain_text("belum pernah diperiksa")
    page.get_by_role("button", name="Konfirmasi daftar anggota sudah diperiksa").click()
    expect(page.locator(".alert-success")).to_contain_text("sudah diperiksa hari ini")
    today = datetime.date.today().strftime("%d/%m/%Y")
    expect(page.locator("#roster-last-check")).to_contain_text(f"{today} oleh koordinator-a")
    busy_unit.refresh_from_db()
    assert busy_unit.roster_confirmed_by == coordinator
