"""The database cache tables (`CACHES`): failure counters shared by every worker process."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("collection", "0004_campaign_trial_of")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
