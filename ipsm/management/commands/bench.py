"""`manage.py bench` (`make bench`, `SCALE=1 make bench`): see ipsm/devtools/benchmarks.py."""

import json

from django.core.management.base import BaseCommand

from ipsm.devtools import benchmarks


class Command(BaseCommand):
    help = (
        "Time the main pages on a small and a large generated national data set (var/bench.json); "
        "the databases are kept for the next run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--small", type=float, default=benchmarks.SMALL_SCALE, help="scale of the small set"
        )
        parser.add_argument(
            "--large", type=float, default=benchmarks.LARGE_SCALE, help="scale of the large set"
        )
        parser.add_argument("--runs", type=int, default=benchmarks.RUNS, help="timed runs per page (median)")
        parser.add_argument("--rebuild", action="store_true", help="generate both data sets again")
        # Internal: the child process that measures one database (DATABASE_URL points at it).
        parser.add_argument("--measure", action="store_true", help="(internal) measure this database")
        parser.add_argument("--kabkota", help="(internal) the benchmark kab/kota")

    def handle(self, *args, small, large, runs, rebuild, measure, kabkota, **options):
        if measure:
            # The parent reads the last line of output as the results.
            self.stdout.write(json.dumps(benchmarks.measure(kabkota=kabkota, runs=runs)))
            return
        benchmarks.run(small=small, large=large, runs=runs, rebuild=rebuild, out=self.stdout.write)
