"""`manage.py send_reminders`: today's reminders, then every e-mail due (daily: ipsm-reminders.timer)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ipsm.notices.services import run_reminders


class Command(BaseCommand):
    help = "Create today's reminders (stale rosters, ending board terms) and send the e-mails that are due."

    def handle(self, *args, **options):
        counts = run_reminders()
        self.stdout.write(
            _("Reminders: %(created)d new notices; e-mails: %(sent)d sent, %(failed)d failed (to try again).")
            % counts
        )
