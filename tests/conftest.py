import datetime
import os

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from django.utils import translation

from ipsm import roles
from tests import factories

# Playwright's sync API runs an event loop in this thread; the ORM calls in browser tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Without DATABASE_URL, run the tests on a throwaway embedded PostgreSQL under var/pgtest."""
    if os.environ.get("DATABASE_URL"):
        return
    from django.conf import settings

    from ipsm.embedded_db import TEST_PGDATA, connection_settings, start_server

    server = start_server(TEST_PGDATA, keep_running=False)
    settings.DATABASES["default"].update(connection_settings(server))
    # Several test runs may share the server (xdist adds its own suffix per worker).
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_ipsm_{os.getpid()}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    yield
    # Playwright's sync API runs tests in greenlets, each with its own contextvars and so its own Django
    # connection; connections opened in another context linger and would block dropping the test database.
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def private_media_root(tmp_path_factory):
    """Photos and logos the tests upload (ipsm.lib.images.PrivateStorage) go to a throwaway directory, for
    module-scoped data sets too."""
    with override_settings(PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private_media")):
        yield


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The default PBKDF2 takes a third of a second per password; tests need no strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    # Background tasks (ipsm.lib.tasks) run inside the request or command that enqueues them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Test transactions are not visible to a second connection: import progress goes through "default".
    settings.IMPORT_PROGRESS_DATABASE = "default"


@pytest.fixture(autouse=True)
def cache_per_test(settings):
    # The database cache would outlive the tests that do not roll back (browser tests): each test starts
    # with an empty cache of its own. tests/test_project.py checks that migrate makes the real one's table.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()  # local-memory caches of one name share their store


@pytest.fixture(autouse=True)
def default_language():
    # A request in English leaves English active in the worker's thread (LocaleMiddleware does not undo
    # it): each test starts in the default language, whatever ran before it.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def today():
    return datetime.date.today()


@pytest.fixture
def magelang(db):
    """Kota Magelang with two kecamatan and three kelurahan, plus Kabupaten Temanggung with one desa."""
    return factories.make_regions()


@pytest.fixture
def unit_a(magelang):
    return factories.UnitFactory(region=magelang["rejowinangun_utara"])


@pytest.fixture
def unit_b(magelang):
    return factories.UnitFactory(region=magelang["cacaban"])


@pytest.fixture
def unit_temanggung(magelang):
    return factories.UnitFactory(region=magelang["kowangan"])


def _user(username, role, **assignment):
    user = factories.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    factories.AssignmentFactory(user=user, **assignment)
    return user


@pytest.fixture
def staff(magelang):
    return _user("staf-magelang", roles.STAFF, region=magelang["kota_magelang"])


@pytest.fixture
def staff_other(magelang):
    return _user("staf-temanggung", roles.STAFF, region=magelang["temanggung"])


@pytest.fixture
def viewer(magelang):
    return _user("pimpinan-magelang", roles.VIEWER, region=magelang["kota_magelang"])


@pytest.fixture
def coordinator(unit_a):
    return _user("koordinator-a", roles.COORDINATOR, unit=unit_a)


@pytest.fixture
def coordinator_b(unit_b):
    return _user("koordinator-b", roles.COORDINATOR, unit=unit_b)


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def member_a(unit_a):
    return factories.MemberFactory(unit=unit_a)


@pytest.fixture
def member_b(unit_b):
    return factories.MemberFactory(unit=unit_b)


@pytest.fixture
def as_user(client):
    """Log the client in as the given user (None stays anonymous) and return it."""

    def login(user):
        if user is not None:
            client.force_login(user)
        return client

    return login
