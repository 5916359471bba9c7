"""Every page each demo role reaches, followed as that person would: no dead end, and WCAG 2.1 AA by axe-core.

One test loads the demo (Kota Magelang and Kabupaten Temanggung, every role) and then, for each demo account
and for a visitor who is not logged in:
1. crawls from the home page with Django's test client, following every link of every page (same site, GET),
   up to LINKS_PER_VIEW different URLs of each view: every link must open (no 403, 404 or 500: a link to a
   page the user may not open is a dead end too);
2. opens each view the crawl reached in Chromium, at desktop (1366x768) and phone (390x844) size, and runs
   axe-core (npm, node_modules/axe-core) with the WCAG 2.0/2.1 A and AA rules: no critical or serious
   violation, and at phone size the page does not scroll sideways (a table may scroll in its own box).

A view is checked in the browser once, by the first role that reaches it (the pages differ by role in data,
not in markup), except each role's home page. Set CRAWL_REPORT=<file> to write the figures (links followed,
dead links, violations by impact and by rule, page widths and heights) as JSON.
"""

import json
import os
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from members.regions import load_regions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# The field first: a view is checked in the browser by the first role here that reaches it.
ROLES = {
    "coordinator": "koordinator-rejowinangun-utara",
    "psm": "psm-rejowinangun-utara",
    "viewer": "pimpinan-magelang",
    "staff": "staf-magelang",
    "staff_temanggung": "staf-temanggung",
    "superuser": "admin",
    "anonymous": None,
}
# Different URLs of one view followed per role (another member's page adds nothing but time).
LINKS_PER_VIEW = 3
# The admin's own pages: its index, each list and one form of each are followed; the rest is Django's.
ADMIN_LINKS_PER_VIEW = 1
NOT_FOLLOWED = ("/static/", "/i18n/", "/keluar/")
# Print-outs keep their paper's width (A4) on any screen; they are checked by their layout in tests/printing.
PRINT_VIEWS = (
    "coverage_print",
    "members:unit_print",
    "members:card",
    "trainings:certificate",
    "psm:card",
    "psm:certificate",
)
# The admin's pages of one kind share Django's templates: each kind is checked at both sizes once, and every
# change and add form (their widgets differ by model) at desktop size.
ADMIN_FORMS = ("change", "add")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _links(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urlsplit(urljoin(base, href))
        if url.netloc not in ("", "testserver") or url.path.startswith(NOT_FOLLOWED):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def _view_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def crawl(client: Client) -> tuple[dict[str, str], list[tuple[str, str, int]], int]:
    """Follow every link from the home page. Returns {view: first URL seen} of the views that answered with a
    page (not a file), the dead links (from, to, status) and the number of links followed."""
    first_url: dict[str, str] = {}
    per_view: Counter = Counter()
    seen: set[str] = set()
    dead: list[tuple[str, str, int]] = []
    queue: list[tuple[str, str]] = [("", "/")]
    followed = 0
    while queue:
        source, url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        view = _view_name(url)
        limit = ADMIN_LINKS_PER_VIEW if (view or "").startswith("admin:") else LINKS_PER_VIEW
        if view is not None and per_view[view] >= limit:
            continue
        per_view[view or url] += 1
        followed += 1
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.insert(0, (source, response["Location"]))
            continue
        if response.status_code >= 400:
            dead.append((source, url, response.status_code))
            continue
        is_page = "text/html" in response.get("Content-Type", "") and not response.has_header(
            "Content-Disposition"
        )
        if view is None or not is_page:
            continue
        first_url.setdefault(view, url)
        html = response.content.decode()
        queue.extend((url, link) for link in _links(html, url) if link not in seen)
    return first_url, dead, followed


AFTER_REDRAW = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done())))"


def _axe(page) -> list[dict]:
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "target": v["nodes"][0]["target"]}
        for v in result["violations"]
    ]


def _sideways(page) -> int:
    """How far the page scrolls sideways (0 when it fits). Measured again after a moment when it does not
    fit: a chart may still be redrawing for the new width (a real overflow stays)."""
    measure = "document.documentElement.scrollWidth - window.innerWidth"
    if (overflow := page.evaluate(measure)) > 0:
        page.wait_for_timeout(500)
        overflow = page.evaluate(measure)
    return overflow


def _sizes_to_check(view: str, url: str, checked: set[str]) -> list[tuple[str, dict]]:
    """The sizes at which to check a view in the browser (none when an earlier one stands for it)."""
    both = [("desktop", DESKTOP), ("phone", PHONE)]
    if url == "/":  # each role's home
        return both
    if not view.startswith("admin:"):
        kind = view
    else:
        kind = "admin:" + view.rsplit("_", 1)[-1]
        if kind.removeprefix("admin:") in ADMIN_FORMS and view not in checked:
            checked.add(view)
            first_of_kind = kind not in checked
            checked.add(kind)
            return both if first_of_kind else both[:1]
    if kind in checked:
        return []
    checked.add(kind)
    return both


def test_every_page_of_every_role_opens_and_passes_axe(live_server, browser):
    load_regions(["33.71", "33.23"])
    with override_settings(DEBUG=True):  # the demo's published password: never in production
        call_command("load_demo", stdout=StringIO())
    users = get_user_model().objects

    started = time.perf_counter()
    report = {
        "links_followed": 0,
        "dead": [],
        "pages": {},
        "violations": Counter(),
        "rules": Counter(),
        "seconds": Counter(),
    }
    checked: set[str] = set()
    for role, username in ROLES.items():
        client = Client()
        if username:
            client.force_login(users.get(username=username))
        crawl_started = time.perf_counter()
        first_url, dead, followed = crawl(client)
        report["seconds"]["links"] += time.perf_counter() - crawl_started
        report["links_followed"] += followed
        report["dead"] += [(role, *link) for link in dead]

        # The browser: the views this role reached that no role before it has shown, and its home.
        context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta", bypass_csp=True)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
            if username
            else []
        )
        page = context.new_page()
        for view, url in sorted(first_url.items()):
            for number, (size_name, size) in enumerate(_sizes_to_check(view, url, checked)):
                page.set_viewport_size(size)
                if number == 0:  # the phone size follows without a reload: the page reflows, as when turned
                    page.goto(f"{live_server.url}{url}")
                    page.wait_for_load_state("load")
                    page.add_script_tag(path=str(AXE))
                else:  # let resize observers (Chart.js) and listeners redraw first
                    page.evaluate(AFTER_REDRAW)
                found = _axe(page)
                key = f"{role} {size_name} {url}"
                report["pages"][key] = {
                    "violations": found,
                    "sideways": _sideways(page) if size_name == "phone" and view not in PRINT_VIEWS else 0,
                    "height": page.evaluate("document.documentElement.scrollHeight"),
                }
                for violation in found:
                    report["violations"][violation["impact"]] += 1
                    report["rules"][f"{violation['impact']} {violation['id']}"] += 1
        context.close()
    report["seconds"]["all"] = time.perf_counter() - started

    if os.environ.get("CRAWL_REPORT"):
        Path(os.environ["CRAWL_REPORT"]).write_text(json.dumps(report, indent=1, default=list))

    assert report["dead"] == [], "links to pages that do not open (role, from, to, status)"
    blocking = defaultdict(list)
    for key, found in report["pages"].items():
        for violation in found["violations"]:
            if violation["impact"] in ("critical", "serious"):
                blocking[key].append(violation)
    assert dict(blocking) == {}, "critical or serious axe-core violations"
    wide = {key: found["sideways"] for key, found in report["pages"].items() if found["sideways"] > 0}
    assert wide == {}, "pages that scroll sideways on a 390 px phone (px too wide)"
