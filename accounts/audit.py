"""One call to log a clerk's action. Called inside the action's own transaction, so both land or neither.

Every row names the region (统筹区) of the person or case it concerns, so the audit list is scoped like the
queue. `region_of` derives it from whatever the call site holds (a person, an application, a binding, a document,
an account), so no call site works it out on its own.
"""

import re

from .masking import mask_id_number, mask_name, mask_phone
from .models import AuditEntry

# Case, settlement and receipt numbers (GJ/JS/DJ + yyyymmdd + 6 digits): not personal data.
DOCUMENT_NUMBER = re.compile(r"[A-Z]{2}\d{14}")
ID_NUMBER = re.compile(r"\d{15}|\d{17}[\dX]")
PHONE = re.compile(r"1\d{10}")


def audit(
    *,
    actor,
    action: str,
    target: str,
    case_number: str = "",
    detail: str = "",
    ip: str | None = None,
    region_code: str = "",
):
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target=target,
        case_number=case_number,
        detail=detail,
        ip_address=ip,
        region_code=region_code or "",
    )


def region_of(subject) -> str:
    """The city code an audit row belongs to.

    A person or an application has one; a binding or document has its case's, a ledger entry or settlement its
    person's; a resident's account has his registry person's; a staff account without one, the region it serves.
    """
    if subject is None:
        return ""
    city = getattr(subject, "city_code", None)
    if city is not None:
        return city or ""
    for attribute in ("application", "person", "patient", "binding"):
        related = getattr(subject, attribute, None)
        if related is not None:
            return region_of(related)
    return getattr(subject, "region_code", "") or ""


def is_personal_term(term: str) -> bool:
    """Whether a search term may name a person (ID number, phone, name, user name), i.e. whether a search for
    it is a read of personal data. A case or receipt number alone is not."""
    term = (term or "").strip().upper()
    return bool(term) and not DOCUMENT_NUMBER.fullmatch(term)


def masked_term(term: str) -> str:
    """A search term as the audit row keeps it: never a full ID number, phone or name."""
    term = (term or "").strip()
    upper = term.upper()
    if ID_NUMBER.fullmatch(upper):
        return mask_id_number(upper)
    if PHONE.fullmatch(term):
        return mask_phone(term)
    if DOCUMENT_NUMBER.fullmatch(upper):
        return upper
    return mask_name(term)
