"""Every write to bindings. Views, admin actions, the counter desk and management commands call these.

- core: the transition machinery (lock, guard, save, event) and the engine's verdict on a binding;
- applications: draft, pre-check, submit, withdraw, resubmit;
- documents: proof uploads on a draft or returned case;
- decisions: a clerk's approve (maker-checker), reject, request for more proof;
- endings: dissolution by a party, by an insurance status change, by the end date.
"""

from .applications import (
    PrecheckResult,
    RelativeInput,
    application_discard,
    application_start,
    application_submit,
    binding_add_relative,
    binding_remove_draft,
    binding_resubmit,
    binding_set_pledge,
    binding_withdraw,
)
from .core import BindingError, binding_verdict
from .decisions import binding_approve, binding_reject, binding_request_more
from .documents import document_add, document_remove, document_replace
from .endings import (
    binding_dissolve,
    binding_dissolve_by_party,
    bindings_expire,
    registry_status_change,
)

__all__ = [
    "BindingError",
    "PrecheckResult",
    "RelativeInput",
    "application_discard",
    "application_start",
    "application_submit",
    "binding_add_relative",
    "binding_approve",
    "binding_dissolve",
    "binding_dissolve_by_party",
    "binding_reject",
    "binding_remove_draft",
    "binding_request_more",
    "binding_resubmit",
    "binding_set_pledge",
    "binding_verdict",
    "binding_withdraw",
    "bindings_expire",
    "document_add",
    "document_remove",
    "document_replace",
    "registry_status_change",
]
