"""The production path: the upload queues a task in PostgreSQL and `manage.py db_worker` runs it."""

import pytest
from django.core.management import call_command

from ipsm.models import ImportJob, ImportStatus
from members.models import Member
from tests.imports.test_member_import import SITI, upload, xlsx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_worker_checks_then_imports_a_queued_file(queued_tasks, as_user, staff, unit_a):
    client = as_user(staff)
    page = upload(client, xlsx([SITI])).content.decode()
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.QUEUED and "hx-get" in page  # waiting: the page polls

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.new_rows == 1

    client.post(f"/impor/berkas/{job.pk}/impor/")
    assert not Member.objects.exists()  # queued, not yet run
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Member.objects.get().full_name == "Siti Rahayu"
