import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

# 13 November 2024 00:30 in Asia/Jakarta (WIB) is still the 12th in UTC: the printed date must be WIB's.
PRINTED_AT = datetime.datetime(2024, 11, 12, 17, 30, tzinfo=datetime.UTC)
ROLES = ["anonymous", "coordinator", "coordinator_b", "viewer", "staff", "staff_other", "superuser"]


@pytest.fixture
def users(request, magelang):
    def get(role):
        return None if role == "anonymous" else request.getfixturevalue(role)

    return get


@pytest.fixture
def printed_at(monkeypatch):
    """Freeze "now" for the printed-on line (sessions made before it stay valid: it is in the past)."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: PRINTED_AT)
    return PRINTED_AT


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)
