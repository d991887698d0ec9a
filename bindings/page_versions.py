"""Whom a written row concerns: their kept pages (config.pagecache) are out of date when it changes.

One table, PEOPLE_OF, names for every model of accounts and bindings the people whose pages show it; EXEMPT names
the models no resident page shows (a test fails when a model is in neither, so a new model is decided here, once).
Connected to post_save and post_delete in BindingsConfig.ready(). The few writes that bypass signals
(QuerySet.update) call config.pagecache.people_changed themselves.
"""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from accounts.models import (
    ActingUser,
    AuditEntry,
    FaceChallenge,
    FaceVerification,
    FamilyLink,
    Guardianship,
    InsuredPerson,
    ProxyGrant,
    RateBucket,
    SmsCode,
    SmsMessage,
    User,
)
from config.pagecache import people_changed

from .models import (
    Application,
    Binding,
    BindingEvent,
    CounterTicket,
    Document,
    DocumentAccess,
    LedgerEntry,
    Notice,
    PremiumPayment,
    Settlement,
    SettlementItem,
    SpendingCap,
)


def _related(instance, name):
    """The related row when it is already loaded (no query), else None."""
    return instance._state.fields_cache.get(name)


def _binding_parties(binding_id, binding=None) -> tuple:
    if binding_id is None:
        return ()
    if binding is not None:
        return binding.authorizer_id, binding.relative_id
    return tuple(Binding.objects.filter(pk=binding_id).values_list("authorizer_id", "relative_id").first() or ())


def _of_binding_row(instance) -> tuple:
    return _binding_parties(instance.binding_id, _related(instance, "binding"))


def _of_user(user) -> tuple:
    return (user.person_id,)


def _of_user_id(instance) -> tuple:
    user = _related(instance, "user")
    if user is not None:
        return (user.person_id,)
    return tuple(User.objects.filter(pk=instance.user_id).values_list("person_id", flat=True))


def _of_person(person) -> tuple:
    """A registry record is shown on his own pages and on those of whoever shares with him or acts for him."""
    shared = Q(authorizer=person) | Q(relative=person)
    pairs = Binding.objects.filter(shared).values_list("authorizer_id", "relative_id")
    guardians = Guardianship.objects.filter(ward=person).values_list("guardian_id", flat=True)
    agents = ProxyGrant.objects.filter(principal=person).values_list("agent_id", flat=True)
    return (person.pk, *(pk for pair in pairs for pk in pair), *guardians, *agents)


PEOPLE_OF = {
    InsuredPerson: _of_person,
    User: _of_user,
    FamilyLink: lambda row: (row.parent_id, row.child_id),
    Guardianship: lambda row: (row.guardian_id, row.ward_id),
    ProxyGrant: lambda row: (row.principal_id, row.agent_id),
    FaceChallenge: _of_user_id,
    FaceVerification: _of_user_id,
    Application: lambda row: (row.authorizer_id,),
    Binding: lambda row: (row.authorizer_id, row.relative_id),
    BindingEvent: lambda row: (*_of_binding_row(row), row.on_behalf_of_id),
    Document: _of_binding_row,
    Notice: lambda row: (row.person_id, *_of_binding_row(row)),
    Settlement: lambda row: (row.patient_id, row.authorizer_id),
    PremiumPayment: lambda row: (row.payer_id, row.beneficiary_id),
    LedgerEntry: lambda row: (row.person_id, row.beneficiary_id),
    SpendingCap: _of_binding_row,
}

# Shown on no resident page: clerks' and the system's own records. SettlementItem rows are written with their
# Settlement (whose save marks the pages) and never alone; an ActingUser is never saved (accounts.models).
EXEMPT = {AuditEntry, SmsCode, SmsMessage, RateBucket, DocumentAccess, CounterTicket, SettlementItem, ActingUser}


def _changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    people_changed(*PEOPLE_OF[sender](instance))


def connect() -> None:
    for model in PEOPLE_OF:
        post_save.connect(_changed, sender=model, dispatch_uid=f"pagecache-{model.__name__}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"pagecache-{model.__name__}-delete")
