"""Browser journeys: Playwright drives Debian's headless Chromium against Django's live server."""

import shutil

import pytest
from playwright.sync_api import expect

from tests.factories import USER_PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright cannot download its own browser here; these flags keep Chromium off the (closed) network.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def patient_assertions():
    # Two test workers, the live server and Chromium share two cores: under the whole suite a page can take
    # longer than expect()'s default 5 s. A wrong value still fails.
    expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    # Stop the server (and its request threads' connections) before the test database is dropped.
    return live_server


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "id-ID", "timezone_id": "Asia/Jakarta"}


@pytest.fixture
def log_in(live_server, page):
    """Log in through the login form, as a person would, and return the page."""

    def log_in_as(user):
        page.goto(f"{live_server.url}/masuk/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", USER_PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "/masuk/" not in page.url, "login failed"
        return page

    return log_in_as
