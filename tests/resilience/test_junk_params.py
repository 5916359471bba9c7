"""Junk in a query string or a URL path never gives a server error (a security finding: `%00` in a region
filter, `per_page=-1`, `year=-1` or a 20-digit year each gave a 500, and `per_page=5000` bypassed the page
sizes offered).

Every URL of the project that answers a GET is listed in PAGES (a new one fails test_every_get_url_is_listed
until it is). Each page is opened once per role without a query; where the role has access, each parameter
of the page gets each value of JUNK, one at a time. A page's parameters are those PAGES declares (what its
view, filter and table read: `page`, `per_page`, `sort`, `periode`, ...) together with those the page itself
offers: the fields of its GET forms and the query keys of its links to itself, read from the HTML, so that a
new filter field is fed junk without anyone listing it. Export pages take the parameters of their list page.
Path parameters that take any text (`<str:code>`, `<str:fmt>`, `<str:token>`) get JUNK_PATH.

Anything below 500 is an answer (the page's default, a message, 400 or 404); every (url, parameter, value)
that gave 500 or raised is listed in the failure.
"""

import datetime
import logging
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases import reports as monthly_reports
from cases import services as case_services
from cases.models import CoverageTarget, PmksCategory
from ipsm.lib.documents import clean_document
from ipsm.models import ExportLog, ImportJob, ImportStatus
from members import accounts, legality, meetings, office, partners, programmes
from members.models import Meeting, Partner, ProgrammeActivity
from members.verification import card_token
from tests import factories
from tests.printing.conftest import make_office_profile
from tests.printing.pictures import phone_photo, upload
from tests.trainings.conftest import make_event, mark_all
from trainings import services as training_services

# One at a time in every parameter. NUL and other C0 controls reach PostgreSQL as a 500 unless refused;
# -1, 0 and 20 digits overflow pages, dates and integer columns; non-ASCII digits pass str.isdigit() and \d;
# 5,000 characters are past any field's length; the rest are quoting and LIKE characters, and years or
# periods out of range.
JUNK = (
    "33.71\x00",
    "-1",
    "0",
    "99999999999999999999",
    "x" * 5000,
    "٣",
    "٢٠٢٤",
    "%",
    "'\"\\",
    "2099",
    "0000",
    "9999-12-31",
)
JUNK_PATH = ("\x00", "33.71\x00", "-1", "99999999999999999999", "٣٣.٧١", "x" * 500, "%", "'\"")
# Staff and a coordinator: their scopes take different paths through the filters (a kab/kota, one unit); a
# read-only viewer's pages parse their parameters as staff's do.
ROLES = ("staff", "coordinator")
# The national and province pages read another source (the coverage snapshot), for superusers.
WITH_SUPERUSER = (*ROLES, "superuser")

GUARD = "ipsm.middleware.RefuseControlCharactersMiddleware"
# Path parameters that take any text (<str:...>); <int:pk> and <slug:...> refuse junk in the resolver.
TEXT_PATH_PARAMETERS = ("code", "fmt", "token")

# What a parameter of the paginated lists is called (django-tables2 and our Paginator pages).
LIST = ("halaman", "per_halaman", "urut")


@dataclass(frozen=True)
class Page:
    """A URL to feed junk. `kwargs`: "pk=case fmt=xlsx", each value a key of the data set or a literal;
    `params`: the parameters its view reads beyond those its page shows; `same_as`: a list page whose
    parameters an export takes; `roles`: who opens it (default ROLES)."""

    kwargs: str = ""
    params: tuple[str, ...] = ()
    same_as: str = ""
    roles: tuple[str, ...] = ROLES


MEMBER_LIST = ("cari", "kecamatan", "kelurahan", "unit", "status", "jenis_kelamin", "digabung", *LIST)
CASE_LIST = ("cari", "status", "kategori", "kecamatan", "kelurahan", "tanpa_psm", "wilayah", *LIST)
EVENT_LIST = ("cari", "jenis", "tahun", *LIST)
DASHBOARD = ("periode", "urut", "halaman")

# fmt: off
PAGES: dict[str, Page | tuple[Page, ...]] = {
    # Dashboard, reports and print views
    "home": Page(params=DASHBOARD, roles=WITH_SUPERUSER),
    "coverage": (
        Page(kwargs="code=kabkota", params=DASHBOARD),
        Page(kwargs="code=kecamatan", params=DASHBOARD),
        Page(kwargs="code=province", params=DASHBOARD, roles=("superuser",)),
    ),
    "coverage_without_psm": Page(kwargs="code=kabkota", params=DASHBOARD),
    "reporting": Page(params=("bulan", "halaman"), roles=WITH_SUPERUSER),
    "reporting_region": (
        Page(kwargs="code=kabkota", params=("bulan", "halaman")),
        Page(kwargs="code=kecamatan", params=("bulan",)),
        Page(kwargs="code=province", params=("bulan",), roles=("superuser",)),
    ),
    "reporting_export_nation": Page(kwargs="fmt=xlsx", params=("bulan",)),
    "reporting_export": Page(kwargs="code=kabkota fmt=xlsx", params=("bulan",)),
    "coverage_print": Page(kwargs="code=kelurahan_a", params=("periode",)),
    "activity": Page(params=("pengguna", "jenis", "dari", "sampai", "halaman")),
    "trainings:indicators": Page(params=("wilayah", "periode", "hitung_ulang"), roles=WITH_SUPERUSER),
    "trainings:indicator_export": Page(kwargs="fmt=xlsx", same_as="trainings:indicators"),
    "trainings:indicator_trend": Page(same_as="trainings:indicators"),
    "trainings:indicator_targets": Page(kwargs="code=kabkota year=2025"),
    "trainings:lkjip_export": Page(kwargs="code=kabkota year=2025 fmt=xlsx"),
    "cases:pmks_grid": Page(kwargs="code=kelurahan_a", params=("periode",)),
    "cases:pmks_export": Page(kwargs="code=kelurahan_a fmt=xlsx", params=("periode",)),
    "cases:targets": Page(kwargs="code=kabkota"),
    "members:region": Page(kwargs="code=kabkota"),
    "members:unit_print": Page(kwargs="pk=unit_a", params=("kertas",)),
    "members:card": Page(kwargs="pk=member_a", params=("kertas",)),
    "members:photo": Page(kwargs="pk=member_a"),
    "members:office": Page(kwargs="code=kabkota"),
    "members:office_logo": Page(kwargs="code=kabkota"),
    "trainings:certificate_logo": Page(kwargs="pk=participant"),
    # Lists and their exports
    "members:list": Page(params=MEMBER_LIST),
    "members:export": Page(kwargs="fmt=xlsx", same_as="members:list"),
    "members:unit_list": Page(params=("cari", "kecamatan", "perlu_perhatian", *LIST)),
    "members:unit_export": Page(kwargs="fmt=xlsx", same_as="members:unit_list"),
    "members:duplicates": Page(params=("wilayah", "halaman")),
    "cases:list": Page(params=CASE_LIST),
    "cases:summary_export": Page(kwargs="fmt=xlsx", same_as="cases:list"),
    "trainings:list": Page(params=EVENT_LIST),
    "trainings:export": Page(kwargs="fmt=xlsx", same_as="trainings:list"),
    "trainings:invite": Page(
        kwargs="pk=event", params=("cari", "kecamatan", "kelurahan", "belum_dilatih", "halaman")
    ),
    "exports:coverage": Page(kwargs="code=kabkota fmt=xlsx", params=("periode", "urut")),
    "exports:log": Page(params=("pengguna", "daftar", "format", "dari", "sampai", "halaman")),
    # --- Meetings
    "meetings:unit_list": Page(kwargs="pk=unit_a"),
    "meetings:unit_create": Page(kwargs="pk=unit_a"),
    "meetings:region_list": (Page(kwargs="code=kabkota"), Page(kwargs="code=kecamatan")),
    "meetings:region_create": Page(kwargs="code=kecamatan"),
    "meetings:detail": Page(kwargs="pk=meeting_a"),
    "meetings:edit": Page(kwargs="pk=meeting_a"),
    "meetings:attendance": Page(kwargs="pk=meeting_a"),
    "meetings:decisions": Page(kwargs="pk=meeting_a"),
    "meetings:attachment_add": Page(kwargs="pk=meeting_a"),
    "meetings:attachment": Page(kwargs="pk=attachment_a"),
    # --- end of meetings
    # --- Legality
    "legality:region": Page(kwargs="code=kabkota", params=("daftar", "halaman"), roles=WITH_SUPERUSER),
    "legality:export": (
        Page(kwargs="code=kabkota daftar=psm fmt=xlsx", same_as="legality:region"),
        Page(kwargs="code=kabkota daftar=usia fmt=csv", same_as="legality:region"),
    ),
    "legality:unit_sk_upload": Page(kwargs="pk=unit_a"),
    "legality:unit_sk_file": Page(kwargs="pk=unit_a"),
    "legality:member_sk_upload": Page(kwargs="pk=member_a"),
    "legality:member_sk_file": Page(kwargs="pk=member_a"),
    "legality:decree_add": Page(kwargs="pk=unit_a"),
    "legality:decree_file": Page(kwargs="pk=decree_a"),
    # --- end of legality
    # --- Partners
    "partners:list": Page(params=("cari", "sektor", "segera_habis", "kecamatan")),
    "partners:export": Page(kwargs="fmt=xlsx", same_as="partners:list"),
    "partners:contribution_export": Page(kwargs="fmt=csv", same_as="partners:list"),
    "partners:create": Page(roles=WITH_SUPERUSER),
    "partners:detail": Page(kwargs="pk=partner_a"),
    "partners:edit": Page(kwargs="pk=partner_a"),
    "partners:contribution_add": Page(kwargs="pk=partner_a"),
    "partners:contribution": Page(kwargs="pk=contribution_a"),
    "partners:contribution_delete": Page(kwargs="pk=contribution_a"),
    # --- end of partners
    # --- Work programmes
    "programmes:unit_current": Page(kwargs="pk=unit_a"),
    "programmes:unit": Page(kwargs="pk=unit_a year=2026"),
    "programmes:activity_add": Page(kwargs="pk=programme_a"),
    "programmes:activity": Page(kwargs="pk=activity_a"),
    "programmes:activity_edit": Page(kwargs="pk=activity_a"),
    "programmes:region": (
        Page(kwargs="code=kabkota", params=("tahun",), roles=WITH_SUPERUSER),
        Page(kwargs="code=kecamatan", params=("tahun",)),
    ),
    "programmes:region_export": Page(kwargs="code=kabkota fmt=csv", params=("tahun",)),
    # --- end of work programmes
    "imports:start": (
        Page(kwargs="kind_slug=anggota", params=("kegiatan",)),
        Page(kwargs="kind_slug=peserta", params=("kegiatan",)),
    ),
    "imports:job": Page(kwargs="pk=import_job", params=("tampil", "halaman")),
    # Pages of one object and forms: what their own GET forms send (the case page's PSM search `cari_psm`)
    "cases:detail": Page(kwargs="pk=case", params=("cari_psm",)),
    "cases:create": Page(),
    "cases:edit": Page(kwargs="pk=case"),
    "cases:history": Page(kwargs="pk=case"),
    "members:detail": Page(kwargs="pk=member_a"),
    "members:edit": Page(kwargs="pk=member_a"),
    "members:status": Page(kwargs="pk=member_a"),
    "members:transfer": Page(kwargs="pk=member_a"),
    "members:merge": Page(kwargs="a=member_a b=member_a2"),
    "members:unit_detail": Page(kwargs="pk=unit_a"),
    "members:unit_create": Page(),
    "members:unit_edit": Page(kwargs="pk=unit_a"),
    "members:create": Page(kwargs="unit_pk=unit_a"),
    "members:add": Page(params=("unit",)),
    "members:board_add": Page(kwargs="unit_pk=unit_a", params=("rapat",)),  # ?rapat=: from a musyawarah
    "members:board_end": Page(kwargs="pk=position_a"),
    "members:restore": Page(kwargs="pk=member_a history_id=member_a_version"),
    "trainings:detail": Page(kwargs="pk=event"),
    "trainings:create": Page(),
    "trainings:edit": Page(kwargs="pk=event"),
    "trainings:history": Page(kwargs="pk=event"),
    "trainings:session_add": Page(kwargs="pk=event"),
    "trainings:attendance": Page(kwargs="pk=event", params=("hari",)),
    "trainings:scores": Page(kwargs="pk=event"),
    "trainings:issue_certificates": Page(kwargs="pk=event"),
    "trainings:participant_export": Page(kwargs="pk=event fmt=xlsx"),
    "trainings:certificate": Page(kwargs="pk=participant"),
    "imports:template": Page(kwargs="kind_slug=anggota"),
    "imports:progress": Page(kwargs="pk=import_job"),
    "notices:list": Page(params=("halaman",), roles=WITH_SUPERUSER),
    "notices:bell": Page(roles=WITH_SUPERUSER),
    # Public pages
    "login": Page(params=("next",), roles=("anonymous",)),
    "members:verify": Page(kwargs="token=card_token", roles=("anonymous",)),
    "psm:activate": Page(kwargs="token=activation_token", roles=("anonymous",)),
    # A PSM's own pages (their own account opens them, no one else)
    "psm:home": Page(roles=("psm",)),
    "psm:edit": Page(roles=("psm",)),
    "psm:cases": Page(roles=("psm",)),
    "psm:case": Page(kwargs="pk=case_psm", roles=("psm",)),
    "psm:card": Page(params=("kertas",), roles=("psm",)),
    "psm:card_logo": Page(roles=("psm",)),
    "psm:photo": Page(roles=("psm",)),
    "psm:certificate": Page(kwargs="pk=participant", roles=("psm",)),
    "psm:certificate_logo": Page(kwargs="pk=participant", roles=("psm",)),
    "cases:unit_reports": Page(kwargs="pk=unit_a", params=("bulan",)),
    "cases:report": Page(kwargs="pk=monthly_report"),
    "cases:report_photo": Page(kwargs="pk=report_photo"),
    "psm:report_photo": Page(kwargs="pk=report_photo", roles=("psm",)),
    "cases:report_paper": Page(kwargs="pk=member_a month=2026-03"),
    "psm:reports": Page(roles=("psm",)),
    "psm:report": Page(kwargs="month=2026-01", roles=("psm",)),
}
# fmt: on

# URLs left out, and why.
SKIPPED = {
    "logout": "POST only",
    "members:search": "POST only",
    "members:dismiss_duplicate": "POST only",
    "members:unit_confirm_roster": "POST only",
    "members:photo_upload": "POST only",
    "members:photo_remove": "POST only",
    "members:account_invite": "POST only",
    "cases:status": "POST only",
    "cases:report_approve": "POST only",
    "cases:report_return": "POST only",
    "cases:assign": "POST only",
    "cases:activity": "POST only",
    "cases:referral": "POST only",
    "cases:referral_outcome": "POST only",
    "cases:contribution": "POST only",
    "trainings:contribution": "POST only",
    "meetings:decision_remove": "POST only",
    "meetings:follow_up_done": "POST only",
    "meetings:follow_up_reopen": "POST only",
    "meetings:attachment_remove": "POST only",
    "programmes:start": "POST only",
    "programmes:adopted": "POST only",
    "programmes:activity_remove": "POST only",
    "programmes:realise": "POST only",
    "programmes:unrealise": "POST only",
    "trainings:invitation_answer": "POST only",
    "trainings:session_delete": "POST only",
    "trainings:attendance_all_present": "POST only",
    "imports:confirm": "POST only",
    "notices:read": "POST only",
    "notices:read_all": "POST only",
    "set_language": "Django's language switcher (POST)",
}
SKIPPED_NAMESPACES = {"admin": "Django's admin (its own forms and permissions, tests/test_admin.py)"}


def _walk(patterns, namespace: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner.strip(":"))
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace, f"{namespace}:{entry.name}" if namespace else entry.name


def _url_names() -> list[str]:
    return [
        name
        for namespace, name in _walk(get_resolver().url_patterns)
        if namespace.split(":")[0] not in SKIPPED_NAMESPACES
    ]


def test_every_get_url_is_listed():
    names = _url_names()
    missing = [name for name in names if name not in PAGES and name not in SKIPPED]
    stale = [name for name in [*PAGES, *SKIPPED] if name not in names]
    assert not missing, f"list these URLs in PAGES (or SKIPPED, with the reason): {missing}"
    assert not stale, f"PAGES or SKIPPED name URLs that no longer exist: {stale}"


# --- The data set ---------------------------------------------------------------------------------------


@pytest.fixture
def world(magelang, unit_a, unit_b, member_a, staff, viewer, coordinator, superuser) -> dict:
    """Rows on every page: members, a case with a referral, PMKS counts, a target, an event with a
    certified participant, an import job and an export log entry, all in unit A (Kota Magelang)."""
    member_a2 = factories.MemberFactory(unit=unit_a)
    factories.MemberFactory(unit=unit_b)
    position_a = factories.BoardPositionFactory(member=member_a)
    make_office_profile(magelang["kota_magelang"], by=staff)  # with its logo
    office.set_member_photo(member=member_a, image=office.clean_photo(upload(phone_photo())), by=staff)
    kelurahan = magelang["rejowinangun_utara"]
    case = factories.CaseFactory(kelurahan=kelurahan, created_by=staff)
    case_services.refer_case(
        case=case,
        institution_type="puskesmas",
        institution_name="Puskesmas Magelang Tengah",
        referred_on=case.reported_on,
        by=staff,
    )
    for category in PmksCategory.objects.filter(number__in=[1, 24]):
        factories.PmksCountFactory(kelurahan=kelurahan, category=category)
        factories.PmksCountFactory(kelurahan=kelurahan, category=category, year=2023, semester=1)
    CoverageTarget.objects.create(region=magelang["kota_magelang"], min_active_psm=5, max_pmks_per_psm=50)
    event = make_event(magelang["kota_magelang"], by=staff, starts_on=datetime.date(2024, 5, 6))
    training_services.invite_members(event=event, members=[member_a], by=staff)
    participant = mark_all(event, member_a)
    training_services.issue_certificates(event=event)
    job = ImportJob.objects.create(
        kind="members", user=staff, file_name="roster.xlsx", content=b"", status=ImportStatus.CHECKED
    )
    ExportLog.objects.create(user=staff, list_name="members", file_format="xlsx", row_count=2)
    psm = factories.UserFactory()
    factories.AssignmentFactory(user=psm, member=member_a)  # with a photo and a certificate
    case_psm = factories.CaseFactory(kelurahan=kelurahan, psm=member_a, created_by=staff)
    _invitation, activation_token = accounts.invite_member(member=member_a2, by=staff)
    monthly_report = monthly_reports.start_report(member=member_a, month=datetime.date(2026, 2, 1), by=psm)
    evidence = monthly_reports.clean_report_photo(upload(phone_photo()))
    report_photo = monthly_reports.add_report_photo(report=monthly_report, image=evidence, by=psm)
    # --- Partners: one of Kota Magelang serving unit A's kecamatan.
    partner_a = Partner.objects.create(region=magelang["kota_magelang"], name="PT Sido Rukun", sector="lks")
    partner_a.kecamatan_served.set([magelang["magelang_tengah"]])
    contribution_a = partners.record_contribution(
        partner=partner_a, kind="uang", value=500000, given_on=datetime.date(2026, 1, 5), purpose="Sembako",
        unit=unit_a, by=staff,
    )  # fmt: skip
    # --- Meetings: one of unit A with a follow-up and an attachment.
    meeting_a = Meeting(
        unit=unit_a, region=unit_a.region, kind="musyawarah", held_on=datetime.date(2026, 3, 5)
    )
    meeting_a.place, meeting_a.agenda = "Balai Kelurahan", "Pemilihan pengurus"
    meeting_a = meetings.create_meeting(meeting=meeting_a, by=coordinator)
    meetings.add_follow_up(meeting=meeting_a, task="Data lansia", due_on=meeting_a.held_on, by=coordinator)
    scan = clean_document(upload(phone_photo()), max_bytes=settings.IMAGE_MAX_UPLOAD_BYTES)
    attachment_a = meetings.add_attachment(meeting=meeting_a, document=scan, title="Notulen", by=coordinator)
    # --- Legality: SK files of unit A and member A, a board SK of position A.
    legality.set_unit_sk_file(unit=unit_a, document=scan, by=staff)
    legality.set_member_sk_file(member=member_a, document=scan, by=staff)
    decree_a = legality.record_board_decree(
        unit=unit_a, number="400/1/2025", issued_on=datetime.date(2025, 1, 6), issuer="Lurah",
        positions=[position_a], document=scan, by=staff,
    )  # fmt: skip
    # --- Work programmes: unit A's of 2026 with one activity.
    programme_a = programmes.start_programme(unit=unit_a, year=2026, by=coordinator)
    activity_a = programmes.save_activity(
        activity=ProgrammeActivity(
            programme=programme_a, title="Sosialisasi", kind="sosialisasi", month=4, funding="swadaya"
        ),
        by=coordinator,
    )
    return {
        "users": {
            "anonymous": None,
            "staff": staff,
            "viewer": viewer,
            "coordinator": coordinator,
            "superuser": superuser,
            "psm": psm,
        },
        "member_a": member_a,
        "member_a2": member_a2,
        "member_a_version": member_a.history.earliest().history_id,
        "unit_a": unit_a,
        "position_a": position_a,
        "kelurahan_a": kelurahan.code,
        "kecamatan": magelang["magelang_tengah"].code,
        "kabkota": magelang["kota_magelang"].code,
        "province": magelang["jateng"].code,
        "card_token": card_token(member_a.pk),
        "case": case,
        "case_psm": case_psm,
        "activation_token": activation_token,
        "event": event,
        "participant": participant,
        "import_job": job,
        "monthly_report": monthly_report,
        "report_photo": report_photo,
        "meeting_a": meeting_a,
        "attachment_a": attachment_a,
        "partner_a": partner_a,
        "contribution_a": contribution_a,  # partners
        "decree_a": decree_a,  # legality
        "programme_a": programme_a,  # work programmes
        "activity_a": activity_a,
    }


@pytest.fixture(autouse=True)
def quiet_server_errors(caplog):
    """The failure lists every (url, parameter, value) with its exception; thousands of logged tracebacks
    would bury it."""
    caplog.set_level(logging.CRITICAL, logger="django.request")


# --- Requests -------------------------------------------------------------------------------------------


class _QueryNames(HTMLParser):
    """The parameters a page sends back to itself: fields of its GET forms, query keys of links to itself."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_get_form = (attrs.get("method") or "get").lower() == "get"
        elif tag in ("input", "select", "textarea") and self._in_get_form and attrs.get("name"):
            self.names.add(attrs["name"])
        elif tag == "a" and attrs.get("href"):
            parts = urlsplit(attrs["href"])
            if parts.query and parts.path in ("", self.path):
                self.names.update(parse_qs(parts.query, keep_blank_values=True))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_get_form = False


def _kwargs(page: Page, world: dict) -> dict:
    kwargs = {}
    for pair in page.kwargs.split():
        key, value = pair.split("=", 1)
        value = world.get(value, value)
        kwargs[key] = getattr(value, "pk", value)
    return kwargs


def _get(client: Client, url: str, query: dict | None = None) -> tuple[int | None, str, str]:
    """Status, body and error of one GET; in a savepoint rolled back, so that one failure (or an export's
    log row) does not spill into the next request."""
    full = f"{url}?{urlencode(query)}" if query else url
    try:
        with transaction.atomic():
            response = client.get(full)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001 (a crash is one more line of the report)
        return None, "", f"raised {type(error).__name__}: {str(error)[:200]}"
    is_html = response.get("Content-Type", "").startswith("text/html")
    return response.status_code, content.decode("utf-8", errors="replace") if is_html else "", ""


def _has_access(status: int | None, location: str) -> bool:
    return status is not None and status < 400 and not location.startswith(reverse("login"))


def _login(client: Client, world: dict, role: str) -> None:
    client.logout()
    if world["users"][role] is not None:
        client.force_login(world["users"][role])


def _page_params(client: Client, name: str, page: Page, world: dict) -> set[str]:
    """The parameters of `page`: declared, and offered by the page (as staff, who sees every filter)."""
    if page.same_as:
        list_page = PAGES[page.same_as]
        return _page_params(client, page.same_as, list_page, world) | set(page.params)
    url = reverse(name, kwargs=_kwargs(page, world))
    _login(client, world, page.roles[0])
    _status, body, _error = _get(client, url)
    parser = _QueryNames(url)
    parser.feed(body)
    return set(page.params) | parser.names - {"csrfmiddlewaretoken"}


def _pages():
    for name, pages in PAGES.items():
        for page in pages if isinstance(pages, tuple) else (pages,):
            yield pytest.param(name, page, id=f"{name}[{page.kwargs}]" if page.kwargs else name)


@pytest.fixture
def without_guard(settings):
    """Each page's own parsing, without the middleware that refuses control characters in any URL (which
    would answer the NUL values with 400 before a view reads them)."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != GUARD]


@pytest.mark.parametrize(("name", "page"), list(_pages()))
def test_junk_query_values_never_give_500(name, page, world, client, without_guard):
    url = reverse(name, kwargs=_kwargs(page, world))
    params = sorted(_page_params(client, name, page, world))
    failures, opened = [], []
    for role in page.roles:
        _login(client, world, role)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{url} as {role}, no query: {response.status_code}")
            continue
        if not _has_access(response.status_code, response.get("Location", "")):
            continue  # the role may not open the page: nothing of the query is read
        opened.append(role)
        for param in params:
            for value in JUNK:
                status, _body, error = _get(client, url, {param: value})
                if error or status >= 500:
                    failures.append(f"{url} as {role}: {param}={value[:30]!r}: {error or status}")
    assert opened, f"no role could open {url}: the test checked nothing"
    assert not failures, f"{len(failures)} junk values gave a server error:\n" + "\n".join(failures)


def _path_pages():
    for name, page in ((p.values[0], p.values[1]) for p in _pages()):
        for pair in page.kwargs.split():
            key = pair.split("=", 1)[0]
            if key in TEXT_PATH_PARAMETERS:
                yield pytest.param(name, page, key, id=f"{name}[{page.kwargs}]-{key}")


@pytest.mark.parametrize(("name", "page", "key"), list(_path_pages()))
def test_junk_in_url_path_never_gives_500(name, page, key, world, client):
    failures = []
    for role in page.roles:
        _login(client, world, role)
        for value in JUNK_PATH:
            url = reverse(name, kwargs={**_kwargs(page, world), key: value})
            status, _body, error = _get(client, url)
            if error or status >= 500:
                failures.append(f"{url[:80]} as {role}: {key}={value[:30]!r}: {error or status}")
    assert not failures, f"{len(failures)} junk path values gave a server error:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    "query",
    [{"kelurahan": "\x00"}, {"cari": "Budi\x1b"}, {"\x00": "1"}, {"periode": "2022\x7f"}],
    ids=["nul-value", "escape-value", "nul-name", "del-value"],
)
def test_guard_answers_400_to_control_characters_in_the_query(client, staff, query):
    client.force_login(staff)
    assert client.get(reverse("members:list"), query).status_code == 400


def test_guard_answers_400_to_control_characters_in_the_path(client, staff):
    client.force_login(staff)
    url = reverse("coverage", args=["33.71"])
    assert client.get(reverse("coverage", args=["33.71\x00"])).status_code == 400
    assert client.get(url, {"cari": "tab\tand newline\n"}).status_code == 400
    assert client.get(url, {"periode": "2022", "urut": "-name"}).status_code == 200


# The lists, their default page size and the sizes they offer.
LISTS = {
    "members:list": (25, 50, 100),
    "members:unit_list": (50,),
    "cases:list": (25,),
    "trainings:list": (25,),
}


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("asked", ["5000", "1", "-1", "0", "99999999999999999999", "٥٠"])
def test_page_size_is_one_of_those_offered(client, staff, name, asked):
    """?per_page=5000 used to bypass the sizes offered (django-tables2 reads it from the request itself)."""
    client.force_login(staff)
    response = client.get(reverse(name), {"per_halaman": asked})
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == LISTS[name][0]


def test_page_size_offered_is_kept(client, world):
    factories.MemberFactory.create_batch(60, unit=world["unit_a"])
    _login(client, world, "staff")
    response = client.get(reverse("members:list"), {"per_halaman": "50", "halaman": "2"})
    assert response.context["table"].paginator.per_page == 50
    assert response.context["table"].page.number == 2
    # A page past the last shows the last; what is not a page number (20 digits are past any) the first.
    response = client.get(reverse("members:list"), {"halaman": "999999"})
    assert response.context["table"].page.number == response.context["table"].paginator.num_pages == 3
    response = client.get(reverse("members:list"), {"halaman": "99999999999999999999"})
    assert response.context["table"].page.number == 1
