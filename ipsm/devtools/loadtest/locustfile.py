"""The load test's workload (`make loadtest` runs it through ipsm/devtools/loadtest/run.py): logged-in staff.

Each simulated user logs in through the real login form (CSRF token and all) as one of the accounts that
`manage.py prepare_loadtest` created, then clicks through the pages staff use most, with a think time
between clicks. Page weights are roughly what a working day looks like: the registry and cases most, the
reports less, an export now and then. Targets (kecamatan, units, members, cases of the account's kab/kota)
come from the JSON file that command wrote (LOADTEST_TARGETS).

What is measured: the staff's work once they are all logged in. Each user logs in as it is spawned, then
waits until every user has (the logins, each a PBKDF2 hash of the password, most of a CPU second by design,
would otherwise queue the first pages behind them); the figures of the logins are written apart to
LOADTEST_WARMUP, errors included, and the statistics start afresh. Then each user waits one think time, so
they do not all click in the same second, and works until the end.

Secure cookies over plain HTTP: production settings mark the session and CSRF cookies Secure, and the load
test talks plain HTTP on loopback, as nginx does to gunicorn. The client's cookie jar is told to send them
anyway (SECURE_OVER_LOOPBACK), standing in for the browser's HTTPS connection that nginx ends.
"""

import itertools
import json
import os
import random
import re
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import gevent
from locust import FastHttpUser, between, task

TARGETS = json.loads(Path(os.environ.get("LOADTEST_TARGETS", "var/loadtest/targets.json")).read_text())
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
THINK_TIME = [float(s) for s in os.environ.get("LOADTEST_THINK_TIME", "1,3").split(",")]
_accounts = itertools.cycle(TARGETS["accounts"])
SECURE_OVER_LOOPBACK = DefaultCookiePolicy(secure_protocols=("https", "http"))
WARM_UP = Path(os.environ.get("LOADTEST_WARMUP", "var/loadtest/warmup.json"))
_logins_done = 0


def _end_warm_up(environment) -> None:
    """Keep the logins' figures in WARM_UP, then start the statistics afresh (as --reset-stats does)."""
    stats = environment.stats
    pages = [
        {
            "name": entry.name,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.median_response_time,
            "p95_ms": entry.get_response_time_percentile(0.95),
            "max_ms": round(entry.max_response_time or 0),
        }
        for entry in stats.entries.values()
    ]
    errors = [error.to_dict() for error in stats.errors.values()]
    seconds = round(time.time() - stats.total.start_time, 1)
    WARM_UP.write_text(json.dumps({"seconds": seconds, "pages": pages, "errors": errors}, indent=1))
    stats.reset_all()


class Staff(FastHttpUser):
    wait_time = between(*THINK_TIME)

    def on_start(self) -> None:
        global _logins_done
        self.account = next(_accounts)
        self.client.cookiejar.set_policy(SECURE_OVER_LOOPBACK)
        try:
            self.login()
        finally:
            _logins_done += 1  # a failed login too: it is reported, and nobody waits for it forever
        if _logins_done == self.environment.parsed_options.num_users:
            _end_warm_up(self.environment)
        while _logins_done < self.environment.parsed_options.num_users:
            gevent.sleep(0.05)
        self.wait()

    def login(self) -> None:
        page = self.client.get("/masuk/", name="login form")
        match = CSRF_TOKEN.search(page.text or "")
        form = {
            "username": self.account["username"],
            "password": TARGETS["password"],
            "csrfmiddlewaretoken": match.group(1) if match else "",
        }
        # A browser sends Origin with a form post; Django's CSRF check compares it with the host.
        headers = {"Origin": self.host, "Referer": f"{self.host}/masuk/"}
        with self.client.post(
            "/masuk/", data=form, headers=headers, name="login", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302 or response.headers.get("Location") != "/":
                response.failure(f"login refused ({response.status_code})")

    def page(self, url: str, name: str, *, content_type: str = "text/html") -> None:
        # Redirects are not followed: a lost session (redirect to the login page) is an error, not a page.
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif not response.headers.get("Content-Type", "").startswith(content_type):
                response.failure(f"content type {response.headers.get('Content-Type')}")

    def pick(self, kind: str):
        return random.choice(self.account[kind]) if self.account[kind] else None

    @task(10)
    def dashboard(self) -> None:
        self.page("/", "dashboard (kab/kota coverage)")

    @task(8)
    def kecamatan_coverage(self) -> None:
        self.page(f"/cakupan/{self.pick('kecamatan')}/", "coverage of a kecamatan")

    @task(10)
    def member_list(self) -> None:
        self.page(f"/anggota/?kecamatan={self.pick('kecamatan')}&status=aktif", "member list, filtered")

    @task(12)
    def member_page(self) -> None:
        if pk := self.pick("members"):
            self.page(f"/anggota/{pk}/", "member page")

    @task(10)
    def unit_page(self) -> None:
        if pk := self.pick("units"):
            self.page(f"/unit/{pk}/", "unit page")

    @task(8)
    def case_list(self) -> None:
        self.page("/kasus/", "case list")

    @task(10)
    def case_page(self) -> None:
        if pk := self.pick("cases"):
            self.page(f"/kasus/{pk}/", "case page")

    @task(5)
    def training_list(self) -> None:
        self.page("/pelatihan/", "training list")

    @task(5)
    def indicator_report(self) -> None:
        self.page(f"/indikator/?wilayah={self.account['kabkota']}", "indicator report")

    @task(2)
    def member_export(self) -> None:
        self.page(
            f"/anggota/ekspor/csv/?kecamatan={self.pick('kecamatan')}",
            "export: members of a kecamatan (CSV)",
            content_type="text/csv",
        )
