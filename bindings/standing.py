"""Where a signed-in resident stands, for the hall's home page: his balance, the relatives he has authorised with
their status words and his quota, and each case still in progress with its 受理 → 审核 → 办结 tracker.

Every answer comes from the place that owns it: the status word from Binding.shown_status, the quota from
selectors.binding_quota (the engine's count), the expected date from timeline.case_tracker and the region's
processing time. The home page asks for it in a fixed number of queries, whatever the number of relatives.
"""

from dataclasses import dataclass
from datetime import date

from accounts.models import InsuredPerson
from policies.selectors import resolved_policy

from .models import PENDING_STATUSES, Binding
from .selectors import binding_quota
from .timeline import CaseTracker, case_tracker


@dataclass(frozen=True)
class Standing:
    person: InsuredPerson
    relatives: list  # Bindings as authorizer that hold a place or start later: pending, active, not yet started
    quota: object | None
    cases: list[CaseTracker]


def resident_standing(person: InsuredPerson, on: date) -> Standing:
    # One read of every binding he authorizes: the live ones listed (Binding.is_live_on, the twin of .live()), all
    # of them counted for the quota (binding_quota's rows).
    rows = list(Binding.objects.filter(authorizer=person).select_related("relative", "application").order_by())
    relatives = sorted((b for b in rows if b.is_live_on(on)), key=lambda b: (b.created_at, b.pk), reverse=True)
    pending = [b for b in relatives if b.status in PENDING_STATUSES]
    cases = []
    if pending:
        policy = resolved_policy(person.city_code, on)
        cases = [case_tracker(b, policy) for b in pending]
    quota = binding_quota(authorizer=person, on=on, rows=rows) if person.has_personal_account else None
    return Standing(person=person, relatives=relatives, quota=quota, cases=cases)
