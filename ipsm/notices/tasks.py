"""The daily run as a background task, for a site that schedules through the worker (`manage.py db_worker`)
rather than the systemd timer (docs/deploy/ipsm-reminders.timer)."""

from django_tasks import task

from ipsm.notices.services import run_reminders


@task()
def send_reminders() -> dict[str, int]:
    return run_reminders()
