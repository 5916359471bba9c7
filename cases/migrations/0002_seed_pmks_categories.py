"""The 26 PMKS/PPKS categories, from cases/data/pmks_26.csv (a copy of the project's domain data)."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "pmks_26.csv"


def seed_categories(apps, schema_editor):
    PmksCategory = apps.get_model("cases", "PmksCategory")
    with CSV_PATH.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            number = int(row["no"])
            PmksCategory.objects.get_or_create(
                number=number,
                defaults={"name": row["nama"], "abbreviation": row["singkatan"], "sort_order": number},
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_pmks_cases_coverage")]

    operations = [migrations.RunPython(seed_categories, migrations.RunPython.noop)]
