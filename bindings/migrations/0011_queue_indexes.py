"""Indexes for the review queue at provincial scale (issue 16; the plans are in BENCHMARKS.md).

- bindings_binding_pending_queue: the submitted cases in the queue's order (submitted_at, id), and only those: 50,000
  entries when the table holds a million bindings. The supervisor's page of 50 is the first 50 entries, no sort;
  the count is an index-only scan of this small index, not of the table.
- bindings_binding_pending_application: the submitted cases' application ids, and
  bindings_application_city_id: a city's applications as (city_code, id) pairs. A 审核员's count joins the two
  from the indexes alone (index-only scans, a merge or hash join), never reading the tables' rows.

Raw SQL, not Meta.indexes: a partial index in the queue's order is the database's business, and keeping it out of
the model state leaves the models (owned elsewhere) and `makemigrations --check` as they are. Both statements
work on SQLite too.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bindings", "0010_issue15_schema")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS bindings_binding_pending_queue "
            "ON bindings_binding (submitted_at, id) WHERE status = 'submitted'",
            "DROP INDEX IF EXISTS bindings_binding_pending_queue",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS bindings_binding_pending_application "
            "ON bindings_binding (application_id) WHERE status = 'submitted'",
            "DROP INDEX IF EXISTS bindings_binding_pending_application",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS bindings_application_city_id ON bindings_application (city_code, id)",
            "DROP INDEX IF EXISTS bindings_application_city_id",
        ),
    ]
