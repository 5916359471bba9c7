"""The pages under the Content Security Policy in real Chromium, which enforces it: no violation reported,
and the scripted parts (the coverage chart, htmx polling, Bootstrap) still work."""

import pytest
from playwright.sync_api import expect

from ipsm.models import ImportJob, ImportKind, ImportStatus
from tests import factories
from tests.trainings.conftest import make_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports each refusal on the console and as a securitypolicyviolation event.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def violations(page):
    """Gives the violations reported on the page shown now (and on the console since last asked)."""
    console = []
    page.add_init_script(LISTEN)
    page.on(
        "console", lambda message: console.append(message.text) if "Security Policy" in message.text else None
    )

    def collected() -> list[str]:
        found = console + page.evaluate("window.__cspViolations || []")
        console.clear()
        return found

    return collected


def test_staff_pages_run_under_the_policy_without_violations(
    log_in, live_server, violations, staff, member_a, magelang
):
    case = factories.CaseFactory(kelurahan=magelang["cacaban"])
    # The chart draws the kelurahan with PMKS figures.
    factories.PmksCountFactory(kelurahan=magelang["cacaban"], category=case.category, count=40)
    event = make_event(magelang["kota_magelang"], by=staff)
    job = ImportJob.objects.create(
        kind=ImportKind.MEMBERS,
        user=staff,
        file_name="roster.xlsx",
        content=b"",
        status=ImportStatus.CHECKING,
    )
    page = log_in(staff)
    found = {}
    pages = [
        "/",
        "/anggota/",
        f"/anggota/{member_a.pk}/",
        f"/anggota/{member_a.pk}/ubah/",
        f"/anggota/{member_a.pk}/kartu/",
        f"/unit/{member_a.unit_id}/",
        f"/kasus/{case.pk}/",
        "/pmks/33.71.03.1002/",
        f"/pelatihan/{event.pk}/",
        f"/pelatihan/{event.pk}/undang/",
        "/indikator/",
        "/impor/anggota/",
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        found[path] = violations()
    assert {path: problems for path, problems in found.items() if problems} == {}

    # The coverage chart is drawn by Chart.js (its sizes are set through element.style, which CSP allows).
    page.goto(f"{live_server.url}/cakupan/33.71/")
    chart = page.locator("#coverage-chart")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 50
    assert page.evaluate("Chart.getChart(document.getElementById('coverage-chart')) !== undefined")

    # htmx loads and polls the running import's progress without its inline indicator style.
    page.goto(f"{live_server.url}/impor/berkas/{job.pk}/")
    with page.expect_response(lambda response: "/progres/" in response.url):
        pass
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.locator("head style").count() == 0

    # Bootstrap's collapsible menu (narrow screen) still opens.
    page.set_viewport_size({"width": 500, "height": 800})
    page.goto(f"{live_server.url}/")
    page.locator(".navbar-toggler").click()
    expect(page.locator("#main-nav")).to_be_visible()
    assert violations() == []


def test_the_admin_runs_under_the_policy(log_in, live_server, violations, superuser, member_a):
    page = log_in(superuser)
    found = {}
    for path in ["/admin/", "/admin/members/member/", f"/admin/members/member/{member_a.pk}/change/"]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        found[path] = violations()
    assert {path: problems for path, problems in found.items() if problems} == {}
