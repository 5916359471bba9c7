"""Content Security Policy: the header on every page, and no inline script, style or event handler in our
templates or in the pages they render (which include crispy-forms and django-tables2 templates)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from ipsm.models import ImportJob, ImportKind, ImportStatus
from tests import factories
from tests.trainings.conftest import make_event

# What a policy without 'unsafe-inline' refuses, as it appears in HTML.
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"<[a-z][^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def inline_code(html: str) -> list[str]:
    return [
        f"{kind}: {match.group(0)[:80]}"
        for kind, pattern in INLINE.items()
        for match in pattern.finditer(html)
    ]


def template_files() -> list[Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [
        Path(settings.BASE_DIR) / app / "templates" for app in ("members", "cases", "trainings", "ipsm")
    ]
    return sorted(path for root in roots if root.is_dir() for path in root.rglob("*.html"))


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_the_scan_finds_what_it_looks_for():
    found = inline_code(
        '<script>alert(1)</script><script src="/a.js"></script><style>p{}</style><p style="color:red">'
        '<a onclick="x()" href="javascript:void(0)"><div hx-on:click="y()">'
    )
    assert [problem.split(":")[0] for problem in found] == [
        "inline script", "style element", "style attribute", "event handler attribute",
        "event handler attribute", "javascript",
    ]  # fmt: skip
    assert not inline_code('<script src="/static/js/app.js" defer></script><p class="one">on=</p>')


def test_no_template_has_inline_script_style_or_handler():
    files = template_files()
    assert len(files) > 50
    problems = {str(path): inline_code(path.read_text()) for path in files}
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_policy_allows_only_our_own_files(client):
    directives = policy(client.get(reverse("login")))
    assert directives == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }


def test_htmx_is_told_not_to_add_its_indicator_style():
    for path in template_files():
        text = path.read_text()
        if "htmx.min.js" in text:
            assert text.index('"includeIndicatorStyles":false') < text.index("htmx.min.js"), path


@pytest.fixture
def pages(staff, member_a, magelang):
    case = factories.CaseFactory(kelurahan=magelang["cacaban"])
    event = make_event(magelang["kota_magelang"], by=staff)
    job = ImportJob.objects.create(
        kind=ImportKind.MEMBERS,
        user=staff,
        file_name="roster.xlsx",
        content=b"",
        status=ImportStatus.CHECKING,
    )
    return [
        reverse("home"),
        reverse("members:list"),
        reverse("members:detail", args=[member_a.pk]),
        reverse("members:edit", args=[member_a.pk]),
        reverse("members:unit_detail", args=[member_a.unit_id]),
        reverse("members:card", args=[member_a.pk]),
        reverse("coverage", args=["33.71"]),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:edit", args=[case.pk]),
        reverse("trainings:detail", args=[event.pk]),
        reverse("imports:start", args=["anggota"]),
        reverse("imports:job", args=[job.pk]),  # still running: the page loads htmx and polls
        reverse("activity"),
    ]


def test_pages_carry_the_policy_and_no_inline_code(as_user, staff, pages):
    client = as_user(staff)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], url
        assert policy(response)["script-src"] == ["'self'"], url
        assert inline_code(response.content.decode()) == [], url


def test_the_login_page_and_the_outage_page_carry_it_too(client, monkeypatch, staff):
    assert "Content-Security-Policy" in client.get(reverse("login"))

    def database_gone(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("members.views.registry.MemberTable", database_gone)
    browser = Client(raise_request_exception=False)
    browser.force_login(staff)
    response = browser.get(reverse("members:list"))
    assert response.status_code == 503
    assert policy(response)["script-src"] == ["'self'"]
    assert inline_code(response.content.decode()) == []
