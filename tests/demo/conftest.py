"""The demo data, loaded once per test session for every module of this package.

The package's tests form one xdist group (pytest's `--dist loadgroup`, pyproject.toml), so one worker runs
them all and loads the demo once: a few seconds instead of once per module. Each test runs in a savepoint
inside the package's transaction, so what a test writes is undone after it, and the whole load is rolled
back when the package is done.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from members.regions import load_regions

# Every module of the package sets `pytestmark = IN_DEMO_GROUP`.
IN_DEMO_GROUP = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="package")
def loaded_demo(django_db_setup, django_db_blocker):
    """Regions of Kota Magelang and Kabupaten Temanggung and the demo, with the loader's output."""
    fast_hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=fast_hashers),
        transaction.atomic(),
    ):
        load_regions(["33.71", "33.23"])
        yield load_demo_again()
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded_demo, db):
    return loaded_demo


def load_demo_again() -> str:
    """Run `manage.py load_demo` (again: it is idempotent) and return what it printed."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()
