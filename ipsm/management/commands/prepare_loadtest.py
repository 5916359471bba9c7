"""`manage.py prepare_loadtest`: see ipsm/devtools/loadtest/prepare.py."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ipsm.devtools.loadtest.prepare import PrepareRefused, prepare


class Command(BaseCommand):
    help = "Create the load test's staff accounts and targets (only in a database named ipsm_loadtest*)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=20, help="number of staff accounts")
        parser.add_argument(
            "--targets",
            type=Path,
            default=settings.BASE_DIR / "var" / "loadtest" / "targets.json",
            help="where to write the accounts and the pages they open (JSON)",
        )
        parser.add_argument(
            "--kabkota",
            choices=["sample", "largest"],
            default="sample",
            help="kab/kota drawn at random (a typical mix) or those with the most units (the worst case)",
        )

    def handle(self, *args, users: int, targets: Path, kabkota: str, **options):
        try:
            self.stdout.write(prepare(users=users, targets=targets, kabkota=kabkota))
        except PrepareRefused as refusal:
            raise CommandError(str(refusal)) from None
