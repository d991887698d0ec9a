"""The bindings app's tables, one module per subsystem: the binding workflow, the counter desk, the ledger.

Every model keeps the `bindings` app label (no table was renamed); this package only shows where each lives.
"""

from .binding import (
    LIVE_STATUSES,
    PENDING_STATUSES,
    ActorRole,
    Application,
    Binding,
    BindingEvent,
    DissolveReason,
    Document,
    DocumentAccess,
    IdType,
    Notice,
    RejectReason,
    ShownStatus,
    Status,
)
from .counter import CounterTicket
from .ledger import (
    CREDIT_KINDS,
    DEBIT_KINDS,
    CareKind,
    EntryKind,
    FundSource,
    LedgerEntry,
    PremiumPayment,
    Settlement,
    SettlementItem,
    SpendingCap,
)

__all__ = [
    "CREDIT_KINDS",
    "DEBIT_KINDS",
    "LIVE_STATUSES",
    "PENDING_STATUSES",
    "ActorRole",
    "Application",
    "Binding",
    "BindingEvent",
    "CounterTicket",
    "DissolveReason",
    "Document",
    "DocumentAccess",
    "EntryKind",
    "FundSource",
    "CareKind",
    "IdType",
    "LedgerEntry",
    "Notice",
    "PremiumPayment",
    "RejectReason",
    "Settlement",
    "SettlementItem",
    "SpendingCap",
    "ShownStatus",
    "Status",
]
