"""The search index of source texts (see interviews/search_index.py).

PostgreSQL: two columns the model does not declare, and a GIN index on the words.
SQLite: an FTS5 table. Existing sources are indexed here.
"""

from django.db import migrations

POSTGRES = [
    "ALTER TABLE interviews_source ADD COLUMN search_folded text",
    "ALTER TABLE interviews_source ADD COLUMN search_vector tsvector",
    "CREATE INDEX source_search_vector ON interviews_source USING gin (search_vector)",
]
POSTGRES_BACK = [
    "DROP INDEX IF EXISTS source_search_vector",
    "ALTER TABLE interviews_source DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE interviews_source DROP COLUMN IF EXISTS search_folded",
]
SQLITE = [
    "CREATE VIRTUAL TABLE interviews_source_search USING fts5(words, folded UNINDEXED, stamp UNINDEXED, tokenize = 'ascii')",
]
SQLITE_BACK = ["DROP TABLE IF EXISTS interviews_source_search"]


def create(apps, schema_editor):
    from interviews.search_index import index_text

    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)
    if not statements:
        return
    Source = apps.get_model("interviews", "Source")
    for pk, text in Source.objects.using(schema_editor.connection.alias).values_list("pk", "text"):
        index_text(source_id=pk, text=text, using=schema_editor.connection)


def drop(apps, schema_editor):
    statements = {"postgresql": POSTGRES_BACK, "sqlite": SQLITE_BACK}
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("interviews", "0003_job"),
    ]

    operations = [migrations.RunPython(create, drop)]
