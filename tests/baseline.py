"""What the test database holds before any test runs: the migrations' clerk groups and the real policy data.

tests/conftest.py loads it once per session (per xdist worker) through the real loader. A transactional test
(live_server, transactional_db) ends with a flush that empties every table; `restore` then writes the same rows
back from a copy taken after the load: a few bulk inserts instead of running the loader again for each of the
browser and concurrency tests.
"""

from django.apps import apps
from django.db import connection, transaction
from pytest_django.fixtures import validate_django_db


class Baseline:
    def __init__(self):
        self.rows = []
        self.blocker = None  # pytest-django's django_db_blocker, set once the test database exists

    def load(self) -> None:
        from policies.services import load_policies

        load_policies()
        self.rows = [(model, list(model._base_manager.all())) for model in self._models()]

    def ensure(self) -> None:
        """Write the rows back if a flush removed them (one query when they are there)."""
        if not self.rows or apps.get_model("policies", "Region")._base_manager.exists():
            return
        from bindings.roles import ensure_roles

        ensure_roles()
        with transaction.atomic():  # foreign keys are checked at commit: any table order will do
            for model, rows in self.rows:
                model._base_manager.bulk_create(rows)

    def empty(self) -> None:
        """Delete the policy data (inside the caller's transaction), for the tests of a first load."""
        regions = apps.get_model("policies", "Region")._base_manager
        while regions.exists():  # a region protects its parent: cities first, then provinces, then 全国
            regions.exclude(pk__in=regions.exclude(parent=None).values("parent")).delete()
        apps.get_model("policies", "Source")._base_manager.all().delete()  # the rest went with the regions

    def restore(self) -> None:
        if self.blocker is None:
            return
        with self.blocker.unblock():
            try:
                self.ensure()
            finally:
                # After a browser test this hook may run in another context (Playwright's greenlets) and so on
                # a connection of its own: left open, it would stop the test database from being dropped.
                connection.close()

    @staticmethod
    def flushed_by(item) -> bool:
        """Whether pytest-django ran this test as a TransactionTestCase, whose teardown flushes the database."""
        names = getattr(item, "fixturenames", ())
        if "transactional_db" in names or "live_server" in names:
            return True
        marker = item.get_closest_marker("django_db")
        if marker is None:
            return False
        transactional, reset_sequences, *_ = validate_django_db(marker)
        return transactional or reset_sequences

    @staticmethod
    def _models():
        # Auto-created models too: the many-to-many tables (a version's sources).
        return apps.get_app_config("policies").get_models(include_auto_created=True)
