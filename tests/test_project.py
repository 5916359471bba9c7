"""Project-wide guarantees: migrations in step with models, production settings, role groups."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from ipsm import roles

BASE_DIR = Path(__file__).resolve().parent.parent


def test_no_model_change_without_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _manage(*args, **env):
    environment = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none", **env}
    for name in (
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):  # the latter is for browser tests only
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-" + "k" * 40,
        ALLOWED_HOSTS="ipsm.example.go.id",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_database_must_be_postgresql():
    result = _manage("check", DATABASE_URL="sqlite:///x.db")
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


@pytest.mark.parametrize("role", list(roles.ROLE_PERMISSIONS))
def test_role_groups_hold_exactly_their_permissions(db, role):
    group = Group.objects.get(name=role)
    granted = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    assert granted == set(roles.ROLE_PERMISSIONS[role])


def test_viewer_has_no_write_permission():
    assert not [p for p in roles.ROLE_PERMISSIONS[roles.VIEWER] if not p.split(".")[1].startswith("view_")]


def test_indonesian_catalogue_is_complete():
    """Every string has an Indonesian translation that is not fuzzy (msgfmt counts them)."""
    catalogue = BASE_DIR / "locale/id/LC_MESSAGES/django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(catalogue)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def test_migrate_makes_the_cache_table(db):
    """settings.CACHES keeps reports in PostgreSQL; migrate makes its table (tests use memory instead)."""
    from django.conf import settings as project_settings
    from django.db import connection

    from ipsm import settings as ipsm_settings

    assert project_settings.CACHES != ipsm_settings.CACHES  # overridden by tests/conftest.py
    table = ipsm_settings.CACHES["default"]["LOCATION"]
    assert table in connection.introspection.table_names()


def test_form_labels_start_with_a_capital():
    """A form field's own label is shown as written (Django capitalises only the labels it makes itself):
    "Status", never "status*"."""
    lower = []
    for app in ("members", "cases", "trainings", "ipsm"):
        for path in (BASE_DIR / app).rglob("*.py"):
            found = re.findall(r'label=_\("[a-z][^"]*"\)', path.read_text())
            lower += [f"{path.relative_to(BASE_DIR)}: {label}" for label in found]
    assert lower == []
