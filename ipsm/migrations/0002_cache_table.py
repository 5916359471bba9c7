"""The table of Django's database cache (settings.CACHES), created by migrate like every other table."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("ipsm", "0001_imports_and_export_log")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
