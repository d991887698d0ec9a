"""The clerks' back office, one module per page family; importing them registers them with the admin site.

- queue: the review queue and the case page (decisions through the binding services);
- registry: the insured-person registry (identity and money read-only; status changes end bindings);
- logs: the binding timeline and document-access log;
- dashboard: the clerks' dashboard (/admin/dashboard/, counts and charts), hooked into the admin site's URLs;
- export: the queue as a masked Excel workbook (/admin/dashboard/export.xlsx);
- bindings/ledger/admin.py: ledger entries, settlements and 代缴 payments, read-only;
- bindings/delegation/admin.py: the guardianship review queue; parent links and proxies, read-only.
"""

from bindings.delegation import admin as delegation_admin
from bindings.ledger import admin as ledger_admin

from . import dashboard, export, logs, queue, registry

__all__ = ["dashboard", "delegation_admin", "export", "ledger_admin", "logs", "queue", "registry"]
