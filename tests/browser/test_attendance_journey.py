"""On a phone (390 x 844): staff take a training day's attendance, "Semua hadir" then the exceptions; and
every training page fits the phone: no sideways scroll, tap targets of at least 24 x 24 px, no serious axe
finding."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories
from tests.trainings.conftest import make_event
from trainings import services
from trainings.models import Attendance, AttendanceStatus, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"

# Every visible control in the page's main part that is smaller than 24 x 24 px and too close to another
# (WCAG 2.5.8: a 24 px circle centred on it must not touch another target or another such circle).
SMALL_TARGETS = """() => {
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, label.btn";
  const targets = [...document.querySelectorAll("main " + selector)].filter((el) => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.visibility !== "hidden" && style.pointerEvents !== "none" && box.width > 1 && box.height > 1;
  }).map((el) => ({el, box: el.getBoundingClientRect()}));
  const centre = (b) => [b.left + b.width / 2, b.top + b.height / 2];
  const small = (t) => t.box.width < 24 || t.box.height < 24;
  const distanceToBox = ([x, y], b) => Math.hypot(
    Math.max(b.left - x, 0, x - b.right), Math.max(b.top - y, 0, y - b.bottom));
  return targets.filter(small).filter((t) => targets.some((other) => {
    if (other === t) return false;
    const [x, y] = centre(t.box);
    if (small(other)) {
      const [ox, oy] = centre(other.box);
      return Math.hypot(x - ox, y - oy) < 24;
    }
    return distanceToBox([x, y], other.box) < 12;
  })).map((t) => `${Math.round(t.box.width)}x${Math.round(t.box.height)} ${t.el.outerHTML.slice(0, 120)}`);
}"""


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_staff_mark_a_training_day_everyone_present_with_one_exception(
    log_in, live_server, staff, unit_a, magelang, page
):
    start = datetime.date.today() - datetime.timedelta(days=1)
    event = make_event(
        magelang["kota_magelang"],
        by=staff,
        title="Bimtek Lanjutan Pendampingan Lansia",
        starts_on=start,
        ends_on=start + datetime.timedelta(days=1),
    )
    names = ["Budi Santoso", "Sri Wahyuningsih Purbaningrum", "Agus Wibowo"]
    members = [factories.MemberFactory(unit=unit_a, full_name=name) for name in names]
    services.invite_members(event=event, members=members, by=staff)
    budi = event.participants.get(member=members[0])
    page.set_viewport_size(PHONE)
    log_in(staff)

    page.goto(f"{live_server.url}{reverse('trainings:detail', args=[event.pk])}")
    page.click("#attendance-link")
    # The event runs: the page opens on today, its second day.
    expect(page.locator("#attendance-days [aria-current=page]")).to_contain_text("Hari 2")
    page.locator("#attendance-days").get_by_role("link", name="Hari 1").click()
    expect(page.locator("#day-title")).to_contain_text(f"{start.day}")
    assert _sideways(page) <= 0

    page.get_by_role("button", name="Semua hadir").click()
    expect(page.get_by_role("alert").first).to_contain_text("3 peserta ditandai hadir")
    budi_row = page.locator(f"#attendance-{budi.pk}")
    budi_row.get_by_text("Tidak hadir", exact=True).click()
    page.click("#attendance-save")
    expect(page.get_by_role("alert").first).to_contain_text("disimpan")

    page.reload()
    for member in members:
        row = page.locator(f"#attendance-{event.participants.get(member=member).pk}")
        expected = "Tidak hadir" if member == members[0] else "Hadir"
        expect(row.get_by_role("radio", name=expected, exact=True)).to_be_checked()
    expect(page.locator(f"#attendance-days [data-day='{start:%Y-%m-%d}']")).to_contain_text(
        "2 hadir, 0 belum dicatat"
    )
    assert _sideways(page) <= 0
    assert dict(
        Attendance.objects.filter(day=start).values_list("participant__member__full_name", "status")
    ) == {
        "Budi Santoso": AttendanceStatus.TIDAK_HADIR,
        "Sri Wahyuningsih Purbaningrum": AttendanceStatus.HADIR,
        "Agus Wibowo": AttendanceStatus.HADIR,
    }
    # The second day is still to take.
    assert not Attendance.objects.filter(day=start + datetime.timedelta(days=1)).exclude(status="diundang")


@pytest.fixture
def busy_event(staff, unit_a, magelang):
    """A five-day joint event with long names, a budget, sessions, scores, certificates and 30 more events."""
    event = make_event(
        magelang["kota_magelang"],
        magelang["temanggung"],
        by=staff,
        title="Bimtek Lanjutan Pendampingan Lanjut Usia dan Penyandang Disabilitas Angkatan III",
        venue="Aula Gedung Serbaguna Dinas Sosial Pengendalian Penduduk dan Keluarga Berencana",
        budget=Decimal("12500000"),
        starts_on=datetime.date(2024, 5, 6),
        ends_on=datetime.date(2024, 5, 10),
    )
    members = [
        factories.MemberFactory(unit=unit_a, full_name=name)
        for name in (
            "Sri Wahyuningsih Purbaningrum Hadiningrat",
            "Budi Santoso",
            "Agus Wibowo",
            "Siti Rahayu",
        )
    ]
    services.invite_members(event=event, members=members, by=staff)
    for day in event.days:
        services.mark_all_present(event=event, day=day)
    participant = event.participants.get(member=members[3])
    services.record_attendance(event=event, marks={(participant.pk, event.ends_on): AttendanceStatus.IZIN})
    services.record_scores(
        event=event, scores={p.pk: (Decimal("55.50"), Decimal("90")) for p in event.participants.all()}
    )
    services.issue_certificates(event=event)
    speaker = factories.SpeakerFactory(
        institution="Balai Besar Pendidikan dan Pelatihan Kesejahteraan Sosial"
    )
    for _day in event.days:
        factories.SessionFactory(event=event, speaker=speaker, title="Pendampingan kasus lansia terlantar")
    for n in range(30):
        make_event(magelang["kota_magelang"], by=staff, title=f"Sosialisasi Data PMKS Kelurahan {n}")
    return event


def test_every_training_page_fits_a_phone(live_server, browser, staff, busy_event):
    event = busy_event
    session = Session.objects.filter(event=event).first()
    pages = {
        "list": reverse("trainings:list"),
        "list, page 2": reverse("trainings:list") + "?halaman=2",
        "detail": reverse("trainings:detail", args=[event.pk]),
        "create": reverse("trainings:create"),
        "edit": reverse("trainings:edit", args=[event.pk]),
        "invite": reverse("trainings:invite", args=[event.pk]),
        "attendance": reverse("trainings:attendance", args=[event.pk]) + "?hari=2024-05-10",
        "scores": reverse("trainings:scores", args=[event.pk]),
        "history": reverse("trainings:history", args=[event.pk]),
        "certificates": reverse("trainings:issue_certificates", args=[event.pk]),
    }
    assert session is not None
    factories.MemberFactory.create_batch(3, unit=event.participants.first().member.unit)  # to invite
    client = Client()
    client.force_login(staff)
    context = browser.new_context(
        viewport=PHONE,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
        bypass_csp=True,  # axe is injected
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    # The check sees what it looks for: two 16 px buttons side by side are too small and too close.
    page.goto(f"{live_server.url}{pages['detail']}")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("afterbegin",
        '<button class="probe p-0 border-0" style="width:16px;height:16px"></button>'.repeat(2))"""
    )
    assert len(page.evaluate(SMALL_TARGETS)) == 2
    problems = {}
    for name, url in pages.items():
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("load")
        found = []
        if (wide := _sideways(page)) > 0:
            found.append(f"scrolls sideways by {wide} px")
        found += [f"small target: {target}" for target in page.evaluate(SMALL_TARGETS)]
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
            "'wcag21aa']}, resultTypes: ['violations']})"
        )
        found += [
            f"axe {violation['id']}: {violation['nodes'][0]['target']}"
            for violation in result["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        if found:
            problems[name] = found
    # Between phone and desktop the participants stay a table, five days wide: it scrolls in its own box,
    # and says so; on the phone (cards) and on a desktop (room enough) the hint stays hidden.
    for width, scrolls in ((390, False), (640, True), (1366, False)):
        page.set_viewport_size({"width": width, "height": 844})
        page.goto(f"{live_server.url}{pages['detail']}")
        page.wait_for_load_state("load")
        hint = page.locator("[data-scroll-hint=participants]")
        (expect(hint).to_be_visible if scrolls else expect(hint).to_be_hidden)()
        assert _sideways(page) <= 0
    context.close()
    assert problems == {}
