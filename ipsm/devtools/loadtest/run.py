"""`make loadtest`: gunicorn with the production settings on a real PostgreSQL, driven by locust.

1. The database `ipsm_loadtest` on the embedded PostgreSQL (var/pgdata): the national data set at
   LOADTEST_SCALE (default: the benchmark's large scale, LARGE_SCALE in ipsm/devtools/benchmarks.py),
   copied from
   `make bench`'s large database when that holds the same scale, else generated (minutes); the demo data
   where the generator is missing. Kept between runs; rebuilt when the scale asked for changes.
2. `manage.py prepare_loadtest`: staff accounts with a known password, in that database only, two per
   kab/kota; LOADTEST_KABKOTA "sample" (default: 10 kab/kota drawn at random, a typical mix of offices) or
   "largest" (the 10 with the most units: the worst case).
3. `collectstatic` (manifest, as in production) into var/staticfiles, then gunicorn on 127.0.0.1 with DEBUG=0,
   a fresh SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 and SECURE_SSL_REDIRECT=0 (plain HTTP on loopback, where
   nginx would end TLS): LOADTEST_WORKERS (3) sync workers, or gthread with LOADTEST_THREADS > 1.
4. locust, headless (ipsm/devtools/loadtest/locustfile.py): LOADTEST_USERS (20) staff,
   LOADTEST_SPAWN_RATE (5/s), LOADTEST_RUN_TIME (60s), LOADTEST_THINK_TIME ("1,3" seconds between clicks).
5. Throughput, p50/p95/p99 and errors per page from locust's CSV (the logged-in workload; the logins are
   reported apart as the warm-up), the CPU each side used, printed and written to var/loadtest.json.
   Exit status 1 when a request failed or p95 is over LOADTEST_P95_TARGET_MS (500).

Every process started here is stopped before it returns.
"""

from __future__ import annotations

import ast
import csv
import datetime
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(BASE_DIR))

from ipsm.embedded_db import DEV_PGDATA, connection_settings, start_server  # noqa: E402

VAR = BASE_DIR / "var" / "loadtest"
RESULT = BASE_DIR / "var" / "loadtest.json"
BIN = Path(sys.executable).parent
DATABASE = "ipsm_loadtest"
GENERATOR = BASE_DIR / "ipsm" / "management" / "commands" / "generate_national_data.py"
BENCH_LARGE_DATABASE = "ipsm_bench_large"


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def main() -> int:
    users = int(env("LOADTEST_USERS", "20"))
    spawn_rate = env("LOADTEST_SPAWN_RATE", "5")
    run_time = env("LOADTEST_RUN_TIME", "60s")
    workers = int(env("LOADTEST_WORKERS", "3"))
    threads = int(env("LOADTEST_THREADS", "1"))
    p95_target = float(env("LOADTEST_P95_TARGET_MS", "500"))
    VAR.mkdir(parents=True, exist_ok=True)

    server = start_server(DEV_PGDATA, keep_running=True)
    params = connection_settings(server)
    database_url = f"postgresql://postgres@{quote(params['HOST'], safe='')}:{params['PORT']}/{DATABASE}"
    dataset = ensure_database(params, database_url)
    kabkota = env("LOADTEST_KABKOTA", "sample")
    prepare = ["prepare_loadtest", "--users", str(users), "--kabkota", kabkota]
    manage(*prepare, "--targets", str(VAR / "targets.json"), db=database_url)

    production = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    manage("collectstatic", "--no-input", "-v0", db=database_url, extra=production)
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    gunicorn_args = [
        str(BIN / "gunicorn"),
        "ipsm.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--worker-class={'gthread' if threads > 1 else 'sync'}",
        "--timeout=60",
    ]
    print(f"gunicorn: {workers} workers x {threads} threads on {host}", flush=True)
    with open(VAR / "gunicorn.log", "w") as log:
        gunicorn = subprocess.Popen(
            gunicorn_args, cwd=BASE_DIR, env={**os.environ, **production}, stdout=log, stderr=log
        )
        try:
            wait_for(f"{host}/masuk/", gunicorn)
            (VAR / "warmup.json").unlink(missing_ok=True)  # this run's locust writes it afresh
            cpu = CpuSampler(gunicorn.pid, VAR / "warmup.json")
            cpu.start()
            with (VAR / "locust.log").open("w") as locust_log:
                locust = subprocess.run(
                    [
                        str(BIN / "locust"),
                        "--locustfile=ipsm/devtools/loadtest/locustfile.py",
                        "--headless",
                        f"--users={users}",
                        f"--spawn-rate={spawn_rate}",
                        f"--run-time={run_time}",
                        f"--host={host}",
                        f"--csv={VAR / 'locust'}",
                        "--stop-timeout=10",
                        "--only-summary",
                        "--loglevel=WARNING",
                    ],
                    cwd=BASE_DIR,
                    env={
                        **os.environ,
                        "LOADTEST_TARGETS": str(VAR / "targets.json"),
                        "LOADTEST_WARMUP": str(VAR / "warmup.json"),
                    },
                    stdout=locust_log,
                    stderr=locust_log,
                )
            cpu_seconds = cpu.stop()
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
                gunicorn.wait()

    targets = json.loads((VAR / "targets.json").read_text())
    pages = read_stats(VAR / "locust_stats.csv")
    total = pages.pop("Aggregated")
    warm_up = json.loads((VAR / "warmup.json").read_text()) if (VAR / "warmup.json").exists() else None
    warm_up_failures = sum(page["failures"] for page in warm_up["pages"]) if warm_up else 0
    result = {
        "finished_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "dataset": dataset,
        "users": users,
        "kabkota": f"{kabkota}: " + ", ".join(sorted({a["kabkota"] for a in targets["accounts"]})),
        "spawn_rate": float(spawn_rate),
        "run_time": run_time,
        "think_time_s": env("LOADTEST_THINK_TIME", "1,3"),
        "gunicorn": {"workers": workers, "threads": threads},
        "cpus": os.cpu_count(),
        # The figures below are of the logged-in staff's workload, from the moment the last user logged in
        # to the end; the logins are in "warm_up".
        "measured_seconds": total["requests"] / total["rps"] if total["rps"] else 0,
        **total,
        "p95_target_ms": p95_target,
        "target_met": warm_up is not None
        and total["failures"] == 0
        and warm_up_failures == 0
        and total["p95_ms"] <= p95_target,
        "pages": [{"name": name, **row} for name, row in pages.items() if row["requests"]],
        "failures_seen": read_failures(VAR / "locust_failures.csv"),
        "warm_up": warm_up,
        # CPU seconds used by each side (divide by the seconds measured for the cores in use).
        "cpu_seconds": cpu_seconds,
    }
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    if locust.returncode not in (0, 1):  # 1: some requests failed, reported above
        print(f"locust exited with {locust.returncode}: see {VAR / 'locust.log'}", file=sys.stderr)
        return locust.returncode
    return 0 if result["target_met"] else 1


class CpuSampler(threading.Thread):
    """CPU seconds used by gunicorn (master and workers), locust and the load-test database's PostgreSQL
    backends, from /proc, sampled twice a second (a backend that exits is counted at its last sample); split
    at the end of the warm-up (when locust writes its file)."""

    def __init__(self, gunicorn_pid: int, warm_up_file: Path):
        super().__init__(daemon=True)
        self.gunicorn_pid = gunicorn_pid
        self.warm_up_file = warm_up_file
        self.seen: dict[int, tuple[str, float]] = {}
        self.done = threading.Event()
        self.tick = os.sysconf("SC_CLK_TCK")
        self.sample()
        # What the processes already running had used before (gunicorn's start-up) is not counted.
        self.baseline = self.totals()
        self.after_warm_up: dict[str, float] | None = None

    def run(self) -> None:
        while not self.done.wait(0.5):
            self.sample()
            if self.after_warm_up is None and self.warm_up_file.exists():
                self.after_warm_up = self.totals()

    def stop(self) -> dict[str, dict[str, float]]:
        self.done.set()
        self.join()
        self.sample()
        end = self.totals()
        middle = self.after_warm_up or self.baseline
        return {
            "warm_up": {side: round(middle[side] - self.baseline[side], 1) for side in end},
            "measured": {side: round(end[side] - middle[side], 1) for side in end},
        }

    def totals(self) -> dict[str, float]:
        totals = {"gunicorn": 0.0, "postgresql": 0.0, "locust": 0.0}
        for side, seconds in self.seen.values():
            totals[side] += seconds
        return totals

    def sample(self) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue  # exited meanwhile
            fields = stat[stat.rindex(")") + 2 :].split()
            pid, ppid = int(entry.name), int(fields[1])
            if pid == self.gunicorn_pid or ppid == self.gunicorn_pid:
                side = "gunicorn"
            elif "locust" in cmdline and "--headless" in cmdline:
                side = "locust"
            elif cmdline.startswith("postgres: ") and f" {DATABASE} " in cmdline:
                side = "postgresql"
            else:
                continue
            self.seen[pid] = (side, (int(fields[11]) + int(fields[12])) / self.tick)


def ensure_database(params: dict, database_url: str) -> str:
    """The load-test database, built for the data set asked for; returns that data set's label."""
    import psycopg

    scale = float(env("LOADTEST_SCALE", default_scale()))
    # The same label as the benchmark's databases (ipsm/devtools/benchmarks.py LABEL): one can be copied.
    dataset = f"national data 3, scale {scale:g}" if GENERATOR.exists() else "demo data"
    with psycopg.connect(
        host=params["HOST"], port=params["PORT"], user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        if label_of(conn, DATABASE) == dataset:
            print(f"Load-test database {DATABASE}: {dataset} (kept from an earlier run)", flush=True)
            manage("migrate", "--no-input", "-v0", db=database_url)
            return dataset
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        started = time.monotonic()
        if GENERATOR.exists() and label_of(conn, BENCH_LARGE_DATABASE) == dataset and copy_bench(conn):
            print(
                f"Load-test database {DATABASE}: copied from {BENCH_LARGE_DATABASE} ({dataset})", flush=True
            )
            manage("migrate", "--no-input", "-v0", db=database_url)
        else:
            print(f"Load-test database {DATABASE}: loading {dataset}", flush=True)
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
            manage("migrate", "--no-input", "-v0", db=database_url)
            if GENERATOR.exists():
                generate = ["generate_national_data", "--scale", f"{scale:g}"]
                manage(*generate, db=database_url, extra={"DEBUG": "1"})
            else:
                manage("load_regions", db=database_url)
                manage("load_demo", db=database_url, extra={"DEBUG": "1"})
        print(f"  ready in {time.monotonic() - started:.0f} s", flush=True)
        conn.execute(f"COMMENT ON DATABASE \"{DATABASE}\" IS '{dataset}'")
    return dataset


def copy_bench(conn, attempts: int = 24) -> bool:
    """Copy the benchmark's large database file by file: seconds, where generating it takes many minutes.
    PostgreSQL copies only a database nobody is connected to: while `make bench` measures it, wait a while."""
    import psycopg

    for attempt in range(attempts):
        try:
            conn.execute(f'CREATE DATABASE "{DATABASE}" TEMPLATE "{BENCH_LARGE_DATABASE}" STRATEGY FILE_COPY')
            return True
        except psycopg.errors.ObjectInUse:
            if attempt == 0:
                print(f"{BENCH_LARGE_DATABASE} is in use (make bench?): waiting up to 2 minutes", flush=True)
            time.sleep(5)
    print(f"{BENCH_LARGE_DATABASE} stayed in use: generating the data instead", flush=True)
    return False


def default_scale() -> str:
    """The benchmark's large scale (LARGE_SCALE in ipsm/devtools/benchmarks.py), read without Django."""
    source = BASE_DIR / "ipsm" / "devtools" / "benchmarks.py"
    if source.exists():
        for node in ast.parse(source.read_text()).body:
            if isinstance(node, ast.Assign) and any(
                getattr(t, "id", "") == "LARGE_SCALE" for t in node.targets
            ):
                return str(ast.literal_eval(node.value))
    return "0.1"


def label_of(conn, database: str) -> str | None:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database]
    ).fetchone()
    return row[0] if row else None


def manage(*args: str, db: str, extra: dict | None = None) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": db, **(extra or {})},
        check=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (see {VAR / 'gunicorn.log'})")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def read_stats(path: Path) -> dict[str, dict]:
    rows = {}
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "avg_ms": round(float(row["Average Response Time"])),
                "p50_ms": number(row["50%"]),
                "p95_ms": number(row["95%"]),
                "p99_ms": number(row["99%"]),
                "max_ms": round(float(row["Max Response Time"])),
            }
    return rows


def read_failures(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return [
            {"name": row["Name"], "error": row["Error"], "occurrences": int(row["Occurrences"])}
            for row in csv.DictReader(f)
        ]


def number(text: str) -> float:
    return 0.0 if text in ("", "N/A") else float(text)


def print_table(result: dict) -> None:
    gunicorn = result["gunicorn"]
    print(
        f"\nLoad test: {result['users']} staff, {result['run_time']}, on {result['dataset']}; gunicorn"
        f" {gunicorn['workers']} workers x {gunicorn['threads']} threads, {result['cpus']} cores"
    )
    print(f"Kab/kota of the staff ({result['kabkota']})")
    warm_up = result["warm_up"]
    if warm_up is None:
        print("The users never all logged in: no figures for the logged-in workload.")
    else:
        print(f"Warm-up, {warm_up['seconds']:.0f} s while the users logged in (not in the table):")
        for page in warm_up["pages"]:
            figures = f"p50 {page['p50_ms']:.0f} ms, p95 {page['p95_ms']:.0f} ms, max {page['max_ms']} ms"
            print(f"  {page['name']}: {page['requests']} requests, {page['failures']} errors, {figures}")
    print(f"Logged-in workload, the {result['measured_seconds']:.0f} s after the last login (times in ms):")
    header = f"{'page':<40} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6}"
    print(header)
    print("-" * len(header))
    for row in [*result["pages"], {"name": "all requests", **result}]:
        print(
            f"{row['name'][:40]:<40} {row['requests']:>8} {row['failures']:>6} {row['rps']:>6.1f}"
            f" {row['p50_ms']:>6.0f} {row['p95_ms']:>6.0f} {row['p99_ms']:>6.0f}"
        )
    seconds = result["measured_seconds"] or 1
    cores = [f"{side} {used / seconds:.2f}" for side, used in result["cpu_seconds"]["measured"].items()]
    print("Cores in use meanwhile: " + ", ".join(cores))
    for failure in [*(warm_up or {}).get("errors", []), *result["failures_seen"]]:
        print(f"error: {failure['name']}: {failure['error']} ({failure['occurrences']}x)")
    verdict = "met" if result["target_met"] else "NOT met"
    target = f"no errors, p95 <= {result['p95_target_ms']:.0f} ms"
    print(f"Target ({target}): {verdict}. Written to {RESULT.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    sys.exit(main())
