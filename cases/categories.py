"""The 26 PMKS/PPKS categories shipped with the project (cases/data/pmks_26.csv)."""

import csv
from pathlib import Path

CSV_PATH = Path(__file__).resolve().parent / "data" / "pmks_26.csv"


def seed_categories(**kwargs) -> None:
    """Create the categories that are missing, by number; never touches ones an admin renamed or retired.

    Runs after every migrate (post_migrate), which also restores them after a test flushes the database.
    """
    from cases.models import PmksCategory

    if PmksCategory.objects.count() >= 26:
        return
    with CSV_PATH.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            number = int(row["no"])
            PmksCategory.objects.get_or_create(
                number=number,
                defaults={"name": row["nama"], "abbreviation": row["singkatan"], "sort_order": number},
            )
