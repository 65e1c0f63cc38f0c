"""Compute each paper's full-text vector in the database, on every insert and text change.

The importer wrote the vector with an ``INSERT ... SELECT`` over a typed ``VALUES`` list:
PostgreSQL spent more time reading that statement's literals (the raw records are some
10 kB each) than storing the rows. With the vector computed by this trigger the importer
writes papers with COPY, and a paper saved any other way (the admin, a data fix) keeps a
vector that matches its text. The vector is the one ``SearchVector`` would build: title
weighted A, abstract B, keywords and MeSH terms (``index_terms``) C, English
configuration. PostgreSQL only: SQLite searches with LIKE.
"""

from django.db import migrations

FUNCTION = "curation_paper_search_vector"
TRIGGER = "paper_search_vector_trigger"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_vector :=
                setweight(to_tsvector('english'::regconfig, NEW.title), 'A')
                || setweight(to_tsvector('english'::regconfig, NEW.abstract), 'B')
                || setweight(to_tsvector('english'::regconfig, NEW.index_terms), 'C');
            RETURN NEW;
        END
        $$
        """
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE INSERT OR UPDATE OF title, abstract, index_terms "
        f"ON curation_paper FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON curation_paper")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [("curation", "0007_paper_pub_date_order")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
