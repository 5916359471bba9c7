"""`manage.py refresh_coverage`: recompute the coverage snapshot of the national and province pages now."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ipsm.dashboard.snapshot import refresh_coverage_snapshot


class Command(BaseCommand):
    help = "Recompute the national and province coverage figures now (pages otherwise queue it when stale)."

    def handle(self, *args, **options):
        refreshed = refresh_coverage_snapshot()
        if refreshed.skipped:
            self.stdout.write(_("Another refresh of the coverage figures is running; nothing done."))
            return
        self.stdout.write(
            _("Coverage figures refreshed: %(rows)d rows in %(seconds).1f s.")
            % {"rows": refreshed.rows, "seconds": refreshed.seconds}
        )
