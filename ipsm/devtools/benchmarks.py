"""`make bench`: the main pages timed through the real stack on a small and a large national data set.

1. Two databases on the same PostgreSQL server as the app (the embedded one in var/pgdata unless
   DATABASE_URL says otherwise): `ipsm_bench_small` (SMALL_SCALE) and `ipsm_bench_large` (LARGE_SCALE, the
   whole nation; `SCALE=0.1 make bench` for a tenth), migrated and filled by `generate_national_data`. Each
   is labelled with its scale (COMMENT ON DATABASE "national data 3, scale X", as
   ipsm/devtools/loadtest/run.py reads it)
   and kept: a re-run with the same scales only migrates them. `manage.py bench --rebuild` regenerates.
2. Per database, a child process (`manage.py bench --measure`, DATABASE_URL set to it) refreshes the
   coverage snapshot (ipsm.dashboard.snapshot, timed), creates two accounts without a usable password
   (`bench-admin`, a superuser, and `bench-staf`, Dinas Sosial staff of the benchmark kab/kota) and times each
   page with Django's test client (full middleware, sessions, templates, no test instrumentation) under
   DEBUG=False: one warm-up request, then the median of RUNS; a last request inside
   CaptureQueriesContext counts the queries. Streaming exports are read to the end.
3. The benchmark kab/kota is the one with the most IPSM units in the small data set; the generator gives a
   kab/kota the same data at every scale, so its pages compare like with like. Province, kecamatan and
   unit follow from it (its province; its kecamatan with the most desa; its unit with the most members).
4. Two floors in the same run: the framework's (FLOOR_URL, a view rendering a one-line template through
   the same middleware, reachable only under this module's URLconf) and the database's (the coverage
   rows of the kab/kota page, trainings.coverage.with_all_coverage, run as raw SQL).
5. var/bench.json: a list of {"name", "small_ms", "large_ms", "small_queries", "large_queries"};
   var/bench-details.json: scales, kab/kota, generation and snapshot times, and each page's ratios to the
   floors; the same as a table on stdout.

Targets (issue 6): the same number of queries at both scales for every page, and a page of one kab/kota at
most 2x slower at the large scale than at the small one. The national and province pages read the coverage
snapshot, so their time grows with the number of kelurahan read, not with the members and cases counted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

SMALL_SCALE = 0.005
LARGE_SCALE = 1.0  # the whole nation: about 10 minutes from scratch here, 3 with the data sets kept
RUNS = 5
DATABASES = {"small": "ipsm_bench_small", "large": "ipsm_bench_large"}
# The database's comment; ipsm/devtools/loadtest/run.py reads the same. The version changes with what the
# generator writes (2: a year of monthly reports; 3: the institution, partners and indicator targets), so that
# an older data set is built again.
LABEL = "national data 3, scale {scale}"
STAFF_USERNAME = "bench-staf"
ADMIN_USERNAME = "bench-admin"
FLOOR_URL = "/bench-floor/"
FRAMEWORK_FLOOR = "framework floor: minimal template page"
DATABASE_FLOOR = "database floor: coverage SQL of the kab/kota"
SNAPSHOT_REFRESH = "coverage snapshot refresh (background, 1 run)"
OUTPUT = settings.BASE_DIR / "var" / "bench.json"
DETAILS = settings.BASE_DIR / "var" / "bench-details.json"


# --- The framework's floor: only reachable under this URLconf (ROOT_URLCONF overridden while timing) ----

_FLOOR_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>floor</title><p>{{ user.username }}</p>"
)


def floor_view(request):
    return HttpResponse(_FLOOR_TEMPLATE.render({"user": request.user}, request))


urlpatterns = [path(FLOOR_URL.strip("/") + "/", floor_view)]


# --- The parent process: databases, child processes, the table ------------------------------------------


def label(scale: float) -> str:
    return LABEL.format(scale=f"{scale:g}")


def run(*, small: float, large: float, runs: int, rebuild: bool, out=print) -> list[dict]:
    """Build (or reuse) both databases, measure each in a child process, write and print the results."""
    server = _server()
    generated = {}
    for size, scale in (("small", small), ("large", large)):
        generated[size] = _ensure_database(server, DATABASES[size], scale, rebuild=rebuild, out=out)
    kabkota = _benchmark_kabkota(server, DATABASES["small"])
    results = {}
    for size, scale in (("small", small), ("large", large)):
        out(f"Measuring {DATABASES[size]} ({label(scale)}), kab/kota {kabkota}, {runs} runs per page...")
        results[size] = _measure_in_child(server, DATABASES[size], kabkota=kabkota, runs=runs)
    rows = [
        {
            "name": page["name"],
            "small_ms": page["ms"],
            "large_ms": large_page["ms"],
            "small_queries": page["queries"],
            "large_queries": large_page["queries"],
        }
        for page, large_page in zip(results["small"]["pages"], results["large"]["pages"], strict=True)
    ]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(rows, indent=2) + "\n")
    details = {
        "scales": {"small": small, "large": large},
        "kabkota": kabkota,
        "runs": runs,
        "cpus": os.cpu_count(),
        "generation_seconds": generated,
        "targets": {"pages": results["small"]["targets"], "large": results["large"]["targets"]},
        "ratios": {size: _ratios(results[size]["pages"]) for size in results},
    }
    DETAILS.write_text(json.dumps(details, indent=2) + "\n")
    _print_table(rows, details, out)
    return rows


def _server() -> dict:
    params = settings.DATABASES["default"]
    return {key: params.get(key) or "" for key in ("HOST", "PORT", "USER", "PASSWORD")}


def _connect(server: dict, database: str):
    import psycopg

    return psycopg.connect(
        host=server["HOST"],
        port=server["PORT"],
        user=server["USER"],
        password=server["PASSWORD"] or None,
        dbname=database,
        autocommit=True,
    )


def _url(server: dict, database: str) -> str:
    password = f":{quote(server['PASSWORD'], safe='')}" if server["PASSWORD"] else ""
    return (
        f"postgresql://{quote(server['USER'], safe='')}{password}@{quote(server['HOST'], safe='')}:"
        f"{server['PORT']}/{database}"
    )


def _ensure_database(server: dict, database: str, scale: float, *, rebuild: bool, out) -> float | None:
    """Reuse `database` when it holds the data set at `scale`, else build it; the generator's seconds."""
    wanted = label(scale)
    with _connect(server, "postgres") as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
        if row and row[0] == wanted and not rebuild:
            out(f"{database}: {wanted} (kept from an earlier run)")
            _manage("migrate", "--no-input", "-v0", database=_url(server, database))
            return None
        out(f"{database}: generating {wanted}...")
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    url = _url(server, database)
    _manage("migrate", "--no-input", "-v0", database=url)
    started = time.monotonic()
    _manage("generate_national_data", "--scale", f"{scale:g}", database=url)
    seconds = round(time.monotonic() - started, 1)
    with _connect(server, "postgres") as conn:
        conn.execute(f"COMMENT ON DATABASE \"{database}\" IS '{wanted}'")
    return seconds


def _manage(*args: str, database: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *args],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": database},
        check=True,
        stdout=subprocess.PIPE if "--measure" in args else None,
        text=True,
    )


def _benchmark_kabkota(server: dict, database: str) -> str:
    with _connect(server, database) as conn:
        row = conn.execute(
            "SELECT left(region_id, 5) FROM members_unit GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        ).fetchone()
    if row is None:
        raise RuntimeError(f"{database} has no IPSM units")
    return row[0]


def _measure_in_child(server: dict, database: str, *, kabkota: str, runs: int) -> dict:
    done = _manage(
        "bench", "--measure", "--kabkota", kabkota, "--runs", str(runs), database=_url(server, database)
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ratios(pages: list[dict]) -> dict[str, dict]:
    by_name = {page["name"]: page["ms"] for page in pages}
    framework, database = by_name[FRAMEWORK_FLOOR], by_name[DATABASE_FLOOR]
    return {
        page["name"]: {
            "framework_floor": round(page["ms"] / framework, 1) if framework else None,
            "database_floor": round(page["ms"] / database, 1) if database else None,
        }
        for page in pages
        if page["name"] not in (FRAMEWORK_FLOOR, DATABASE_FLOOR, SNAPSHOT_REFRESH)
    }


def _print_table(rows: list[dict], details: dict, out) -> None:
    ratios = details["ratios"]["large"]
    header = (
        f"{'page':<48} {'small ms':>9} {'large ms':>9} {'x':>5} {'queries':>9}  {'/framework':>10} {'/db':>6}"
    )
    out("")
    out(
        f"Scales: small {details['scales']['small']:g}, large {details['scales']['large']:g}; "
        f"kab/kota {details['kabkota']}; median of {details['runs']} runs; ratios to the floors: large scale"
    )
    out(header)
    out("-" * len(header))
    for row in rows:
        factor = row["large_ms"] / row["small_ms"] if row["small_ms"] else 0
        queries = f"{row['small_queries']}/{row['large_queries']}"
        ratio = ratios.get(row["name"], {})
        framework = f"{ratio['framework_floor']:.1f}" if ratio.get("framework_floor") else ""
        database = f"{ratio['database_floor']:.1f}" if ratio.get("database_floor") else ""
        out(
            f"{row['name'][:48]:<48} {row['small_ms']:>9.1f} {row['large_ms']:>9.1f} {factor:>5.2f} "
            f"{queries:>9}  {framework:>10} {database:>6}"
        )
    same = all(row["small_queries"] == row["large_queries"] for row in rows)
    out(f"\nSame number of queries at both scales: {'yes' if same else 'NO'}. Written to {OUTPUT}.")
    for size, seconds in details["generation_seconds"].items():
        if seconds is not None:
            out(f"generate_national_data --scale {details['scales'][size]:g}: {seconds:.0f} s")


# --- The child process: one database -------------------------------------------------------------------


@dataclass
class Page:
    name: str
    url: str
    user: str  # "staff" or "admin"


def measure(*, kabkota: str, runs: int) -> dict:
    """Time every page on the database this process is configured for (see the module docstring)."""
    from django.db.models import Count
    from django.utils import timezone

    from ipsm.dashboard.snapshot import refresh_coverage_snapshot
    from members.models import Region, RegionLevel, Unit

    staff, admin = _accounts(kabkota)
    refresh_started = time.perf_counter()
    with CaptureQueriesContext(connection) as refresh_queries:
        refresh_coverage_snapshot()
    refresh_ms = (time.perf_counter() - refresh_started) * 1000
    refresh_query_count = len(refresh_queries)  # now: each request the client makes empties the log
    kecamatan = (
        Region.objects.filter(level=RegionLevel.KECAMATAN, code__startswith=kabkota)
        .annotate(desa=Count("children"))
        .order_by("-desa", "code")
        .values_list("code", flat=True)
        .first()
    )
    unit = (
        Unit.objects.within(kabkota)
        .annotate(size=Count("members"))
        .order_by("-size", "region_id")
        .values_list("pk", flat=True)
        .first()
    )
    last_year = timezone.localdate().year - 1  # the generator's indicator targets
    pages = [
        Page("coverage: national (superuser /)", "/", "admin"),
        Page(f"coverage: province {kabkota[:2]}", f"/cakupan/{kabkota[:2]}/", "admin"),
        Page(f"coverage: kab/kota {kabkota} (staff /)", "/", "staff"),
        Page("coverage: kecamatan", f"/cakupan/{kecamatan}/", "staff"),
        Page("member list, status=aktif", "/anggota/?status=aktif", "staff"),
        Page("unit page (largest unit)", f"/unit/{unit}/", "staff"),
        Page("case list", "/kasus/", "staff"),
        Page("indicator report (counted within 10 minutes)", "/indikator/", "staff"),
        Page("indicator report, counted afresh", "/indikator/?hitung_ulang=1", "staff"),
        Page("export: members CSV of the kab/kota", "/anggota/ekspor/csv/", "staff"),
        Page("reporting rate: national (snapshot)", "/laporan-bulanan/", "admin"),
        Page(
            f"reporting rate: province {kabkota[:2]} (snapshot)", f"/laporan-bulanan/{kabkota[:2]}/", "admin"
        ),
        Page(f"reporting rate: kab/kota {kabkota}", "/laporan-bulanan/", "staff"),
        Page("reporting rate: kecamatan", f"/laporan-bulanan/{kecamatan}/", "staff"),
        Page("monthly reports of the largest unit", f"/unit/{unit}/laporan/", "staff"),
        Page(
            "export: reporting rate CSV of the kab/kota", f"/laporan-bulanan/{kabkota}/ekspor/csv/", "staff"
        ),
        # The institution and its partners (issue 15).
        Page("meetings of the largest unit", f"/unit/{unit}/rapat/", "staff"),
        Page(f"forum meetings of kab/kota {kabkota}", f"/wilayah/{kabkota}/rapat/", "staff"),
        Page(f"legality of kab/kota {kabkota}", f"/wilayah/{kabkota}/legalitas/", "staff"),
        Page(
            "export: legality CSV, PSM without a valid SK",
            f"/wilayah/{kabkota}/legalitas/psm/ekspor/csv/",
            "staff",
        ),
        Page("partner directory", "/mitra/", "staff"),
        Page(f"indicator targets {last_year}", f"/indikator/target/{kabkota}/{last_year}/", "staff"),
        Page(f"export: LKjIP CSV {last_year}", f"/indikator/lkjip/{kabkota}/{last_year}/csv/", "staff"),
        Page("work programme of the largest unit", f"/unit/{unit}/program-kerja/", "staff"),
        Page(f"work programmes of kab/kota {kabkota}", f"/wilayah/{kabkota}/program-kerja/", "staff"),
        Page(f"work programmes of province {kabkota[:2]}", f"/wilayah/{kabkota[:2]}/program-kerja/", "admin"),
    ]
    clients = {"staff": Client(), "admin": Client()}
    clients["staff"].force_login(staff)
    clients["admin"].force_login(admin)
    results = []
    # The snapshot was just refreshed: no page may queue another while it is timed.
    with override_settings(ALLOWED_HOSTS=["testserver"], COVERAGE_SNAPSHOT_MAX_AGE=None):
        for page in pages:
            results.append(_time_page(clients[page.user], page, runs))
        with override_settings(ROOT_URLCONF=__name__):
            results.append(_time_page(clients["staff"], Page(FRAMEWORK_FLOOR, FLOOR_URL, "staff"), runs))
    results.append(_time_database_floor(kabkota, runs))
    results.append(
        {"name": SNAPSHOT_REFRESH, "ms": round(refresh_ms, 1), "queries": refresh_query_count, "runs": []}
    )
    return {
        "pages": results,
        "targets": {"kabkota": kabkota, "kecamatan": kecamatan, "unit": unit},
    }


def _accounts(kabkota: str):
    """The two benchmark users (no usable password: the test client logs them in directly)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ipsm import roles
    from members.models import Assignment

    User = get_user_model()
    admin, _created = User.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"is_superuser": True, "is_staff": True}
    )
    staff, _created = User.objects.get_or_create(username=STAFF_USERNAME)
    for user in (admin, staff):
        user.set_unusable_password()
        user.save()
    staff.groups.set([Group.objects.get(name=roles.STAFF)])
    Assignment.objects.update_or_create(user=staff, defaults={"region_id": kabkota, "unit": None})
    return staff, admin


def _fetch(client: Client, url: str) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return len(body)


def _time_page(client: Client, page: Page, runs: int) -> dict:
    _fetch(client, page.url)  # warm-up: template and URL caches, connection, first plan
    times = []
    with override_settings(DEBUG=False):
        for _ in range(runs):
            started = time.perf_counter()
            _fetch(client, page.url)
            times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        _fetch(client, page.url)
    return {
        "name": page.name,
        "ms": round(statistics.median(times), 1),
        "queries": len(queries),
        "runs": [round(t, 1) for t in times],
    }


def _time_database_floor(kabkota: str, runs: int) -> dict:
    """The kab/kota page's coverage rows as raw SQL (every kelurahan with every figure, from which the page
    sums and sorts): what the database needs, without Django."""
    from cases.models import Kelurahan, PmksCount
    from trainings.coverage import with_all_coverage

    periods = PmksCount.objects.filter(kelurahan__code__startswith=kabkota).periods()
    period = periods[0] if periods else None
    kelurahan = with_all_coverage(Kelurahan.objects.within(kabkota), period)
    sql, params = kelurahan.values_list().query.sql_with_params()
    times = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)  # warm-up
        cursor.fetchall()
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append((time.perf_counter() - started) * 1000)
    return {
        "name": DATABASE_FLOOR,
        "ms": round(statistics.median(times), 1),
        "queries": 1,
        "runs": [round(t, 1) for t in times],
    }
