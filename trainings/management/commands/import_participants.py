from ipsm.lib.imports import ImportCommand
from ipsm.models import ImportKind


class Command(ImportCommand):
    help = (
        "Import the participants of a training event with their attendance and scores from an .xlsx or .csv "
        "file; --dry-run checks it only."
    )
    kind = ImportKind.PARTICIPANTS

    def add_kind_arguments(self, parser) -> None:
        parser.add_argument(
            "--event", required=True, type=int, metavar="ID", help="the training event's number"
        )

    def kind_options(self, options: dict) -> dict:
        return {"event": options["event"]}
