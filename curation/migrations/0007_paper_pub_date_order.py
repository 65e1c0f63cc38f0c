"""Order papers by date on one expression, COALESCE(pub_date, year 1), with an index on it.

Migration 0005's index (pub_date DESC NULLS LAST, id DESC) served the first page, but a
cursor's "after this paper" was an OR of comparisons (NULLs apart), which PostgreSQL
cannot seek with: page N of a harvest walked the N pages before it. With undated papers
sorting as year 1, the order is one expression, a cursor is one row comparison that seeks
into this index, and SQLite can hold the index too, so it is back in the model's Meta.
"""

import datetime

import django.db.models.functions.comparison
from django.db import migrations, models

OLD_INDEX = "paper_pub_date_idx"
OLD_COLUMNS = {
    "postgresql": "pub_date DESC NULLS LAST, id DESC",
    "sqlite": "pub_date DESC, id DESC",
}


def drop_old_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def create_old_index(apps, schema_editor):
    columns = OLD_COLUMNS.get(schema_editor.connection.vendor, "pub_date DESC, id DESC")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON curation_paper ({columns})")


class Migration(migrations.Migration):
    dependencies = [("curation", "0006_paper_active_facet_index")]

    operations = [
        migrations.RunPython(drop_old_index, create_old_index),
        migrations.AddIndex(
            model_name="paper",
            index=models.Index(
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce(
                        "pub_date", models.Value(datetime.date(1, 1, 1))
                    ),
                    descending=True,
                ),
                models.OrderBy(models.F("id"), descending=True),
                name="paper_pub_date_idx",
            ),
        ),
    ]
