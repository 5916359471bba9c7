"""Dashboards and reports read from a streaming replica when DATABASE_REPLICA_URL configures one
(ipsm.db_routers); writes, sessions and migrations stay on the primary."""

import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import PmksCategory
from ipsm.db_routers import REPLICA, use_replica
from members.models import Member
from tests import factories

# The data is committed, so that the replica's own connection (to the same test database) sees it, as a
# streaming replica sees the primary's committed rows.
pytestmark = pytest.mark.django_db(transaction=True)

COVERAGE_TABLES = ("cases_pmkscount", "members_member", "members_unit", "members_region")


@pytest.fixture
def replica(transactional_db):
    """A `replica` alias on its own connection to the test database, as settings add it for
    DATABASE_REPLICA_URL (connections.settings is settings.DATABASES)."""
    connections.settings[REPLICA] = {
        **connections[DEFAULT_DB_ALIAS].settings_dict,
        "TEST": {"MIRROR": DEFAULT_DB_ALIAS},
    }
    # Connect now: the test case refuses to open connections to aliases that were not there when it began.
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        # Before the test case's teardown, which walks every alias it knows of.
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def data(magelang, unit_a):
    factories.MemberFactory.create_batch(3, unit=unit_a)
    poor = PmksCategory.objects.get(number=24)
    factories.PmksCountFactory(kelurahan=magelang["rejowinangun_utara"], category=poor, count=300)
    return magelang


def _tables(queries) -> str:
    return _tables_of(query["sql"] for query in queries)


def _tables_of(statements) -> str:
    return " ".join(statements)


def test_staff_dashboard_reads_its_figures_from_the_replica(replica, as_user, staff, data):
    client = as_user(staff)
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals["active_psm"], totals["pmks"]) == (3, 300)
    replica_sql = _tables(on_replica.captured_queries)
    assert all(table in replica_sql for table in COVERAGE_TABLES)
    # The primary only loaded the session and the user, with a PSM's member joined (login_required runs
    # before use_replica).
    primary_sql = _tables(primary.captured_queries)
    figures_on_primary = [
        query["sql"] for query in primary.captured_queries if 'FROM "auth_user"' not in query["sql"]
    ]
    assert not any(table in _tables_of(figures_on_primary) for table in COVERAGE_TABLES), figures_on_primary
    assert "django_session" in primary_sql and "django_session" not in replica_sql


@pytest.mark.parametrize(
    "url",
    [
        reverse("coverage", args=["33.71.03"]),
        reverse("coverage_without_psm", args=["33.71"]),
        reverse("trainings:indicators") + "?wilayah=33.71",
    ],
)
def test_coverage_pages_and_indicator_report_read_from_the_replica(replica, as_user, staff, data, url):
    client = as_user(staff)
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        assert client.get(url).status_code == 200
    assert len(on_replica) > 0
    assert "members_region" not in _tables(primary.captured_queries)


def test_other_pages_read_from_the_primary(replica, as_user, staff, data):
    client = as_user(staff)
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(reverse("members:list")).status_code == 200
    assert len(on_replica) == 0


def test_an_object_read_on_the_replica_is_saved_to_the_primary(replica, member_a):
    with use_replica():
        member = Member.objects.get(pk=member_a.pk)
        assert member._state.db == REPLICA
        assert router.db_for_write(Member, instance=member) == DEFAULT_DB_ALIAS
        member.full_name = "Siti Rahayu"
        with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
            member.save(update_fields=["full_name"])
    assert any(query["sql"].startswith("UPDATE") for query in primary.captured_queries)
    assert Member.objects.get(pk=member_a.pk).full_name == "Siti Rahayu"
    # Objects from either database may refer to each other.
    assert router.allow_relation(member, member_a) is True


def test_routing_inside_and_outside_the_block(replica):
    assert router.db_for_read(Member) == DEFAULT_DB_ALIAS
    with use_replica():
        assert router.db_for_read(Member) == REPLICA
        assert router.db_for_write(Member) == DEFAULT_DB_ALIAS
        seen_by_another_thread = []
        thread = threading.Thread(target=lambda: seen_by_another_thread.append(router.db_for_read(Member)))
        thread.start()
        thread.join()
        # gunicorn's threads serve other requests: the choice is per thread (a context variable).
        assert seen_by_another_thread == [DEFAULT_DB_ALIAS]
    assert router.db_for_read(Member) == DEFAULT_DB_ALIAS


def test_migrations_never_run_on_the_replica(replica):
    assert router.allow_migrate(REPLICA, "members", model_name="member") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "members", model_name="member") is True
    # The import progress connection (ipsm.lib.imports) is the primary again: never migrated on its own.
    assert router.allow_migrate("progress", "members", model_name="member") is False
    assert router.db_for_read(Member) == DEFAULT_DB_ALIAS


def test_without_a_replica_reports_read_from_the_primary():
    assert REPLICA not in connections.settings
    with use_replica():
        assert router.db_for_read(Member) == DEFAULT_DB_ALIAS
