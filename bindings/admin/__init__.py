"""The clerks' back office, one module per page family; importing them registers them with the admin site.

- queue: the review queue and the case page (decisions through the binding services);
- registry: the insured-person registry (identity and money read-only; status changes end bindings);
- logs: the binding timeline and document-access log;
- bindings/ledger/admin.py: ledger entries, settlements and 代缴 payments, read-only.
"""

from bindings.ledger import admin as ledger_admin

from . import logs, queue, registry

__all__ = ["ledger_admin", "logs", "queue", "registry"]
