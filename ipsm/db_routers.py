"""Reports and dashboards may read from a PostgreSQL streaming replica (docs/deploy.md).

When `DATABASE_REPLICA_URL` is set, settings add a `replica` alias. Only code that asks for it reads there:
a view wrapped in `use_replica()` (the coverage dashboards and the indicator report) sends its reads to the
replica; everything else, every write and every migration stays on `default`. The choice is per view, not per
model, because the same models (members, cases) are edited on other pages, where reading a replica a moment
behind the primary would show a user their own change missing.

Wrap the view *inside* `login_required`: the session and the user are then read from `default` before the
replica takes over, so a login that has not reached the replica yet never looks like a logged-out user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
PROGRESS = "progress"

# Per thread and per async task, so one request's choice never leaks into another's (gunicorn gthread).
_reading_replica: ContextVar[bool] = ContextVar("ipsm_reading_replica", default=False)


@contextmanager
def use_replica() -> Iterator[None]:
    """Send the ORM's reads in this block to the replica, when one is configured.

    Also a decorator (`@use_replica()`): each call of the view gets its own context manager.
    """
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Reads inside `use_replica()` go to the replica; writes and migrations never do."""

    def db_for_read(self, model, **hints) -> str | None:
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return None  # Django's default: the instance's database, else "default"

    def db_for_write(self, model, **hints) -> str | None:
        # An object read from the replica is saved to the primary (a standby refuses writes anyway).
        instance = hints.get("instance")
        if instance is not None and instance._state.db == REPLICA:
            return DEFAULT_DB_ALIAS
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the same rows as the primary: objects from either may refer to each other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica follows the primary's schema through streaming replication; "progress" is a second
        # connection to the primary itself (ipsm.lib.imports), never migrated on its own.
        return False if db in (REPLICA, PROGRESS) else None
