"""An import that dies halfway leaves nothing half-written: every batch is written inside one transaction
(ipsm.lib.imports), whether the failure is an exception in a later batch or the process being killed."""

import csv
import datetime
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation

from ipsm.lib import imports
from ipsm.models import ImportJob, ImportStatus
from members.importers import MemberImporter
from members.models import Member, StatusChange, Unit
from members.nik import build_nik

HEADER = ["NIK", "Nama Lengkap", "L/P", "Tempat Lahir", "Tanggal Lahir", "Alamat", "Kelurahan"]


def roster(count: int) -> bytes:
    """`count` (at most 135,000) new, valid members of Rejowinangun Utara, each with their own NIK."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for index in range(count):
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=index % 15_000)  # up to 1991
        female = index % 2 == 1
        nik = build_nik(region_code="33.71.03", birth_date=born, is_female=female, serial=1 + index // 15_000)
        writer.writerow(
            [
                nik,
                f"Warga Uji {index}",
                "P" if female else "L",
                "Magelang",
                born.strftime("%d/%m/%Y"),
                "Jl. Tidar 1",
                "33.71.03.1003",
            ]  # fmt: skip
        )
    return buffer.getvalue().encode("utf-8-sig")


def in_indonesian(message: str) -> str:
    with translation.override("id"):
        return translation.gettext(message)


@pytest.mark.django_db
def test_an_exception_in_a_later_batch_rolls_back_the_batches_already_written(
    as_user, staff, unit_a, monkeypatch
):
    monkeypatch.setattr(imports, "BATCH_SIZE", 5)
    client = as_user(staff)
    client.post("/impor/anggota/", {"file": SimpleUploadedFile("roster.csv", roster(12))})
    job = ImportJob.objects.get()
    assert (job.status, job.new_rows) == (ImportStatus.CHECKED, 12)

    written = []
    original = MemberImporter.write_batch

    def dies_on_the_second_batch(self, rows):
        if written:
            raise RuntimeError("the disk is full")
        original(self, rows)
        written.append(len(rows))
        assert Member.objects.count() == 5  # the first batch really was written, inside the transaction

    monkeypatch.setattr(MemberImporter, "write_batch", dies_on_the_second_batch)
    client.post(f"/impor/berkas/{job.pk}/impor/")

    job.refresh_from_db()
    assert written == [5]
    assert job.status == ImportStatus.FAILED
    assert job.message == in_indonesian("The import failed because of an internal error; nothing was saved.")
    assert not Member.objects.exists()
    assert not StatusChange.objects.exists()
    assert not Member.history.exists()
    assert Unit.objects.get(pk=unit_a.pk).kta_serial == 0  # KTA serials taken by batch 1 are given back


# The process killed with SIGKILL in the middle of the import: no Python code runs to clean up, and the
# database throws the open transaction away when the connection drops.

ROWS = 30_000  # 30 batches of ipsm.lib.imports.BATCH_SIZE; it is killed after the third


def database_url() -> str:
    params = connection.settings_dict
    host = params["HOST"].replace("/", "%2F")
    return f"postgresql://{params['USER']}:{params['PASSWORD']}@{host}:{params['PORT']}/{params['NAME']}"


def locks_on_members(conn: psycopg.Connection, pid: int) -> int:
    """Row-level write locks of backend `pid` on the members table: it has written rows not yet committed."""
    return conn.execute(
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
        " WHERE c.relname = 'members_member' AND l.mode = 'RowExclusiveLock' AND l.pid = %s",
        [pid],
    ).fetchone()[0]


def import_backend(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        " AND xact_start IS NOT NULL AND application_name <> 'pytest'"
        " ORDER BY xact_start LIMIT 1"
    ).fetchone()
    assert row, "the import's connection was not found"
    return row[0]


@pytest.mark.django_db(transaction=True)
def test_an_import_process_killed_midway_leaves_no_member(unit_a, tmp_path: Path):
    path = tmp_path / "roster.csv"
    path.write_bytes(roster(ROWS))
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "ipsm.settings"}
    process = subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "import_members", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(180, process.kill)
    watchdog.start()
    params = connection.get_connection_params()
    try:
        with psycopg.connect(**params, autocommit=True, application_name="pytest") as observer:
            progress = []
            # One "Rows processed" line per batch, printed after the batch is written.
            while len(progress) < 3:
                line = process.stderr.readline()
                assert line, f"the import ended early: {progress}"
                if any(char.isdigit() for char in line):
                    progress.append(line.strip())
            backend = import_backend(observer)
            assert locks_on_members(observer, backend) > 0  # three batches are in the open transaction
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
            # The server notices the dropped client and rolls its transaction back.
            deadline = time.monotonic() + 30
            while observer.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone():
                assert time.monotonic() < deadline, "the killed import's backend is still there"
                time.sleep(0.1)
    finally:
        watchdog.cancel()
        process.kill()
        process.wait()
        process.stderr.close()

    assert len(progress) == 3
    assert not Member.objects.exists()
    assert not StatusChange.objects.exists()
    assert Unit.objects.get(pk=unit_a.pk).kta_serial == 0
