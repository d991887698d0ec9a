"""One call to log a clerk's action. Called inside the action's own transaction, so both land or neither."""

from .models import AuditEntry


def audit(*, actor, action: str, target: str, case_number: str = "", detail: str = "", ip: str | None = None):
    return AuditEntry.objects.create(
        actor=actor, action=action, target=target, case_number=case_number, detail=detail, ip_address=ip
    )
