"""No NIK in the logs: the paths that handle NIKs run with every logger at DEBUG, and the log output (what
the configured handler writes, tracebacks included), the error emails and the commands' output are read."""

import io
import json
import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cases.models import PmksCategory
from ipsm.logs import NikRedactingFormatter, redact_niks
from ipsm.models import ImportJob, ImportStatus
from members import services
from members.importers import MemberImporter
from members.models import Member
from tests import factories

SIXTEEN_DIGITS = re.compile(r"(?<![0-9])[0-9]{16}(?![0-9])")
# The NIKs these tests type, in the forms people type them.
BAMBANG = "3371030501900003"  # male, born 5 January 1990
SITI = "3371034508850001"  # female, born 5 August 1985


def spaced(nik: str) -> str:
    return " ".join(nik[i : i + 4] for i in range(0, 16, 4))


def nik_leaks(text: str, niks) -> list[str]:
    digits_only = re.sub(r"[ .+\-]", "", text)
    return sorted(
        {nik for nik in niks if nik in text or nik in digits_only} | set(SIXTEEN_DIGITS.findall(text))
    )


@pytest.fixture
def log_output(caplog):
    """Every logger at DEBUG; the project's console handler writing into a buffer that the test reads."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, NikRedactingFormatter))
    buffer = io.StringIO()
    previous_stream = handler.setStream(buffer)
    loggers = [
        logging.getLogger(),
        *(v for v in logging.root.manager.loggerDict.values() if isinstance(v, logging.Logger)),
    ]
    levels = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        yield buffer
    finally:
        handler.setStream(previous_stream)
        for logger, level in levels.items():
            logger.setLevel(level)


def member_data(**overrides) -> dict:
    return {
        "nik": spaced(BAMBANG), "full_name": "Bambang Sutrisno", "sex": "L", "birth_place": "Magelang",
        "birth_date": "1990-01-05", "address": "Jl. Pahlawan 3", "kelurahan": "33.71.03.1003",
        "phone": "0812 3456 7890", "joined_on": "2024-02-01", "status": "calon", **overrides,
    }  # fmt: skip


def import_file(rows: list[list]) -> bytes:
    header = "NIK,Nama Lengkap,L/P,Tempat Lahir,Tanggal Lahir,Alamat,Kelurahan\n"
    return (header + "".join(",".join(row) + "\n" for row in rows)).encode()


SITI_ROW = [SITI, "Siti Rahayu", "P", "Magelang", "05/08/1985", "Jl. Sriwijaya 12", "33.71.03.1003"]


def test_nik_handling_paths_log_no_nik(
    log_output, caplog, settings, as_user, staff, unit_a, magelang, monkeypatch
):
    settings.ADMINS = [("Admin", "admin@dinsos.example.go.id")]  # error reports are mailed (locmem in tests)
    client = as_user(staff)
    create = reverse("members:create", args=[unit_a.pk])

    # A form refused for its NIK, then accepted; a NIK search that finds the member and one that does not.
    assert client.post(create, member_data(sex="P")).status_code == 200
    assert client.post(create, member_data()).status_code == 302
    member = Member.objects.get(nik=BAMBANG)
    assert client.post(reverse("members:search"), {"q": spaced(BAMBANG)}).status_code == 302
    client.post(reverse("members:search"), {"q": "3371 0399 0101 0001"})
    assert (
        client.post(
            reverse("members:edit", args=[member.pk]), member_data(nik="3371030501900000")
        ).status_code
        == 200
    )

    # A case with the person's NIK; the exports with whole NIKs.
    response = client.post(
        reverse("cases:create"),
        {"person_name": "Mbah Sukinah", "person_nik": "3371 0347 0450 0003", "person_sex": "P",
         "person_birth_date": "1950-04-07", "person_address": "Jl. Tidar 9",
         "kelurahan": magelang["cacaban"].code, "category": PmksCategory.objects.get(number=24).pk,
         "description": "Lansia.",
         "reported_on": "2024-01-02", "channel": "laporan_warga"},
    )  # fmt: skip
    assert response.status_code == 302
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("members:export", args=[fmt]))
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content

    # An import refused for its rows (a NIK twice, a NIK that does not agree with the sex).
    bad = [
        SITI_ROW,
        SITI_ROW,
        [BAMBANG[:-1] + "4", "Budi", "P", "Magelang", "05/01/1990", "Jl. A", "33.71.03.1003"],
    ]
    client.post("/impor/anggota/", {"file": SimpleUploadedFile("roster.csv", import_file(bad))})
    assert ImportJob.objects.latest("pk").status == ImportStatus.REFUSED

    # An import that dies on the database refusing a NIK registered meanwhile (IntegrityError quotes it).
    client.post("/impor/anggota/", {"file": SimpleUploadedFile("roster.csv", import_file([SITI_ROW]))})
    job = ImportJob.objects.latest("pk")
    original = MemberImporter.write_batch

    def registered_meanwhile(self, rows):
        factories.MemberFactory(unit=unit_a, nik=SITI)
        original(self, rows)

    monkeypatch.setattr(MemberImporter, "write_batch", registered_meanwhile)
    client.post(f"/impor/berkas/{job.pk}/impor/")
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED

    # A server error while registering: the same NIK saved by someone else between the check and the save.
    def registered_twice(*, member, by):
        services_register(
            member=factories.MemberFactory.build(unit=unit_a, nik=member.nik, kta_number="X-9"), by=by
        )
        return services_register(member=member, by=by)

    services_register = services.register_member
    monkeypatch.setattr(services, "register_member", registered_twice)
    browser = Client(raise_request_exception=False)
    browser.force_login(staff)
    nik = "3371031212800005"
    assert browser.post(create, member_data(nik=nik, birth_date="1980-12-12")).status_code == 500

    output = log_output.getvalue()
    niks = {BAMBANG, SITI, nik, "3371034704500003", "3371039901010001"}
    # The paths did log: the failed import and the server error, with their tracebacks.
    assert f"Import {job.pk} failed" in output and "IntegrityError" in output
    assert "Internal Server Error" in output
    assert nik_leaks(output, niks) == []
    # At the source, no message carries one either (only exceptions do, and the formatter masks those).
    assert nik_leaks(" ".join(record.getMessage() for record in caplog.records), niks) == []
    # The error report mailed to ADMINS.
    assert mail.outbox
    for message in mail.outbox:
        bodies = [message.subject, message.body, *(content for content, _type in message.alternatives)]
        assert nik_leaks(" ".join(bodies), niks) == []


def test_the_import_command_prints_no_nik(staff, unit_a, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(import_file([SITI_ROW, SITI_ROW]))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_members", str(path), stdout=out, stderr=err)
    with translation.override("id"):
        assert (
            translation.gettext("This NIK is already in row %(row)d of this file.") % {"row": 2}
            in out.getvalue()
        )
    assert nik_leaks(out.getvalue() + err.getvalue(), {SITI}) == []


def test_sql_logged_in_development_is_masked_too(log_output, member_a):
    # DEBUG=1 logs every query with its parameters; the formatter still masks the NIK among them.
    connection.force_debug_cursor = True
    try:
        list(Member.objects.filter(nik=member_a.nik))
    finally:
        connection.force_debug_cursor = False
    output = log_output.getvalue()
    assert "members_member" in output
    assert member_a.nik not in output
    assert member_a.masked_nik in output


def test_redact_niks_masks_every_way_of_writing_one():
    text = f"a {BAMBANG} b {spaced(BAMBANG)} c 3371.0305.0190.0003 d q=3371+0305+0190+0003 e"
    assert nik_leaks(redact_niks(text), {BAMBANG}) == []
    assert redact_niks(text).count("3371 03•• •••• 0003") == 4
    assert redact_niks("KTA 3371031003-0007, HP +6281234567890, 2026-11-29 06:11:33") == (
        "KTA 3371031003-0007, HP +6281234567890, 2026-11-29 06:11:33"
    )


def test_production_logging_never_logs_sql_even_at_debug(tmp_path):
    """The LOGGING that production gets (DEBUG=0, LOG_LEVEL=DEBUG), applied in a fresh process."""
    script = (
        "import django, json, logging; django.setup();"
        "from django.conf import settings;"
        "backends = logging.getLogger('django.db.backends');"
        "root = logging.getLogger();"
        "print(json.dumps({'debug': settings.DEBUG, 'root': root.level,"
        " 'sql': backends.getEffectiveLevel(),"
        " 'formatters': sorted({type(h.formatter).__name__ for h in root.handlers}),"
        " 'django': sorted(type(h).__name__ for h in logging.getLogger('django').handlers),"
        " 'reporter': settings.DEFAULT_EXCEPTION_REPORTER}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ipsm.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "ipsm.example.go.id",
        "LOG_LEVEL": "DEBUG",
        "DATABASE_URL": "postgresql://ipsm@localhost:5432/ipsm",  # not connected to
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=True,
    )
    configured = json.loads(result.stdout)
    assert configured == {
        "debug": False,
        "root": logging.DEBUG,
        "sql": logging.INFO,  # SQL (with NIKs in its parameters) is logged at DEBUG only
        "formatters": ["NikRedactingFormatter"],
        "django": ["AdminEmailHandler"],  # no unmasked handler of Django's own
        "reporter": "ipsm.logs.NikRedactingExceptionReporter",
    }
