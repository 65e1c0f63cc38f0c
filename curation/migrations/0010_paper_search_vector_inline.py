"""Keep each paper's full-text vector in its table row (storage MAIN), not in TOAST.

A paper row with its raw record, abstract and vector is over PostgreSQL's 2 kB threshold,
and the vector (some 1.4 kB compressed) was the value moved out of line: ranking a search
by relevance then fetched every match's vector through the TOAST table's index, three or
four more pages per match. With storage MAIN the raw record and the abstract, which only
a paper's own page reads, are moved out first and the vector stays in the row, still
compressed.

Vectors already moved out stay there until rewritten, so this rewrites them once (without
recomputing them: ``|| ''`` makes a new value of the same vector), outside one big
transaction: the storage change commits at once (it locks the table only for that), then
the rows are rewritten in batches of ``BATCH`` papers, each committed, so readers and
writers wait for one batch at most (100,000 papers took 38 s in all on a 2-core machine).
That leaves one dead row per paper for (auto)vacuum. PostgreSQL only.
"""

from django.db import migrations


BATCH = 5_000


def keep_vectors_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE curation_paper ALTER COLUMN search_vector SET STORAGE MAIN")
        cursor.execute("SELECT min(id), max(id) FROM curation_paper")
        first, last = cursor.fetchone()
        if first is None:
            return
        for start in range(first, last + 1, BATCH):
            cursor.execute(
                "UPDATE curation_paper SET search_vector = search_vector || ''::tsvector "
                "WHERE id >= %s AND id < %s AND search_vector IS NOT NULL",
                [start, start + BATCH],
            )


def move_vectors_back(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE curation_paper ALTER COLUMN search_vector SET STORAGE EXTENDED"
    )


class Migration(migrations.Migration):
    atomic = False  # each statement commits on its own (see above)

    dependencies = [("curation", "0009_json_columns_read_with_orjson")]

    operations = [migrations.RunPython(keep_vectors_inline, move_vectors_back)]
