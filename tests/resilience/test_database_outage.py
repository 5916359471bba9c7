"""The database going away: a friendly 503 page, and the app recovers by itself when it is back.

Requests go through Django's real WSGI handler (not the test client), because the client deliberately skips
the request_started/request_finished signals with which Django closes broken connections between
requests, and recovery is exactly what is under test. Transactional tests: the outage must hit a
connection that is not inside the test's own transaction.
"""

import wsgiref.util

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.utils import translation

pytestmark = pytest.mark.django_db(transaction=True)


def in_indonesian(message: str, **values) -> str:
    with translation.override("id"):
        return translation.gettext(message) % values


class Browser:
    """GET through the WSGI handler with a session cookie, as a server would run the request."""

    def __init__(self, session_key: str):
        self.handler = WSGIHandler()
        self.cookie = f"sessionid={session_key}"

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        environ = {"PATH_INFO": path, "HTTP_HOST": "testserver", "HTTP_COOKIE": self.cookie}
        wsgiref.util.setup_testing_defaults(environ)
        started = {}

        def start_response(status, headers, exc_info=None):
            started.update(status=int(status.split()[0]), headers=dict(headers))

        response = self.handler(environ, start_response)
        try:
            body = b"".join(response).decode()
        finally:
            response.close()  # request_finished: Django closes a connection that failed
        return started["status"], started["headers"], body


@pytest.fixture
def browser(client, staff):
    client.force_login(staff)
    return Browser(client.cookies["sessionid"].value)


@pytest.fixture
def database():
    """Switch the database off and on for this process, leaving a healthy connection behind."""
    patch = pytest.MonkeyPatch()

    class Database:
        def stop(self) -> None:
            # Connections already open are dropped by the server, and new ones are refused.
            patch.setitem(connection.settings_dict, "NAME", "ipsm_database_gone")
            if connection.connection is not None:
                terminate(connection.connection.info.backend_pid)

        def start(self) -> None:
            patch.undo()

    yield Database()
    patch.undo()
    connection.close()


def terminate(backend_pid: int) -> None:
    """End a server process from outside, as a database restart does."""
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


def test_database_outage_gives_a_friendly_503_then_recovers_without_restart(browser, database):
    assert browser.get("/")[0] == 200

    database.stop()
    status, headers, body = browser.get("/")
    assert status == 503
    assert headers["Retry-After"] == "30"
    assert in_indonesian("IPSM is temporarily unavailable") in body
    assert (
        in_indonesian("The database cannot be reached at the moment. Nothing you saved before has been lost.")
        in body
    )
    assert browser.get("/anggota/")[0] == 503  # every page, as long as it lasts

    database.start()
    status, _headers, body = browser.get("/anggota/")
    assert status == 200  # the same process, the same session: nothing was restarted
    assert "staf-magelang" in body


def test_other_errors_stay_a_500(browser, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("members.views.registry.MemberTable", broken)
    status, headers, body = browser.get("/anggota/")
    assert status == 500
    assert "Retry-After" not in headers
    assert in_indonesian("IPSM is temporarily unavailable") not in body


@pytest.mark.parametrize("health_checks", [True, False])
def test_a_kept_connection_dropped_by_a_restart(browser, database, monkeypatch, health_checks):
    # Production keeps connections between requests (CONN_MAX_AGE with DATABASE_URL).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", health_checks)
    connection.close()
    assert browser.get("/")[0] == 200
    assert connection.connection is not None  # kept for the next request
    terminate(connection.connection.info.backend_pid)

    if health_checks:
        # Checked before its first use in the request, found dead, replaced: the person sees nothing.
        assert browser.get("/")[0] == 200
    else:
        # Without the check one request fails (politely), then Django has closed the broken connection.
        assert browser.get("/")[0] == 503
        assert browser.get("/")[0] == 200


def test_connections_are_health_checked(settings):
    assert all(database["CONN_HEALTH_CHECKS"] for database in settings.DATABASES.values())
