"""`manage.py generate_national_data [--scale 0.01] [--seed N] [--force]`: ipsm/devtools/national_data.py."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ipsm.dashboard.snapshot import refresh_coverage_snapshot
from ipsm.devtools.national_data import RegistryNotEmpty, generate


class Command(BaseCommand):
    help = (
        "Generate realistic national data (units, PSM, PMKS counts, cases, trainings) into an empty registry "
        "for benchmarks and load tests; --scale 0.01 for a quick run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="share of the national data set (1.0)")
        parser.add_argument("--seed", type=int, default=6, help="random seed (the same seed, the same data)")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, scale: float, seed: int, force: bool, **options):
        if not 0 < scale <= 1:
            raise CommandError(_("--scale must be more than 0 and at most 1."))
        # Generated people in a production database would be indistinguishable from real ones.
        if not settings.DEBUG and not force:
            raise CommandError(
                _("generate_national_data creates invented people: it only runs with DEBUG on (or --force).")
            )
        verbose = options["verbosity"] > 0
        log = self.stdout.write if verbose else (lambda text: None)
        log(
            _("Generating national data at scale %(scale)s (seed %(seed)d)...")
            % {"scale": scale, "seed": seed}
        )
        try:
            report = generate(scale=scale, seed=seed, log=log)
        except RegistryNotEmpty:
            raise CommandError(
                _(
                    "The database already has units, members, cases, PMKS counts or training events: "
                    "generate_national_data only fills an empty registry (create a new database and migrate)."
                )
            ) from None
        refreshed = refresh_coverage_snapshot()
        log(f"  coverage snapshot: {refreshed.seconds:.1f} s")
        self.stdout.write(
            _(
                "Generated in %(seconds).0f s: %(kabkota)d kab/kota, %(units)d units, %(members)d members, "
                "%(status_changes)d status changes, %(pmks_counts)d PMKS counts, %(cases)d cases "
                "(%(case_status_changes)d status changes, %(case_assignments)d PSM assignments), "
                "%(events)d training events, %(participants)d participants, %(attendance)d attendance."
            )
            % {**vars(report), "seconds": report.total_seconds + refreshed.seconds}
        )
