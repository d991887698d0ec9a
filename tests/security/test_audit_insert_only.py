"""Audit rows are insert-only: the model, its queryset and, on PostgreSQL, a trigger (accounts migration 0005)
refuse every UPDATE and DELETE, whoever asks and however."""

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.models import AuditAction, AuditEntry
from tests.factories import clerk

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")


@pytest.fixture
def entry():
    return AuditEntry.objects.create(actor=clerk("360900"), action=AuditAction.REVEAL, target="person:1", detail="原文")


def unchanged(entry):
    fresh = AuditEntry.objects.filter(pk=entry.pk).values_list("detail", "action").first()
    assert fresh == ("原文", AuditAction.REVEAL)


@pytest.mark.parametrize(
    "attempt",
    [
        lambda: AuditEntry.objects.update(detail="x"),
        lambda: AuditEntry.objects.filter(action=AuditAction.REVEAL).update(detail="x"),
        lambda: AuditEntry.objects.all().delete(),
        lambda: AuditEntry.objects.filter(target="person:1").delete(),
        lambda: AuditEntry.objects.bulk_update(list(AuditEntry.objects.all()), ["detail"]),
    ],
    ids=["update", "filter-update", "delete", "filter-delete", "bulk_update"],
)
def test_the_orm_refuses_bulk_changes_on_every_database(entry, attempt):
    with pytest.raises(PermissionError), transaction.atomic():
        attempt()
    unchanged(entry)


def test_a_single_row_cannot_be_saved_again_or_deleted(entry):
    entry.detail = "x"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    unchanged(entry)


@postgres_only
def test_the_trigger_is_installed():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'accounts_auditentry'::regclass")
        assert ("accounts_auditentry_insert_only",) in cursor.fetchall()


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditentry SET detail = 'x'",
        "UPDATE accounts_auditentry SET region_code = '' WHERE id = %s",
        "DELETE FROM accounts_auditentry",
        "DELETE FROM accounts_auditentry WHERE id = %s",
    ],
)
def test_plain_sql_cannot_change_or_delete_a_row(entry, sql):
    params = [entry.pk] if "%s" in sql else None
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    unchanged(entry)


def test_the_base_manager_is_the_insert_only_one_too(entry):
    """Django's internals and related-object access use _base_manager: it is the guarded manager as well."""
    with pytest.raises(PermissionError):
        AuditEntry._base_manager.filter(pk=entry.pk).update(detail="x")
    with pytest.raises(PermissionError):
        AuditEntry._base_manager.filter(pk=entry.pk).delete()
    unchanged(entry)


def test_new_rows_are_still_written(entry):
    AuditEntry.objects.create(actor=entry.actor, action=AuditAction.SEARCH, target="insuredperson:search")
    assert AuditEntry.objects.count() == 2
