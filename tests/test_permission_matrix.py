"""The permission matrix: every URL of the project against every role, from ONE declared table.

The URL patterns are read from the resolver, so a new view with no rule in RULES fails the build (declare
who may use it), and so does a rule for a URL that no longer exists. For each pattern and each role the test
fills the URL from one small data set (all of it in unit A, Kelurahan Rejowinangun Utara, Kota Magelang),
sends a GET (and, where the rule says so, a POST with empty data) and compares what happened with the rule:

    ok      allowed: 200/204, a redirect elsewhere than the login page, or (POST only) 400 for a form that
            refused the empty data, which proves access was granted and validation reached
    login   302 to the login page with ?next= the page asked for (anonymous users)
    403     in the user's scope but not permitted (read-only users writing, roles without the permission)
    404     outside the user's scope: the object's existence is not revealed (members/access.py)
    405     wrong method (POST-only views)
    public  200 for anyone, by design (the card verification page opened by a QR code)

A role that may never use a kind of page (a coordinator and cases, a viewer and imports) gets 403 whatever
the object, so 403 reveals nothing either. Besides the status:
- a refused request must not write anything (a fingerprint of every table is compared);
- no response may show data the role may not see (a member of unit A to outsiders, a whole NIK to read-only
  users, a case to anyone but Dinas Sosial staff, Magelang's event or staff to Temanggung), in pages, CSV
  and XLSX alike;
- the outsiders (coordinator of unit B, staff of Temanggung) get for a real object of unit A exactly what
  they get for a missing one;
- a few writes with valid data (WRITES) happen for the roles the rule allows and for no other.
Each role's request runs in a savepoint that is rolled back, so every role sees the same data set.

Roles, in the order of the table's columns: anonymous, coordinator of unit A, coordinator of unit B (same
kecamatan), viewer (pimpinan) of Kota Magelang, staff of Kota Magelang, staff of Kabupaten Temanggung, and
a PSM's own account (members.accounts) for another member of unit A, who handles one case of their own.
"""

import datetime
import io
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from openpyxl import load_workbook

from cases import reports as monthly_reports
from cases import services as case_services
from cases.models import Case, CoverageTarget, MonthlyReport, PmksCategory
from ipsm import roles
from ipsm.lib.documents import clean_document
from ipsm.models import ExportLog, ImportJob, ImportStatus
from ipsm.notices.services import notify
from members import accounts, legality, meetings, office, partners, programmes
from members.models import Meeting, Member, Partner, ProgrammeActivity
from members.verification import card_token
from tests import factories
from tests.printing.conftest import make_office_profile
from tests.printing.pictures import phone_photo, upload
from tests.trainings.conftest import make_event, mark_all
from trainings import services as training_services
from trainings.models import Session

ROLES = ("anonymous", "coordinator", "coordinator_b", "viewer", "staff", "staff_other", "psm")
OUTCOMES = {"ok", "login", "403", "404", "405", "public"}

# URL patterns left out of the matrix, and why.
SKIPPED_NAMESPACES = {
    # Django's admin: its own login (/admin/login/), is_staff plus model permissions per page; only
    # superusers are staff here. Covered by tests/test_admin.py.
    "admin": "Django admin (own login and permissions, tests/test_admin.py)",
}
SKIPPED_NAMES = {
    # django.conf.urls.i18n: the language switcher; public, stores only the chosen language, shows no data.
    "set_language": "i18n language switcher (public, no data)",
}
SKIPPED_VIEWS = {
    # Static and media files (only in DEBUG, if ever added): files, not pages of the registry.
    "django.views.static.serve": "static/media files",
    "django.contrib.staticfiles.views.serve": "static files",
}


@dataclass(frozen=True)
class Rule:
    """Who may use a URL. `get`/`post`: one outcome per role, in ROLES order. `post` is None for pages
    that only read (their POST is not checked); a POST-only view has get=POST_ONLY. `params` fills the
    URL: "pk=member_a fmt=xlsx", each value a key of the data set (an object gives its pk) or a literal."""

    get: str
    post: str | None = None
    params: str = ""
    query: str = ""


# A PSM (their own account, the last column) is refused every page but theirs before its view runs
# (ipsm.middleware.PsmPagesOnlyMiddleware), whatever the method: 403.
POST_ONLY = "405 405 405 405 405 405 403"

# The table. Columns: anonymous, coordinator (unit A), coordinator_b (unit B), viewer (Kota Magelang),
# staff (Kota Magelang), staff_other (Kabupaten Temanggung), psm (the own account of a member of unit A).
# Every object in the data set is in unit A.
# fmt: off
RULES: dict[str, Rule | tuple[Rule, ...]] = {
    # --- Project pages (ipsm/urls.py) ---------------------------------------------------------------------
    #                                            anon   coord  coordB viewer staff  other
    "home": Rule(get=                           "login  ok     ok     ok     ok     ok    ok"),
    "login": Rule(get=                          "ok     ok     ok     ok     ok     ok    ok",
                  post=                         "ok     ok     ok     ok     ok     ok    ok"),
    "logout": Rule(get=                         "405    405    405    405    405    405   405",
                   post=                        "ok     ok     ok     ok     ok     ok    ok"),
    # Coverage is counts for staff and viewers of the area; coordinators read theirs on the unit page.
    "coverage": Rule(params="code=kabkota", get="login  403    403    ok     ok     404    403"),
    "coverage_without_psm": Rule(params="code=kabkota",
                                 get=           "login  403    403    ok     ok     404    403"),
    "coverage_print": Rule(params="code=kelurahan_a",
                           get=                 "login  403    403    ok     ok     404    403"),
    # The PSM reporting rate: as coverage; a coordinator without a code is sent to their unit's reports.
    "reporting": Rule(get=                      "login  ok     ok     ok     ok     ok    403"),
    "reporting_region": Rule(params="code=kabkota",
                             get=               "login  403    403    ok     ok     404   403"),
    "reporting_export_nation": Rule(params="fmt=xlsx",
                                    get=        "login  403    403    ok     ok     ok    403"),
    "reporting_export": Rule(params="code=kabkota fmt=xlsx",
                             get=               "login  403    403    ok     ok     404   403"),
    "activity": Rule(get=                       "login  403    403    403    ok     ok    403"),
    # --- A user's own notices (ipsm/notices/urls.py): every role, a PSM too; the notice is coordinator A's.
    # The bell is loaded by htmx after the page: empty (204) once logged out rather than the login page.
    "notices:list": Rule(get=                   "login  ok     ok     ok     ok     ok    ok"),
    "notices:bell": Rule(get=                   "ok     ok     ok     ok     ok     ok    ok"),
    "notices:read_all": Rule(get=               "405    405    405    405    405    405   405",
                             post=              "login  ok     ok     ok     ok     ok    ok"),
    "notices:read": Rule(params="pk=notice",
                         get=                   "405    405    405    405    405    405   405",
                         post=                  "login  ok     404    404    404    404   404"),
    # --- Registry (members/urls.py) -------------------------------------------------------------------------
    "members:list": Rule(get=                   "login  ok     ok     ok     ok     ok    403"),
    "members:search": Rule(get=POST_ONLY, post= "login  ok     ok     ok     ok     ok    403"),
    # Adding from the list: the unit is chosen among the user's own (tests/members/test_add_member.py).
    "members:add": Rule(get=                    "login  ok     ok     403    ok     ok    403",
                        post=                   "login  ok     ok     403    ok     ok    403"),
    "members:duplicates": Rule(get=             "login  403    403    403    ok     ok    403"),
    "members:merge": Rule(params="a=member_a b=member_a2",
                          get=                  "login  403    403    403    ok     404    403",
                          post=                 "login  403    403    403    ok     404    403"),
    "members:dismiss_duplicate": Rule(params="a=member_a b=member_a2", get=POST_ONLY,
                                      post=     "login  403    403    403    ok     404    403"),
    "members:export": (
        Rule(params="fmt=xlsx", get=            "login  ok     ok     ok     ok     ok    403"),
        Rule(params="fmt=csv", get=             "login  ok     ok     ok     ok     ok    403"),
        Rule(params="fmt=pdf", get=             "login  404    404    404    404    404    403"),
    ),
    "members:detail": Rule(params="pk=member_a",
                           get=                 "login  ok     404    ok     ok     404    403"),
    "members:edit": Rule(params="pk=member_a",
                         get=                   "login  ok     404    403    ok     404    403",
                         post=                  "login  ok     404    403    ok     404    403"),
    "members:status": Rule(params="pk=member_a",
                           get=                 "login  ok     404    403    ok     404    403",
                           post=                "login  ok     404    403    ok     404    403"),
    "members:transfer": Rule(params="pk=member_a",
                             get=               "login  403    404    403    ok     404    403",
                             post=              "login  403    404    403    ok     404    403"),
    # A PSM account's invitation (members/accounts.py): by those who may edit the member; POST gives the slip.
    "members:account_invite": Rule(params="pk=member_a", get=POST_ONLY,
                                   post=        "login  ok     404    403    ok     404    403"),
    "members:card": Rule(params="pk=member_a",
                         get=                   "login  ok     404    ok     ok     404    403"),
    # A member's photo: seen with the member, uploaded and removed by those who may edit them.
    "members:photo": Rule(params="pk=member_a",
                          get=                  "login  ok     404    ok     ok     404    403"),
    "members:photo_upload": Rule(params="pk=member_a", get=POST_ONLY,
                                 post=          "login  ok     404    403    ok     404    403"),
    "members:photo_remove": Rule(params="pk=member_a", get=POST_ONLY,
                                 post=          "login  ok     404    403    ok     404    403"),
    # The office profile: its staff edit it, its head reads it; coordinators have no office page. Its logo
    # is for whoever prints that office's documents, the cards of a coordinator's members included.
    "members:office": Rule(params="code=kabkota",
                           get=                 "login  403    403    ok     ok     404    403",
                           post=                "login  403    403    403    ok     404    403"),
    "members:office_logo": Rule(params="code=kabkota",
                                get=            "login  ok     ok     ok     ok     404    403"),
    "members:restore": Rule(params="pk=member_a history_id=member_a_version",
                            get=                "login  ok     404    403    ok     404    403",
                            post=               "login  ok     404    403    ok     404    403"),
    "members:unit_list": Rule(get=              "login  ok     ok     ok     ok     ok    403"),
    "members:unit_create": Rule(get=            "login  403    403    403    ok     ok    403",
                                post=           "login  403    403    403    ok     ok    403"),
    "members:unit_export": Rule(params="fmt=xlsx",
                                get=            "login  ok     ok     ok     ok     ok    403"),
    "members:unit_detail": Rule(params="pk=unit_a",
                                get=            "login  ok     404    ok     ok     404    403"),
    "members:unit_edit": Rule(params="pk=unit_a",
                              get=              "login  403    404    403    ok     404    403",
                              post=             "login  403    404    403    ok     404    403"),
    "members:unit_print": Rule(params="pk=unit_a",
                               get=             "login  ok     404    ok     ok     404    403"),
    "members:unit_confirm_roster": Rule(params="pk=unit_a", get=POST_ONLY,
                                        post=   "login  ok     404    403    ok     404    403"),
    "members:create": Rule(params="unit_pk=unit_a",
                           get=                 "login  ok     404    403    ok     404    403",
                           post=                "login  ok     404    403    ok     404    403"),
    "members:board_add": Rule(params="unit_pk=unit_a",
                              get=              "login  ok     404    403    ok     404    403",
                              post=             "login  ok     404    403    ok     404    403"),
    "members:board_end": Rule(params="pk=position_a",
                              get=              "login  ok     404    403    ok     404    403",
                              post=             "login  ok     404    403    ok     404    403"),
    "members:region": Rule(params="code=kelurahan_a",
                           get=                 "login  ok     404    ok     ok     404    403"),
    "members:verify": Rule(params="token=card_token",
                           get=                 "public public public public public public public"),
    # --- A PSM's own pages (ipsm/psm/urls.py): their member and the cases they handle, no one else's ------
    "psm:home": Rule(get=                       "login  403    403    403    403    403    ok"),
    "psm:edit": Rule(get=                       "login  403    403    403    403    403    ok",
                     post=                      "login  403    403    403    403    403    ok"),
    "psm:cases": Rule(get=                      "login  403    403    403    403    403    ok"),
    # Their card (KTA) with their photo and their office's logo, their own certificates.
    "psm:card": Rule(get=                       "login  403    403    403    403    403    ok"),
    "psm:card_logo": Rule(get=                  "login  403    403    403    403    403    ok"),
    "psm:photo": Rule(get=                      "login  403    403    403    403    403    ok"),
    "psm:certificate": (
        Rule(params="pk=participant_psm", get=  "login  403    403    403    403    403    ok"),
        Rule(params="pk=participant", get=      "login  403    403    403    403    403    404"),
    ),
    "psm:certificate_logo": (
        Rule(params="pk=participant_psm", get=  "login  403    403    403    403    403    ok"),
        Rule(params="pk=participant", get=      "login  403    403    403    403    403    404"),
    ),
    "psm:case": (
        Rule(params="pk=case_psm", get=         "login  403    403    403    403    403    ok",
             post=                              "login  403    403    403    403    403    ok"),
        # A case someone else handles: not theirs to see.
        Rule(params="pk=case", get=             "login  403    403    403    403    403    404",
             post=                              "login  403    403    403    403    403    404"),
    ),
    # Their monthly reports (cases/reports.py): a past month's form; an empty POST shows it again.
    "psm:reports": Rule(get=                    "login  403    403    403    403    403    ok"),
    "psm:report_photo": Rule(params="pk=report_photo",
                             get=               "login  403    403    403    403    403    ok"),
    "psm:report": Rule(params="month=2026-01", get="login  403    403    403    403    403    ok",
                       post=                    "login  403    403    403    403    403    ok"),
    # Public: the invitation's one-time link (an empty POST shows the form again).
    "psm:activate": Rule(params="token=activation_token",
                         get=                   "public public public public public public public",
                         post=                  "public public public public public public public"),
    # --- PSM monthly reports (cases/views/reports.py): whoever sees the unit reads; its coordinator and staff
    # approve or return (a viewer may not); outside the scope: 404.
    "cases:unit_reports": Rule(params="pk=unit_a",
                               get=             "login  ok     404    ok     ok     404    403"),
    "cases:report": Rule(params="pk=monthly_report",
                         get=                   "login  ok     404    ok     ok     404    403"),
    # Staff enter a PSM's report from paper (coordinators and viewers may not).
    "cases:report_paper": Rule(params="pk=member_a month=2026-03",
                               get=             "login  403    404    403    ok     404    403",
                               post=            "login  403    404    403    ok     404    403"),
    "cases:report_photo": Rule(params="pk=report_photo",
                               get=             "login  ok     404    ok     ok     404    403"),
    "cases:report_approve": Rule(params="pk=monthly_report", get=POST_ONLY,
                                 post=          "login  ok     404    403    ok     404    403"),
    "cases:report_return": Rule(params="pk=monthly_report", get=POST_ONLY,
                                post=           "login  ok     404    403    ok     404    403"),
    # --- Cases, PMKS counts, targets (cases/urls.py): case details for Dinas Sosial staff only ------------
    "cases:list": Rule(get=                     "login  403    403    403    ok     ok    403"),
    "cases:create": Rule(get=                   "login  403    403    403    ok     ok    403",
                         post=                  "login  403    403    403    ok     ok    403"),
    "cases:summary_export": Rule(params="fmt=xlsx",
                                 get=           "login  403    403    403    ok     ok    403"),
    "cases:detail": Rule(params="pk=case",
                         get=                   "login  403    403    403    ok     404    403"),
    "cases:edit": Rule(params="pk=case",
                       get=                     "login  403    403    403    ok     404    403",
                       post=                    "login  403    403    403    ok     404    403"),
    "cases:history": Rule(params="pk=case",
                          get=                  "login  403    403    403    ok     404    403"),
    "cases:status": Rule(params="pk=case", get=POST_ONLY,
                         post=                  "login  403    403    403    ok     404    403"),
    "cases:assign": Rule(params="pk=case", get=POST_ONLY,
                         post=                  "login  403    403    403    ok     404    403"),
    "cases:activity": Rule(params="pk=case", get=POST_ONLY,
                           post=                "login  403    403    403    ok     404    403"),
    "cases:referral": Rule(params="pk=case", get=POST_ONLY,
                           post=                "login  403    403    403    ok     404    403"),
    "cases:referral_outcome": Rule(params="pk=referral", get=POST_ONLY,
                                   post=        "login  403    403    403    ok     404    403"),
    # Counts: coordinators read their own kelurahan's, only staff write them.
    "cases:pmks_grid": Rule(params="code=kelurahan_a",
                            get=                "login  ok     404    ok     ok     404    403",
                            post=               "login  403    404    403    ok     404    403"),
    "cases:pmks_export": Rule(params="code=kelurahan_a fmt=xlsx",
                              get=              "login  ok     404    ok     ok     404    403"),
    # A kab/kota's targets: a coordinator's scope is one kelurahan, so the kab/kota is out of it.
    "cases:targets": Rule(params="code=kabkota",
                          get=                  "login  404    404    ok     ok     404    403",
                          post=                 "login  404    404    403    ok     404    403"),
    # --- Trainings (trainings/urls.py): events of the user's office; coordinators have no event pages -------
    "trainings:list": Rule(get=                 "login  403    403    ok     ok     ok    403"),
    "trainings:create": Rule(get=               "login  403    403    403    ok     ok    403",
                             post=              "login  403    403    403    ok     ok    403"),
    "trainings:export": Rule(params="fmt=xlsx",
                             get=               "login  403    403    ok     ok     ok    403"),
    "trainings:detail": (
        Rule(params="pk=event", get=            "login  403    403    ok     ok     404    403"),
        # A joint event (Kota Magelang and Kabupaten Temanggung) is seen and managed by both offices.
        Rule(params="pk=joint_event", get=      "login  403    403    ok     ok     ok    403"),
    ),
    "trainings:edit": (
        Rule(params="pk=event", get=            "login  403    403    403    ok     404    403",
             post=                              "login  403    403    403    ok     404    403"),
        Rule(params="pk=joint_event", get=      "login  403    403    403    ok     ok    403",
             post=                              "login  403    403    403    ok     ok    403"),
    ),
    # Only staff of the invited office answer: not its read-only head, not the inviting office itself.
    "trainings:invitation_answer": Rule(params="pk=invitation", get=POST_ONLY,
                                        post=   "login  403    403    403    ok     404    403"),
    "trainings:history": Rule(params="pk=event",
                              get=              "login  403    403    403    ok     404    403"),
    # GET only sends back to the event page; the form is on that page.
    "trainings:session_add": Rule(params="pk=event",
                                  get=          "login  403    403    403    ok     404    403",
                                  post=         "login  403    403    403    ok     404    403"),
    "trainings:session_delete": Rule(params="pk=session", get=POST_ONLY,
                                     post=      "login  403    403    403    ok     404    403"),
    "trainings:invite": Rule(params="pk=event",
                             get=               "login  403    403    403    ok     404    403",
                             post=              "login  403    403    403    ok     404    403"),
    "trainings:attendance": Rule(params="pk=event",
                                 get=           "login  403    403    403    ok     404    403",
                                 post=          "login  403    403    403    ok     404    403"),
    "trainings:attendance_all_present": Rule(params="pk=event", get=POST_ONLY,
                                             post="login  403    403    403    ok     404    403"),
    "trainings:scores": Rule(params="pk=event",
                             get=               "login  403    403    403    ok     404    403",
                             post=              "login  403    403    403    ok     404    403"),
    "trainings:participant_export": (
        Rule(params="pk=event fmt=xlsx", get=   "login  403    403    ok     ok     404    403"),
        Rule(params="pk=event fmt=csv", get=    "login  403    403    ok     ok     404    403"),
    ),
    # GET: the confirm step (who will get a number and who will not); POST: the numbers.
    "trainings:issue_certificates": Rule(params="pk=event",
                                         get=   "login  403    403    403    ok     404    403",
                                         post=  "login  403    403    403    ok     404    403"),
    "trainings:certificate": Rule(params="pk=participant",
                                  get=          "login  403    403    ok     ok     404    403"),
    "trainings:certificate_logo": Rule(params="pk=participant",
                                       get=     "login  403    403    ok     ok     404    403"),
    # Without ?wilayah= the report is of the user's own region; Kota Magelang's is out of Temanggung's scope.
    "trainings:indicators": (
        Rule(get=                               "login  403    403    ok     ok     ok    403"),
        Rule(query="wilayah=33.71", get=        "login  403    403    ok     ok     404    403"),
    ),
    # The realisation by year the report page loads after it is shown (204 where it shows none).
    "trainings:indicator_trend": (
        Rule(get=                               "login  403    403    ok     ok     ok    403"),
        Rule(query="wilayah=33.71&periode=2025",
             get=                               "login  403    403    ok     ok     404    403"),
    ),
    # A kab/kota's indicator targets for a year: set by its staff, read by its heads.
    "trainings:indicator_targets": Rule(params="code=kabkota year=2025",
                                        get=    "login  403    403    ok     ok     404    403",
                                        post=   "login  403    403    403    ok     404    403"),
    "trainings:lkjip_export": Rule(params="code=kabkota year=2025 fmt=xlsx",
                                   get=         "login  403    403    ok     ok     404    403"),
    "trainings:indicator_export": (
        Rule(params="fmt=xlsx", get=            "login  403    403    ok     ok     ok    403"),
        Rule(params="fmt=xlsx", query="wilayah=33.71",
             get=                               "login  403    403    ok     ok     404    403"),
    ),
    # --- Imports (ipsm/import_urls.py): each kind needs its importer's permission; a job is its uploader's --
    "imports:start": (
        Rule(params="kind_slug=anggota", get=   "login  ok     ok     403    ok     ok    403",
             post=                              "login  ok     ok     403    ok     ok    403"),
        Rule(params="kind_slug=pmks", get=      "login  403    403    403    ok     ok    403",
             post=                              "login  403    403    403    ok     ok    403"),
        Rule(params="kind_slug=peserta", get=   "login  403    403    403    ok     ok    403",
             post=                              "login  403    403    403    ok     ok    403"),
        Rule(params="kind_slug=lainnya", get=   "login  404    404    404    404    404    403"),
    ),
    "imports:template": (
        Rule(params="kind_slug=anggota", get=   "login  ok     ok     403    ok     ok    403"),
        Rule(params="kind_slug=pmks", get=      "login  403    403    403    ok     ok    403"),
        Rule(params="kind_slug=peserta", get=   "login  403    403    403    ok     ok    403"),
    ),
    "imports:job": Rule(params="pk=import_job",
                        get=                    "login  404    404    404    ok     404    403"),
    "imports:progress": Rule(params="pk=import_job",
                             get=               "login  404    404    404    ok     404    403"),
    "imports:confirm": Rule(params="pk=import_job", get=POST_ONLY,
                            post=               "login  404    404    404    ok     404    403"),
    # --- Exports (ipsm/export_urls.py) ----------------------------------------------------------------------
    "exports:coverage": Rule(params="code=kabkota fmt=xlsx",
                             get=               "login  403    403    ok     ok     404    403"),
    "exports:log": Rule(get=                    "login  403    403    403    ok     ok    403"),
    # --- Meetings (members/meetings_urls.py) ---------------------------------------------------------------
    # A unit's meetings: read by whoever sees the unit, kept by its coordinator and staff (a viewer reads
    # only). A forum's (kecamatan, kab/kota): staff's; a coordinator does not see the region (404).
    "meetings:unit_list": Rule(params="pk=unit_a",
                               get=             "login  ok     404    ok     ok     404    403"),
    "meetings:unit_create": Rule(params="pk=unit_a",
                                 get=           "login  ok     404    403    ok     404    403",
                                 post=          "login  ok     404    403    ok     404    403"),
    "meetings:region_list": Rule(params="code=kabkota",
                                 get=           "login  404    404    ok     ok     404    403"),
    "meetings:region_create": Rule(params="code=kabkota",
                                   get=         "login  404    404    403    ok     404    403",
                                   post=        "login  404    404    403    ok     404    403"),
    "meetings:detail": Rule(params="pk=meeting_a",
                            get=                "login  ok     404    ok     ok     404    403"),
    "meetings:edit": Rule(params="pk=meeting_a",
                          get=                  "login  ok     404    403    ok     404    403",
                          post=                 "login  ok     404    403    ok     404    403"),
    "meetings:attendance": Rule(params="pk=meeting_a",
                                get=            "login  ok     404    403    ok     404    403",
                                post=           "login  ok     404    403    ok     404    403"),
    "meetings:decisions": Rule(params="pk=meeting_a",
                               get=             "login  ok     404    403    ok     404    403",
                               post=            "login  ok     404    403    ok     404    403"),
    "meetings:attachment_add": Rule(params="pk=meeting_a",
                                    get=        "login  ok     404    403    ok     404    403",
                                    post=       "login  ok     404    403    ok     404    403"),
    "meetings:decision_remove": Rule(params="pk=decision_a", get=POST_ONLY,
                                     post=      "login  ok     404    403    ok     404    403"),
    "meetings:follow_up_done": Rule(params="pk=follow_up_a", get=POST_ONLY,
                                    post=       "login  ok     404    403    ok     404    403"),
    "meetings:follow_up_reopen": Rule(params="pk=follow_up_a", get=POST_ONLY,
                                      post=     "login  ok     404    403    ok     404    403"),
    "meetings:attachment": Rule(params="pk=attachment_a",
                                get=            "login  ok     404    ok     ok     404    403"),
    "meetings:attachment_remove": Rule(params="pk=attachment_a", get=POST_ONLY,
                                       post=    "login  ok     404    403    ok     404    403"),
    # --- end of meetings
    # --- Legality (members/legality_urls.py) ---------------------------------------------------------------
    # A kab/kota's legality page and its exports: its staff and viewers; coordinators have none (403).
    "legality:region": Rule(params="code=kabkota",
                            get=                "login  403    403    ok     ok     404    403"),
    "legality:export": (
        Rule(params="code=kabkota daftar=psm fmt=xlsx",
             get=                               "login  403    403    ok     ok     404    403"),
        Rule(params="code=kabkota daftar=usia fmt=csv",
             get=                               "login  403    403    ok     ok     404    403"),
        Rule(params="code=kabkota daftar=lainnya fmt=csv",
             get=                               "login  403    403    404    404    404    403"),
    ),
    # SK files: uploaded by whoever may edit the unit (staff) or the member (their coordinator too), served
    # to whoever sees it. A board's SK: staff and the unit's coordinator.
    "legality:unit_sk_upload": Rule(params="pk=unit_a",
                                    get=        "login  403    404    403    ok     404    403",
                                    post=       "login  403    404    403    ok     404    403"),
    "legality:unit_sk_file": Rule(params="pk=unit_a",
                                  get=          "login  ok     404    ok     ok     404    403"),
    "legality:member_sk_upload": Rule(params="pk=member_a",
                                      get=      "login  ok     404    403    ok     404    403",
                                      post=     "login  ok     404    403    ok     404    403"),
    "legality:member_sk_file": Rule(params="pk=member_a",
                                    get=        "login  ok     404    ok     ok     404    403"),
    "legality:decree_add": Rule(params="pk=unit_a",
                                get=            "login  ok     404    403    ok     404    403",
                                post=           "login  ok     404    403    ok     404    403"),
    "legality:decree_file": Rule(params="pk=decree_a",
                                 get=           "login  ok     404    ok     ok     404    403"),
    # --- end of legality
    # --- Partners (members/partners_urls.py) ---------------------------------------------------------------
    # partner_a serves Magelang Tengah (units A and B): both coordinators read it; Temanggung's staff 404.
    "partners:list": Rule(get=                  "login  ok     ok     ok     ok     ok    403"),
    "partners:create": Rule(get=                "login  403    403    403    ok     ok    403",
                            post=               "login  403    403    403    ok     ok    403"),
    "partners:export": Rule(params="fmt=xlsx",
                            get=                "login  ok     ok     ok     ok     ok    403"),
    "partners:contribution_export": Rule(params="fmt=csv",
                                         get=   "login  ok     ok     ok     ok     ok    403"),
    "partners:detail": Rule(params="pk=partner_a",
                            get=                "login  ok     ok     ok     ok     404   403"),
    "partners:edit": Rule(params="pk=partner_a",
                          get=                  "login  403    403    403    ok     404   403",
                          post=                 "login  403    403    403    ok     404   403"),
    "partners:contribution_add": Rule(params="pk=partner_a",
                                      get=      "login  403    403    403    ok     404   403",
                                      post=     "login  403    403    403    ok     404   403"),
    # A contribution's page (its form) and its deletion (a confirmation, then POST): staff of the partner's
    # kab/kota; everyone else who reads partners 403, Temanggung's staff 404.
    "partners:contribution": Rule(params="pk=contribution_a",
                                  get=          "login  403    403    403    ok     404   403",
                                  post=         "login  403    403    403    ok     404   403"),
    "partners:contribution_delete": Rule(params="pk=contribution_a",
                                         get=   "login  403    403    403    ok     404   403",
                                         post=  "login  403    403    403    ok     404   403"),
    # Contributions recorded from a case page and an event page (cases/views/cases.py, trainings/views).
    "cases:contribution": Rule(params="pk=case", get=POST_ONLY,
                               post=            "login  403    403    403    ok     404    403"),
    "trainings:contribution": Rule(params="pk=event", get=POST_ONLY,
                                   post=        "login  403    403    403    ok     404    403"),
    # --- end of partners
    # --- Work programmes (members/programmes_urls.py) -------------------------------------------------------
    # A unit's programme: read by whoever sees the unit, kept by its coordinator and staff; a region's page
    # and export: staff and viewers of the region (a coordinator does not see the kab/kota: 404).
    "programmes:unit_current": Rule(params="pk=unit_a",
                                    get=        "login  ok     404    ok     ok     404    403"),
    "programmes:unit": Rule(params="pk=unit_a year=2026",
                            get=                "login  ok     404    ok     ok     404    403"),
    "programmes:start": Rule(params="pk=unit_a year=2025", get=POST_ONLY,
                             post=              "login  ok     404    403    ok     404    403"),
    "programmes:adopted": Rule(params="pk=programme_a", get=POST_ONLY,
                               post=            "login  ok     404    403    ok     404    403"),
    "programmes:activity_add": Rule(params="pk=programme_a",
                                    get=        "login  ok     404    403    ok     404    403",
                                    post=       "login  ok     404    403    ok     404    403"),
    "programmes:activity": Rule(params="pk=activity_a",
                                get=            "login  ok     404    ok     ok     404    403"),
    "programmes:activity_edit": Rule(params="pk=activity_a",
                                     get=       "login  ok     404    403    ok     404    403",
                                     post=      "login  ok     404    403    ok     404    403"),
    "programmes:activity_remove": Rule(params="pk=activity_a", get=POST_ONLY,
                                       post=    "login  ok     404    403    ok     404    403"),
    "programmes:realise": Rule(params="pk=activity_a", get=POST_ONLY,
                               post=            "login  ok     404    403    ok     404    403"),
    "programmes:unrealise": Rule(params="pk=activity_a", get=POST_ONLY,
                                 post=          "login  ok     404    403    ok     404    403"),
    "programmes:region": Rule(params="code=kabkota",
                              get=              "login  404    404    ok     ok     404    403"),
    "programmes:region_export": Rule(params="code=kabkota fmt=xlsx",
                                     get=       "login  404    404    ok     ok     404    403"),
    # --- end of work programmes
}
# fmt: on


# What each role must never be shown (in any page or download): sentinel texts of the data set.
HIDDEN_FROM = {
    "anonymous": {"member", "nik", "case", "event", "import", "staff_user"},
    "coordinator": {"case", "import"},
    "coordinator_b": {"member", "nik", "case", "event", "import", "staff_user"},
    # Read-only users see a NIK masked, and case counts only.
    "viewer": {"nik", "case", "import"},
    "staff": set(),
    # Nothing of Kota Magelang, not even who works there (the export log, the activity log).
    "staff_other": {"member", "nik", "case", "event", "import", "staff_user"},
    # Their own member, the case they handle and the event they attended (their certificate); nothing of
    # anyone else's.
    "psm": {"member", "nik", "case", "import", "staff_user"},
}
# The public verification page shows the member's name (only); everything else stays hidden.
PUBLIC_MAY_SHOW = {"member"}


# --- Enumerating the URL patterns ------------------------------------------------------------------------


def _walk(patterns, namespace: str = "", prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner.strip(":"), prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield namespace, name, prefix + str(entry.pattern), entry


def _skip_reason(namespace: str, name: str | None, pattern: URLPattern) -> str | None:
    if namespace.split(":")[0] in SKIPPED_NAMESPACES:
        return SKIPPED_NAMESPACES[namespace.split(":")[0]]
    if name in SKIPPED_NAMES:
        return SKIPPED_NAMES[name]
    view = pattern.lookup_str
    return SKIPPED_VIEWS.get(view)


def url_patterns() -> tuple[list[str], list[str]]:
    """The names of the project's URL patterns (skips left out), and problems that keep one from a rule."""
    names, problems = [], []
    for namespace, name, route, pattern in _walk(get_resolver().url_patterns):
        if _skip_reason(namespace, name, pattern):
            continue
        if not name:
            problems.append(f"/{route} ({pattern.lookup_str}) has no name: name it and declare its rule")
        elif name in names:
            problems.append(f"{name} names two URL patterns: give /{route} its own name and rule")
        else:
            names.append(name)
    return names, problems


PATTERN_NAMES, PATTERN_PROBLEMS = url_patterns()


def test_every_url_pattern_is_named_once():
    assert not PATTERN_PROBLEMS, "\n".join(PATTERN_PROBLEMS)


def test_every_rule_names_an_existing_url():
    stale = sorted(set(RULES) - set(PATTERN_NAMES))
    assert not stale, f"RULES names URLs that no longer exist (remove their rules): {', '.join(stale)}"


def test_rules_are_well_formed():
    for name, rule in _all_rules():
        for method, text in (("get", rule.get), ("post", rule.post)):
            if text is None:
                continue
            outcomes = text.split()
            assert len(outcomes) == len(ROLES), f"{name} {method}: one outcome per role, {ROLES}"
            assert set(outcomes) <= OUTCOMES, f"{name} {method}: outcomes are {sorted(OUTCOMES)}"


def _all_rules():
    for name, rules in RULES.items():
        for rule in rules if isinstance(rules, tuple) else (rules,):
            yield name, rule


# --- The data set -----------------------------------------------------------------------------------------

MEMBER_NAME = "Sulastri Rahasiawati"
MEMBER_NAME_2 = "Sulastri Rahasiawaty"  # a likely duplicate: similar name, same birth date
CASE_PERSON = "Mbah Kasinem Tersembunyi"
EVENT_TITLE = "Bimtek Dasar Rahasia Magelang"
IMPORT_FILE = "roster-rahasia-magelang.xlsx"
NINE = datetime.datetime.fromisoformat("2024-05-06T09:00+07:00")


def _role_user(username: str, role: str, **assignment):
    user = factories.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    factories.AssignmentFactory(user=user, **assignment)
    return user


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One small data set in which every URL of the project can be filled; all of it in unit A.

    Built once for the module inside a transaction that is rolled back at its end; each test runs in a
    savepoint of it (pytest-django), each role's request in a savepoint of that."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        world = _build_world()
        # One session per role, logged in once: force_login per request would be a third of the run.
        world["sessions"] = {}
        for role, user in world["users"].items():
            if user is not None:
                client = Client()
                client.force_login(user)
                world["sessions"][role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield world
        transaction.set_rollback(True)


def _build_world() -> dict:
    magelang = factories.make_regions()
    unit_a = factories.UnitFactory(region=magelang["rejowinangun_utara"])
    unit_b = factories.UnitFactory(region=magelang["cacaban"])
    unit_temanggung = factories.UnitFactory(region=magelang["kowangan"])
    staff = _role_user("staf-magelang", roles.STAFF, region=magelang["kota_magelang"])
    staff_other = _role_user("staf-temanggung", roles.STAFF, region=magelang["temanggung"])
    viewer = _role_user("pimpinan-magelang", roles.VIEWER, region=magelang["kota_magelang"])
    coordinator = _role_user("koordinator-a", roles.COORDINATOR, unit=unit_a)
    coordinator_b = _role_user("koordinator-b", roles.COORDINATOR, unit=unit_b)
    birth_date = datetime.date(1975, 4, 12)
    member_a = factories.MemberFactory(unit=unit_a, full_name=MEMBER_NAME, female=True, birth_date=birth_date)
    member_a2 = factories.MemberFactory(
        unit=unit_a, full_name=MEMBER_NAME_2, female=True, birth_date=birth_date
    )
    factories.MemberFactory(unit=unit_b)
    factories.MemberFactory(unit=unit_temanggung)
    position_a = factories.BoardPositionFactory(member=member_a)
    member_psm = factories.MemberFactory(unit=unit_a, full_name="Sumarni Lapangan")
    psm = factories.UserFactory(username="psm-a")
    psm.groups.add(Group.objects.get(name=roles.PSM))
    factories.AssignmentFactory(user=psm, member=member_psm)
    _invitation, activation_token = accounts.invite_member(member=member_a, by=staff)
    # The print-outs' office (with its logo) and member A's photo.
    make_office_profile(magelang["kota_magelang"], by=staff)
    office.set_member_photo(member=member_a, image=office.clean_photo(upload(phone_photo())), by=staff)
    rejowinangun = magelang["rejowinangun_utara"]
    case = factories.CaseFactory(kelurahan=rejowinangun, person_name=CASE_PERSON, created_by=staff)
    case_psm = factories.CaseFactory(kelurahan=rejowinangun, psm=member_psm, created_by=staff)
    referral = case_services.refer_case(
        case=case,
        institution_type="puskesmas",
        institution_name="Puskesmas Magelang Tengah",
        referred_on=case.reported_on,
        by=staff,
    )
    for category in PmksCategory.objects.filter(number__in=[1, 24]):
        factories.PmksCountFactory(kelurahan=rejowinangun, category=category)
    CoverageTarget.objects.create(region=magelang["kota_magelang"], min_active_psm=5, max_pmks_per_psm=50)
    event = make_event(magelang["kota_magelang"], by=staff, title=EVENT_TITLE)
    training_services.invite_members(event=event, members=[member_a, member_psm], by=staff)
    participant = mark_all(event, member_a)
    participant_psm = mark_all(event, member_psm)
    training_services.issue_certificates(event=event)
    participant.refresh_from_db()
    office.set_member_photo(member=member_psm, image=office.clean_photo(upload(phone_photo())), by=staff)
    session = Session.objects.create(event=event, title="Etika PSM", starts_at=NINE)
    joint_event = make_event(
        magelang["kota_magelang"], magelang["temanggung"], by=staff_other, title="Bimtek Bersama"
    )
    # Temanggung asks Kota Magelang to organise an event together; no one has answered yet.
    proposed = make_event(
        magelang["temanggung"], magelang["kota_magelang"], by=staff_other, title="Usulan", accepted=False
    )
    job = ImportJob.objects.create(
        kind="members", user=staff, file_name=IMPORT_FILE, content=b"", status=ImportStatus.CHECKED
    )
    ExportLog.objects.create(user=staff, list_name="members", file_format="xlsx", row_count=2)
    notice = notify(user=coordinator, kind="roster_stale", key="unit", title="Periksa daftar anggota")
    # The PSM's submitted monthly report (cases/reports.py), waiting for their coordinator.
    monthly_report = monthly_reports.start_report(member=member_psm, month=datetime.date(2026, 2, 1), by=psm)
    activity = {"kind": "kunjungan", "done_on": datetime.date(2026, 2, 9), "count": 2}
    monthly_reports.save_report(
        report=monthly_report, activities=[activity], pmks_reached={}, cases=[], obstacles="", plan="", by=psm
    )
    evidence = monthly_reports.clean_report_photo(upload(phone_photo()))
    report_photo = monthly_reports.add_report_photo(report=monthly_report, image=evidence, by=psm)
    monthly_reports.submit_report(report=monthly_report, by=psm)
    # --- Meetings (members/meetings.py): a meeting of unit A with its roster, a decision, a follow-up for
    # member A and a photographed attendance list.
    meeting_a = Meeting(unit=unit_a, region=unit_a.region, kind="rutin", held_on=datetime.date(2026, 3, 5))
    meeting_a.place, meeting_a.agenda = "Balai Kelurahan", "Pembagian tugas"
    meeting_a = meetings.create_meeting(meeting=meeting_a, by=coordinator)
    decision_a = meetings.add_decision(meeting=meeting_a, text="Kunjungan lansia", by=coordinator)
    follow_up_a = meetings.add_follow_up(
        meeting=meeting_a, task="Data lansia", due_on=meeting_a.held_on, responsible=member_a, by=coordinator
    )
    scan = clean_document(upload(phone_photo()), max_bytes=settings.IMAGE_MAX_UPLOAD_BYTES)
    attachment_a = meetings.add_attachment(
        meeting=meeting_a, document=scan, title="Daftar hadir", by=coordinator
    )
    # --- end of meetings
    # --- Legality (members/legality.py): SK files of unit A and member A, a board SK of position A.
    legality.set_unit_sk_file(unit=unit_a, document=scan, by=staff)
    legality.set_member_sk_file(member=member_a, document=scan, by=staff)
    decree_a = legality.record_board_decree(
        unit=unit_a, number="400/1/2025", issued_on=datetime.date(2025, 1, 6), issuer="Lurah",
        positions=[position_a], document=scan, by=staff,
    )  # fmt: skip
    # --- end of legality
    # --- Partners (members/partners.py): a partner of Kota Magelang serving unit A's kecamatan, with a
    # contribution to unit A.
    partner_a = Partner.objects.create(region=magelang["kota_magelang"], name="PT Sido Rukun", sector="lks")
    partner_a.kecamatan_served.set([magelang["magelang_tengah"]])
    contribution_a = partners.record_contribution(
        partner=partner_a,
        kind="uang",
        value=500000,
        given_on=datetime.date(2026, 1, 5),
        purpose="Sembako",
        unit=unit_a,
        by=staff,
    )
    # --- end of partners
    # --- Work programmes (members/programmes.py): unit A's programme of 2026 with one activity realised by
    # meeting A.
    programme_a = programmes.start_programme(unit=unit_a, year=2026, by=coordinator)
    activity_a = programmes.save_activity(
        activity=ProgrammeActivity(
            programme=programme_a, title="Pertemuan rutin Maret", kind="pertemuan", month=3, funding="swadaya"
        ),
        by=coordinator,
    )
    programmes.link_meeting(activity=activity_a, ref=str(meeting_a.pk), by=coordinator)
    # --- end of work programmes
    return {
        "users": {
            "anonymous": None,
            "coordinator": coordinator,
            "coordinator_b": coordinator_b,
            "viewer": viewer,
            "staff": staff,
            "staff_other": staff_other,
            "psm": psm,
        },
        "member_a": member_a,
        "member_a2": member_a2,
        "member_a_version": member_a.history.earliest().history_id,
        "unit_a": unit_a,
        "position_a": position_a,
        "kelurahan_a": rejowinangun.code,
        "kabkota": magelang["kota_magelang"].code,
        "card_token": card_token(member_a.pk),
        "case": case,
        "case_psm": case_psm,
        "activation_token": activation_token,
        "referral": referral,
        "event": event,
        "joint_event": joint_event,
        "invitation": proposed.organisers.get(region=magelang["kota_magelang"]),
        "session": session,
        "participant": participant,
        "participant_psm": participant_psm,
        "import_job": job,
        "notice": notice,
        "monthly_report": monthly_report,
        "report_photo": report_photo,
        "meeting_a": meeting_a,
        "decision_a": decision_a,
        "follow_up_a": follow_up_a,
        "attachment_a": attachment_a,
        "decree_a": decree_a,  # legality
        "partner_a": partner_a,
        "contribution_a": contribution_a,  # partners
        "programme_a": programme_a,  # work programmes
        "activity_a": activity_a,
        "sentinels": {
            "member": ["Rahasiawat"],
            "nik": [member_a.nik, " ".join(member_a.nik[i : i + 4] for i in range(0, 16, 4))],
            "case": [CASE_PERSON],
            "event": [EVENT_TITLE],
            "import": [IMPORT_FILE],
            "staff_user": [staff.get_username()],
        },
    }


@pytest.fixture(scope="module")
def browser_client():
    """One test client for the module: each Client loads the middleware again, and whitenoise then scans
    every static file (a third of a second). Roles switch by clearing its cookies."""
    return Client()


def _as(client: Client, world: dict, role: str) -> Client:
    """The client, logged in as `role` (the role's session from the data set; anonymous: no cookie)."""
    client.cookies.clear()
    if role in world["sessions"]:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    return client


def _url(name: str, rule: Rule, world: dict) -> str:
    kwargs = {}
    for pair in rule.params.split():
        key, value = pair.split("=", 1)
        value = world.get(value, value)
        kwargs[key] = getattr(value, "pk", value)
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{rule.query}" if rule.query else url


# --- Checking one response ---------------------------------------------------------------------------------


def _body(response) -> str:
    """The text a user receives: the page, the CSV, or every cell of an XLSX."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return content.decode("utf-8", errors="replace")


def _outcome_problem(response, expected: str, method: str, path: str) -> str | None:
    status = response.status_code
    location = response.get("Location", "")
    login = reverse("login")
    to_login = (
        status == 302 and urlsplit(location).path == login and "next" in parse_qs(urlsplit(location).query)
    )
    if expected == "login":
        if to_login and parse_qs(urlsplit(location).query)["next"] == [path]:
            return None
        return f"expected a redirect to {login}?next={path}, got {status} {location}".strip()
    if expected == "ok":
        if status in (200, 204) or (status in (301, 302, 303) and not to_login):
            return None
        if status == 400 and method == "post":
            return None
        return f"expected access (200/302, or 400 on an empty POST), got {status} {location}".strip()
    if expected == "public":
        return None if status == 200 else f"expected the public page (200), got {status}"
    return None if str(status) == expected else f"expected {expected}, got {status} {location}".strip()


def _leaks(body: str, role: str, expected: str, world: dict) -> list[str]:
    hidden = HIDDEN_FROM[role] - (PUBLIC_MAY_SHOW if expected == "public" else set())
    return [
        f"shows {kind} data ({text!r})"
        for kind in sorted(hidden)
        for text in world["sentinels"][kind]
        if text in body
    ]


def _fingerprint_sql() -> str:
    """One query hashing the content of every table (but the sessions, which any request may touch)."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy and model._meta.db_table != "django_session"
        }
    )
    quote = connection.ops.quote_name
    parts = [
        f"(SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {quote(table)} t)"
        for table in tables
    ]
    return f"SELECT md5(concat_ws('|', {', '.join(parts)}))"


def _fingerprint(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def _check(client, name: str, rule: Rule, method: str, world: dict, fingerprint_sql: str) -> list[str]:
    """The problems of one URL for every role: wrong outcome, data shown that must not be, refused writes."""
    expectations = (rule.get if method == "get" else rule.post).split()
    url = _url(name, rule, world)
    problems = []
    for role, expected in zip(ROLES, expectations, strict=True):
        with transaction.atomic():
            _as(client, world, role)
            before = _fingerprint(fingerprint_sql)
            try:
                response = client.get(url) if method == "get" else client.post(url, {})
                found = [_outcome_problem(response, expected, method, url)]
                found += _leaks(_body(response), role, expected, world)
            except Exception as error:  # noqa: BLE001 (a crash is one more cell of the report)
                found = [f"raised {type(error).__name__}: {error}"]
            if expected in ("login", "403", "404", "405") and _fingerprint(fingerprint_sql) != before:
                found.append("was refused but changed the database")
            problems += [f"{method.upper()} {url} as {role}: {text}" for text in found if text]
            transaction.set_rollback(True)
    return problems


OUTSIDERS = ("coordinator_b", "staff_other")


def _missing(value):
    """A value of the same shape that names nothing: a pk, or a region code whose last segment is 9s."""
    if isinstance(value, str):
        head, _dot, last = value.rpartition(".")
        return f"{head}.{'9' * len(last)}"
    return 987654321


def _outsider_problems(client, name: str, rule: Rule, world: dict) -> list[str]:
    """Users of another unit or kab/kota must get for a real object exactly what they get for a missing
    one, so that neither a 403 nor anything else tells them it exists (members/access.py)."""
    problems = []
    objects = [value for pair in rule.params.split() if (value := pair.split("=", 1)[1]) in world]
    for key in objects:
        url = _url(name, rule, {**world, key: _missing(getattr(world[key], "pk", world[key]))})
        for method in ("get", "post") if rule.post else ("get",):
            outcomes = dict(zip(ROLES, getattr(rule, method).split(), strict=True))
            for role in OUTSIDERS:
                if outcomes[role] not in ("403", "404"):
                    continue  # in the outsider's scope (a joint event), or a public page
                with transaction.atomic():
                    client = _as(client, world, role)
                    response = client.get(url) if method == "get" else client.post(url, {})
                    transaction.set_rollback(True)
                if str(response.status_code) != outcomes[role]:
                    problems.append(
                        f"{method.upper()} {url} as {role}: {response.status_code} for a missing {key}, "
                        f"but {outcomes[role]} for the real one (its existence shows)"
                    )
    return problems


@pytest.mark.parametrize("name", PATTERN_NAMES)
def test_url_follows_its_declared_rule(name, db, world, browser_client):
    assert name in RULES, (
        f"URL {name!r} has no rule in tests/test_permission_matrix.py RULES: declare, for each role "
        f"({', '.join(ROLES)}), what a GET (and for a view that writes, an empty POST) must give"
    )
    sql = _fingerprint_sql()
    problems = []
    for _name, rule in (item for item in _all_rules() if item[0] == name):
        problems += _check(browser_client, name, rule, "get", world, sql)
        if rule.post is not None:
            problems += _check(browser_client, name, rule, "post", world, sql)
        problems += _outsider_problems(browser_client, name, rule, world)
        assert resolve(urlsplit(_url(name, rule, world)).path).view_name == name
    assert not problems, "\n".join(problems)


# --- Positive controls: the checks above can see what they look for ---------------------------------------


def test_sentinels_show_where_the_role_may_see_them(db, world, browser_client):
    """Without this, the "shows ... data" checks could pass because the sentinels never appear anywhere."""
    client = _as(browser_client, world, "staff")
    pages = {
        "member": reverse("members:detail", args=[world["member_a"].pk]),
        "nik": reverse("members:detail", args=[world["member_a"].pk]),
        "case": reverse("cases:detail", args=[world["case"].pk]),
        "event": reverse("trainings:detail", args=[world["event"].pk]),
        "import": reverse("imports:job", args=[world["import_job"].pk]),
    }
    for kind, url in pages.items():
        assert world["sentinels"][kind][0] in _body(client.get(url)), kind
    download = _body(client.get(reverse("members:export", args=["xlsx"])))
    assert MEMBER_NAME in download and world["member_a"].nik in download
    # Who exported: another Kota Magelang staff user reads it in the export log (not just in the menu).
    with transaction.atomic():
        colleague = _role_user("operator-magelang", roles.STAFF, region=world["unit_a"].region.parent.parent)
        client.force_login(colleague)
        assert world["sentinels"]["staff_user"][0] in _body(client.get(reverse("exports:log")))
        transaction.set_rollback(True)


# --- Representative writes with valid data: done for the roles the rule allows, by no one else ------------


def _form_payload(form, **changes) -> dict:
    """What a browser would post back from the form as it was shown, with `changes`."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[form.add_prefix(name)] = [str(item) for item in value]
        elif isinstance(value, datetime.date):
            data[form.add_prefix(name)] = value.isoformat()
        else:
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    return {**data, **changes}


def _staff_form(client, world, url: str, **changes) -> dict:
    """The form of `url` as staff see it, posted back with `changes`."""
    _as(client, world, "staff")
    return _form_payload(client.get(url).context["form"], **changes)


def _member_edit_payload(client, world) -> dict:
    url = reverse("members:edit", args=[world["member_a"].pk])
    return _staff_form(client, world, url, full_name="Diubah Matriks")


def _pmks_grid_payload(client, world) -> dict:
    url = reverse("cases:pmks_grid", args=[world["kelurahan_a"]]) + "?periode=2022"
    data = _staff_form(client, world, url)
    first_count = next(key for key in data if key not in ("periode", "source", "data_date"))
    return {**data, first_count: "777"}


def _no_data(client, world) -> dict:
    return {}


# URL name -> (the valid POST data, whether the write happened). Who may write comes from RULES' post column.
WRITES = {
    "meetings:attendance": (
        lambda client, w: {"semua_hadir": "1"},
        lambda w: w["meeting_a"].attendance.filter(present=True).exists(),
    ),
    "cases:report_paper": (
        lambda client, w: {
            "kegiatan-TOTAL_FORMS": "1",
            "kegiatan-INITIAL_FORMS": "0",
            "kegiatan-0-kind": "rujukan",
            "kegiatan-0-done_on": "2026-03-02",
            "kegiatan-0-count": "1",
            "simpan": "1",
        },
        lambda w: MonthlyReport.objects.filter(member=w["member_a"], on_paper=True).exists(),
    ),
    "cases:report_return": (
        lambda client, w: {"note": "Lengkapi tanggal"},
        lambda w: MonthlyReport.objects.get(pk=w["monthly_report"].pk).state == "dikembalikan",
    ),
    "psm:report": (
        lambda client, w: {
            "kegiatan-TOTAL_FORMS": "1",
            "kegiatan-INITIAL_FORMS": "0",
            "kegiatan-0-kind": "kunjungan",
            "kegiatan-0-done_on": "2026-01-15",
            "kegiatan-0-count": "2",
            "simpan": "1",
        },
        lambda w: MonthlyReport.objects.filter(month=datetime.date(2026, 1, 1)).exists(),
    ),
    "psm:edit": (
        lambda client, w: {"phone": "0813 2222 3333", "address": "Jl. Baru 1", "rt": "1", "rw": "2"},
        lambda w: Member.objects.filter(phone="+6281322223333").exists(),
    ),
    "members:edit": (
        _member_edit_payload,
        lambda w: Member.objects.get(pk=w["member_a"].pk).full_name == "Diubah Matriks",
    ),
    "members:unit_confirm_roster": (
        _no_data,
        lambda w: type(w["unit_a"]).objects.get(pk=w["unit_a"].pk).roster_confirmed_at is not None,
    ),
    "members:merge": (
        lambda client, w: {"survivor": str(w["member_a"].pk)},
        lambda w: Member.objects.get(pk=w["member_a2"].pk).merged_into_id == w["member_a"].pk,
    ),
    "cases:status": (
        lambda client, w: {"new_status": "asesmen", "changed_on": w["case"].reported_on.isoformat()},
        lambda w: Case.objects.get(pk=w["case"].pk).status == "asesmen",
    ),
    "cases:pmks_grid": (
        _pmks_grid_payload,
        lambda w: w["case"].kelurahan.pmks_counts.filter(count=777).exists(),
    ),
    "cases:targets": (
        lambda client, w: {"min_active_psm": "7", "max_pmks_per_psm": "40"},
        lambda w: CoverageTarget.objects.filter(region_id=w["kabkota"], min_active_psm=7).exists(),
    ),
    "trainings:session_delete": (
        _no_data,
        lambda w: not Session.objects.filter(pk=w["session"].pk).exists(),
    ),
    "imports:confirm": (
        _no_data,
        lambda w: ImportJob.objects.get(pk=w["import_job"].pk).status != ImportStatus.CHECKED,
    ),
    "partners:contribution_delete": (
        _no_data,
        lambda w: not type(w["contribution_a"]).objects.filter(pk=w["contribution_a"].pk).exists(),
    ),
}


@pytest.mark.parametrize("name", WRITES)
def test_valid_write_is_done_only_by_the_roles_allowed(name, db, world, browser_client):
    (rule,) = [rule for rule_name, rule in _all_rules() if rule_name == name]
    payload_for, written = WRITES[name]
    url = _url(name, rule, world)
    problems = []
    for role, expected in zip(ROLES, rule.post.split(), strict=True):
        with transaction.atomic():
            payload = payload_for(browser_client, world)
            response = _as(browser_client, world, role).post(url, payload)
            if written(world) != (expected == "ok"):
                problems.append(
                    f"POST {url} as {role} ({response.status_code}): "
                    + ("was refused but wrote" if expected != "ok" else "allowed but wrote nothing")
                )
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)
