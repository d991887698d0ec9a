"""Row locks and document numbers shared by the binding services and the ledger."""

import secrets
from datetime import date

from accounts.models import InsuredPerson


def lock_people(pks) -> dict[int, InsuredPerson]:
    """Lock registry rows in one order (by pk), so two transactions never wait for each other in a circle,
    and return them as committed (balances included).

    FOR NO KEY UPDATE, not FOR UPDATE: others may still insert rows pointing at these people (notices,
    bindings, ledger entries) meanwhile; FOR UPDATE would block those inserts and deadlock a transaction that
    holds a binding and writes its notices against one that holds a person and waits for that binding.
    """
    rows = InsuredPerson.objects.select_for_update(no_key=True).filter(pk__in={pk for pk in pks if pk}).order_by("pk")
    return {person.pk: person for person in rows}


def new_serial(prefix: str, model, field: str, day: date) -> str:
    """PREFIX + yyyymmdd + 6 random digits, unused in `model.field` (a case number, a receipt number)."""
    for _attempt in range(10):
        candidate = f"{prefix}{day:%Y%m%d}{secrets.randbelow(10**6):06d}"
        if not model.objects.filter(**{field: candidate}).exists():
            return candidate
    raise RuntimeError(f"could not allocate a {prefix} number")
