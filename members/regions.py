"""Loading Kemendagri regions from the copy shipped with the project."""

import csv
import gzip
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from members.models import Region

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "wilayah_indonesia.csv.gz"
BATCH_SIZE = 5000


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def read_regions(prefixes: list[str], path: Path = REGIONS_FILE):
    """Rows of the regions file whose code is one of `prefixes` or lies under it (all rows if none given)."""
    wanted = tuple(prefixes)
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if (
                not wanted
                or row["code"].startswith(wanted)
                or any(p.startswith(row["code"] + ".") for p in wanted)
            ):
                yield row


@transaction.atomic
def load_regions(prefixes: list[str]) -> LoadReport:
    """Create or update the regions under `prefixes` (with their ancestors); running it again changes nothing.

    Parents come before children in the file, and foreign keys are checked at commit, so batches can
    be written in file order.
    """
    report = LoadReport()
    existing = {
        code: (name, level, parent)
        for code, name, level, parent in Region.objects.values_list("code", "name", "level", "parent_id")
    }
    to_create, to_update = [], []
    for row in read_regions(prefixes):
        values = (row["name"], row["level"], row["parent_code"] or None)
        region = Region(code=row["code"], name=values[0], level=values[1], parent_id=values[2])
        current = existing.get(row["code"])
        if current is None:
            to_create.append(region)
        elif current != values:
            to_update.append(region)
        else:
            report.unchanged += 1
    Region.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Region.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=BATCH_SIZE)
    report.created, report.updated = len(to_create), len(to_update)
    return report
