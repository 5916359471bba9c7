"""Background tasks, run by `manage.py db_worker` (django-tasks with its PostgreSQL queue)."""

from django.utils import translation
from django_tasks import task

from ipsm.lib.imports import check_job, import_job
from ipsm.models import ImportJob


def _job(job_id: int) -> ImportJob:
    return ImportJob.objects.select_related("user").get(pk=job_id)


@task()
def check_import(job_id: int) -> None:
    job = _job(job_id)
    with translation.override(job.options.get("language")):
        check_job(job)


@task()
def run_import(job_id: int) -> None:
    job = _job(job_id)
    with translation.override(job.options.get("language")):
        import_job(job)
