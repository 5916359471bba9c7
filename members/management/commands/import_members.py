from ipsm.lib.imports import ImportCommand
from ipsm.models import ImportKind


class Command(ImportCommand):
    help = "Import a roster of members (PSM) from an .xlsx or .csv file; --dry-run checks it only."
    kind = ImportKind.MEMBERS
