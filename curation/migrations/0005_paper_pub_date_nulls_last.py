"""Order the newest-first index as the list and the API do: undated papers last.

The old index was (pub_date DESC, id DESC), which PostgreSQL sorts NULLS FIRST, while
the API's keyset pages order NULLS LAST: an unfiltered page sorted the whole table. The
new one is (pub_date DESC NULLS LAST, id DESC), read forwards for newest first and
backwards for oldest first (undated first). SQLite cannot write NULLS LAST in an index,
and its DESC order already puts NULLs last, so there the index keeps its plain form.
"""

from django.db import migrations

INDEX = "paper_pub_date_idx"
COLUMNS = {
    "postgresql": "pub_date DESC NULLS LAST, id DESC",
    "sqlite": "pub_date DESC, id DESC",
}


def create_index(apps, schema_editor):
    columns = COLUMNS.get(schema_editor.connection.vendor, "pub_date DESC, id DESC")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON curation_paper ({columns})")


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("curation", "0004_author_paper_index_from_constraint")]

    operations = [
        # Out of the model state: the index is this migration's own from now on.
        migrations.RemoveIndex(model_name="paper", name=INDEX),
        migrations.RunPython(create_index, drop_index),
    ]
