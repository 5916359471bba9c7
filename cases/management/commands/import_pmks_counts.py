from cases.models import PmksSource
from ipsm.lib.imports import ImportCommand
from ipsm.models import ImportKind


class Command(ImportCommand):
    help = (
        "Import PMKS counts (one row per kelurahan with a column per category, or kelurahan/category/count) "
        "from an .xlsx or .csv file for one period; --dry-run checks it only."
    )
    kind = ImportKind.PMKS_COUNTS

    def add_kind_arguments(self, parser) -> None:
        parser.add_argument("--period", required=True, help="a year (2024) or a semester (2024-S1)")
        parser.add_argument(
            "--source", required=True, choices=PmksSource.values, help="where the figures come from"
        )
        parser.add_argument("--data-date", required=True, metavar="YYYY-MM-DD", help="the date of the data")

    def kind_options(self, options: dict) -> dict:
        return {"period": options["period"], "source": options["source"], "data_date": options["data_date"]}
