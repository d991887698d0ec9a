"""The clerks' back office, one module per page family; importing them registers them with the admin site.

- queue: the review queue and the case page (decisions through the binding services);
- registry: the insured-person registry (identity and money read-only; status changes end bindings);
- logs: the binding timeline and document-access log;
- bindings/ledger/admin.py: ledger entries, settlements and 代缴 payments, read-only;
- bindings/delegation/admin.py: the guardianship review queue; parent links and proxies, read-only.
"""

from bindings.delegation import admin as delegation_admin
from bindings.ledger import admin as ledger_admin

from . import logs, queue, registry

__all__ = ["delegation_admin", "ledger_admin", "logs", "queue", "registry"]
