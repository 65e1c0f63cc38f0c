"""Keep each paper's full-text vector in its table row (storage MAIN), not in TOAST.

A paper row with its raw record, abstract and vector is over PostgreSQL's 2 kB threshold,
and the vector (some 1.4 kB compressed) was the value moved out of line: ranking a search
by relevance then fetched every match's vector through the TOAST table's index, three or
four more pages per match. With storage MAIN the raw record and the abstract, which only
a paper's own page reads, are moved out first and the vector stays in the row, still
compressed.

Vectors already moved out stay there until rewritten, so this rewrites them once (without
recomputing them: ``|| ''`` makes a new value of the same vector). On a large table that
leaves one dead row per paper for (auto)vacuum. PostgreSQL only.
"""

from django.db import migrations


def keep_vectors_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE curation_paper ALTER COLUMN search_vector SET STORAGE MAIN"
    )
    schema_editor.execute(
        "UPDATE curation_paper SET search_vector = search_vector || ''::tsvector "
        "WHERE search_vector IS NOT NULL"
    )


def move_vectors_back(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE curation_paper ALTER COLUMN search_vector SET STORAGE EXTENDED"
    )


class Migration(migrations.Migration):
    dependencies = [("curation", "0009_json_columns_read_with_orjson")]

    operations = [migrations.RunPython(keep_vectors_inline, move_vectors_back)]
