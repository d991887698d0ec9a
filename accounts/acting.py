"""Acting for someone else: the one authority on who may act for whom, and what he may do there.

A signed-in resident acts for himself, for a ward (an active Guardianship, while the ward lacks full capacity)
or for a principal (a ProxyGrant in force today). ActingMiddleware reads the choice from the session on every
request and checks it again, so a revoked grant or a ward turning 18 ends the access on the next click. While he
acts for someone else, `request.user` is an ActingUser: the signed-in account with the other person's registry
record, so every view, service and selector that asks `user.person` works on that person, and everything
recorded (events, audit, ledger) names the signed-in user as the actor; `request.acting` says for whom and how.

What may change is decided by scope. Views that change something declare theirs with @acting_scope; a change
through a view that declares none is refused while acting for someone else (deny by default). A resident
without full capacity (14 to 17) acting for himself may look, and needs a guardian for every change.
"""

import copy
import datetime
from dataclasses import dataclass, field
from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _

from .audit import audit
from .capacity import has_full_capacity
from .masking import mask_name
from .models import (
    ActingKind,
    ActingUser,
    AuditAction,
    DelegationStatus,
    Guardianship,
    InsuredPerson,
    ProxyGrant,
    ProxyScope,
)

SESSION_KEY = "acting_for"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ALL_SCOPES = frozenset(ProxyScope)


@dataclass(frozen=True)
class Acting:
    """For whom the signed-in `agent` is acting, as what, and what he may do there."""

    person: InsuredPerson
    agent: object  # the signed-in User
    kind: str
    scopes: frozenset = field(default=ALL_SCOPES)
    guardianship: Guardianship | None = None
    grant: ProxyGrant | None = None

    @property
    def for_someone_else(self) -> bool:
        return self.kind != ActingKind.SELF

    @property
    def kind_label(self) -> str:
        return str(ActingKind(self.kind).label)

    def may(self, scope: str) -> bool:
        return scope in self.scopes


def own_acting(user, on: datetime.date | None = None) -> Acting | None:
    """The resident acting for himself: everything with full capacity, only looking without it."""
    person = getattr(user, "person", None)
    if person is None:
        return None
    on = on or timezone.localdate()
    scopes = ALL_SCOPES if has_full_capacity(person, on) else frozenset({ProxyScope.VIEW})
    return Acting(person=person, agent=user, kind=ActingKind.SELF, scopes=scopes)


def wards_of(person: InsuredPerson, on: datetime.date) -> list[Guardianship]:
    """Active guardianships whose ward still lacks full capacity on `on` (a ward turning 18 leaves the list)."""
    rows = Guardianship.objects.filter(guardian=person, status=DelegationStatus.ACTIVE).select_related("ward")
    return [row for row in rows if not has_full_capacity(row.ward, on)]


def guardians_of(person: InsuredPerson, on: datetime.date) -> list[InsuredPerson]:
    """Who is told and asked for a person without full capacity (none for an adult)."""
    if has_full_capacity(person, on):
        return []
    rows = Guardianship.objects.filter(ward=person, status=DelegationStatus.ACTIVE).select_related("guardian")
    return [row.guardian for row in rows]


def grants_in_force(*, on: datetime.date) -> Q:
    return Q(revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on)


def principals_of(person: InsuredPerson, on: datetime.date) -> list[ProxyGrant]:
    return list(
        ProxyGrant.objects.filter(grants_in_force(on=on), agent=person).select_related("principal").order_by("id")
    )


def household(user, on: datetime.date | None = None) -> list[Acting]:
    """Everyone this user may act for today, himself first: what the 家庭成员 switcher offers."""
    own = own_acting(user, on)
    if own is None or getattr(user, "is_staff", False):
        return [own] if own else []
    on = on or timezone.localdate()
    people = [own]
    for row in wards_of(own.person, on):
        people.append(Acting(person=row.ward, agent=user, kind=ActingKind.GUARDIAN, guardianship=row))
    for grant in principals_of(own.person, on):
        if all(a.person.pk != grant.principal_id for a in people):
            people.append(
                Acting(person=grant.principal, agent=user, kind=ActingKind.PROXY, scopes=grant.scopes(), grant=grant)
            )
    return people


def acting_for(user, person_id, on: datetime.date | None = None) -> Acting | None:
    """The Acting for `person_id` if this user may act for him today, else None."""
    for acting in household(user, on):
        if acting.person.pk == person_id:
            return acting
    return None


def acting_user(user, acting: Acting):
    """A copy of the signed-in user whose registry person is the one acted for (never saved)."""
    if not acting.for_someone_else:
        return user
    if isinstance(user, LazyObject):  # request.user: copy the account it wraps, not the wrapper (no pk)
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    clone = ActingUser()
    clone.__dict__.update({k: v for k, v in user.__dict__.items() if k != "_state"})
    clone._state = copy.copy(user._state)
    clone._state.fields_cache = {}
    clone.person = acting.person
    clone.acting = acting
    clone.agent = user
    return clone


def agent_of(user):
    """The signed-in account behind a user that may be acting for someone else."""
    return getattr(user, "agent", user)


def acting_of(user) -> Acting | None:
    """How `user` acts: for someone else when he is an ActingUser, else for himself."""
    return getattr(user, "acting", None) or own_acting(user)


def user_may(user, scope: str) -> bool:
    """May this (possibly acting) user do what `scope` covers? Staff are not residents: this is not for them."""
    acting = acting_of(user)
    return acting is not None and acting.may(scope)


def acting_scope(scope: str | None):
    """Declare what a view changes: ProxyScope.APPLY, ProxyScope.PAY, or None for a change that only concerns the
    signed-in user's own session (switching who he acts for, elder mode, signing out)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            return view(*args, **kwargs)

        wrapper.acting_scope = scope
        wrapper.acting_scope_declared = True
        return wrapper

    return decorate


def acted_for(actor) -> Acting | None:
    """How `actor` is acting when it is for someone else (a guardian or proxy), else None."""
    acting = getattr(actor, "acting", None)
    return acting if acting is not None and acting.for_someone_else else None


def act_for_note(actor) -> str:
    """'此项由代办人王*国代王*福办理。' to end a notice about something a guardian or proxy did, else ''."""
    acting = acted_for(actor)
    if acting is None:
        return ""
    return _("此项由%(kind)s%(agent)s代%(person)s办理。") % {
        "kind": acting.kind_label,
        "agent": mask_name(agent_of(actor).person.name),
        "person": mask_name(acting.person.name),
    }


def audit_act_for(actor, *, target: str, what: str, region_code: str, case_number: str = ""):
    """The audit row of an act by a guardian or proxy, naming both (written in the act's transaction)."""
    acting = acted_for(actor)
    if acting is None:
        return None
    agent = agent_of(actor)
    return audit(
        actor=agent,
        action=AuditAction.ACT_FOR,
        target=target,
        case_number=case_number,
        detail=_("%(agent)s以%(kind)s身份为%(person)s办理：%(what)s")
        % {
            "agent": mask_name(agent.person.name),
            "kind": acting.kind_label,
            "person": mask_name(acting.person.name),
            "what": what,
        },
        region_code=region_code,
    )


# --- the 家庭成员 switcher -------------------------------------------------------------------------------------
# The switcher is on every page, so what it shows is cached, per person and day (a ward turning 18 or a grant
# ending leaves the list the next day): for most residents "himself only", for a guardian or proxy a few names.
# It is cleared whenever a guardianship or a grant naming him as guardian or agent is saved or deleted, and when
# the registry changes the name or capacity of anyone on it (accounts.apps connects household_changed and
# household_person_changed). Only the display uses it: switching and every request made while acting ask the
# database (acting_for), so a revocation ends access at once whatever the cache says.
HOUSEHOLD_CACHE_SECONDS = 300
_PERSON_FIELDS_SHOWN = frozenset({"name", "birth_date", "self_supporting"})  # the name, and who is still a ward


@dataclass(frozen=True)
class SwitcherPerson:
    pk: int
    name: str


@dataclass(frozen=True)
class SwitcherEntry:
    """One line of the switcher, as cached: no registry row, no grant, only what the line shows."""

    person: SwitcherPerson
    kind: str

    @property
    def for_someone_else(self) -> bool:
        return self.kind != ActingKind.SELF


def _switcher_key(person_id, on: datetime.date) -> str:
    return f"household-switcher:{person_id}:{on.isoformat()}"


def household_for_switcher(user) -> list[SwitcherEntry]:
    """household(user) as the switcher shows it: no query once cached (himself first)."""
    own = own_acting(user)
    if own is None:
        return []
    if getattr(user, "is_staff", False):
        return [SwitcherEntry(SwitcherPerson(own.person.pk, own.person.name), own.kind)]
    on = timezone.localdate()
    key = _switcher_key(own.person.pk, on)
    rows = cache.get(key)
    if rows is None:
        rows = [(a.person.pk, a.person.name, str(a.kind)) for a in household(user, on)]
        cache.set(key, rows, HOUSEHOLD_CACHE_SECONDS)
    return [SwitcherEntry(SwitcherPerson(pk, name), kind) for pk, name, kind in rows]


def _forget_switchers(person_ids) -> None:
    """Now, and again once the change is committed: a page read in between may have cached the old list."""
    on = timezone.localdate()
    keys = [_switcher_key(pk, on) for pk in set(person_ids) if pk]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def household_changed(sender, instance, **kwargs) -> None:
    """post_save / post_delete of a Guardianship or ProxyGrant: the guardian's or agent's switcher is out of date."""
    _forget_switchers([getattr(instance, "guardian_id", None) or getattr(instance, "agent_id", None)])


def household_person_changed(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """post_save of an InsuredPerson: his own switcher and those of his guardians and agents show his name."""
    if created or (update_fields is not None and not _PERSON_FIELDS_SHOWN & set(update_fields)):
        return  # a new person is on nobody's switcher yet; a balance or status update shows on none
    guardians = Guardianship.objects.filter(ward=instance).values_list("guardian_id", flat=True)
    agents = ProxyGrant.objects.filter(principal=instance).values_list("agent_id", flat=True)
    _forget_switchers([instance.pk, *guardians, *agents])
