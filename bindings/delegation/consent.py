"""A minor's own account and his guardian: who is asked, the guardian's consent, and the minor asking for help.

A 14- to 17-year-old without full capacity may register, but the account opens only when a guardian consents from
his own signed-in account (accounts.capacity.account_block). Those asked are the minor's active guardians
(accounts.acting.guardians_of) and, when he has none, the parents the registry links to him (FamilyLink) who have
an account: they can sign in and answer. A parent who consents through that link becomes the recorded guardian in
the same transaction, verified through the registry, so from then on he can act for the child.

While he lacks full capacity the minor may look but not change anything himself (accounts.acting.own_acting); he
can ask his guardians to do it for him (guardian_ask), which tells them what he asked for.

This lives in bindings, not accounts, because it tells people through the message centre (bindings.notices).
"""

import datetime

from django.db import transaction
from django.db.models import ProtectedError
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.acting import agent_of, guardians_of
from accounts.capacity import account_block, has_full_capacity, may_hold_own_account, needs_guardian
from accounts.errors import HallError
from accounts.models import (
    DelegationStatus,
    FamilyLink,
    FamilyLinkSource,
    GuardianBasis,
    Guardianship,
    InsuredPerson,
    User,
    VerifiedVia,
)
from accounts.sms import sms_send

from ..models import Binding, Notice
from ..notices import notify_person
from ..transitions import PARTY_ACTIONS, TRANSITIONS, Action, allows, party_roles

PARENT_BASES = frozenset({GuardianBasis.PARENT_HUKOU, GuardianBasis.PARENT_BIRTH_CERTIFICATE})
BASIS_OF_SOURCE = {
    FamilyLinkSource.HUKOU: GuardianBasis.PARENT_HUKOU,
    FamilyLinkSource.BIRTH_CERTIFICATE: GuardianBasis.PARENT_BIRTH_CERTIFICATE,
}


class ConsentError(HallError):
    default_code = "consent_refused"


def _today(on):
    return on or timezone.localdate()


def guardians_to_ask(person: InsuredPerson, on: datetime.date | None = None) -> list[InsuredPerson]:
    """Who answers for a resident without full capacity: his active guardians, failing that the parents the
    registry links to him who have an account of their own (only they can sign in and answer)."""
    on = _today(on)
    if has_full_capacity(person, on):
        return []
    guardians = [g for g in guardians_of(person, on) if has_full_capacity(g, on)]
    if guardians:
        return guardians
    parent_ids = FamilyLink.objects.filter(child=person).values_list("parent_id", flat=True)
    parents = InsuredPerson.objects.filter(pk__in=parent_ids, account__is_active=True).order_by("pk")
    return [p for p in parents if has_full_capacity(p, on)]


def _consent_basis(guardian: InsuredPerson, ward: InsuredPerson, on) -> Guardianship | FamilyLink | None:
    """Why `guardian` may answer for `ward`: an active guardianship, else the registry's parent link."""
    if not has_full_capacity(guardian, on):
        return None
    row = Guardianship.objects.filter(guardian=guardian, ward=ward, status=DelegationStatus.ACTIVE).first()
    return row or FamilyLink.objects.filter(parent=guardian, child=ward).first()


# --- the account waiting for consent -------------------------------------------------------------------------


def _tell_the_minor(account: User, *, title: str, body: str) -> None:
    """The minor himself, on the phone he proved at registration: the guardian who answered already knows."""
    Notice.objects.create(person=account.person, title=title, body=body)
    if account.phone:
        sms_send(phone=account.phone, body=_("【医保服务大厅】") + body, region_code=account.person.city_code)


def consent_ask(*, account: User, on: datetime.date | None = None) -> list[InsuredPerson]:
    """Ask the guardians of a newly registered minor to consent; returns those asked (empty: nobody to ask)."""
    on = _today(on)
    asked = guardians_to_ask(account.person, on)
    name = account.person.name
    for guardian in asked:
        notify_person(
            guardian,
            title=_("（您监护的%(name)s）注册账户待您同意") % {"name": name},
            body=_(
                "%(name)s（未满18周岁）注册了医保网上服务大厅账户，需要您同意后才能使用。"
                "请登录大厅，打开“监护人确认”页面，选择“同意”或“不同意”。如不是您的孩子本人注册，请选择“不同意”。"
            )
            % {"name": name},
        )
    return asked


def pending_accounts(*, guardian: InsuredPerson, on: datetime.date | None = None) -> list[User]:
    """The accounts of his wards and registry-linked children that wait for a guardian's consent today."""
    on = _today(on)
    if not has_full_capacity(guardian, on):
        return []
    ward_ids = set(
        Guardianship.objects.filter(guardian=guardian, status=DelegationStatus.ACTIVE).values_list("ward_id", flat=True)
    )
    ward_ids |= set(FamilyLink.objects.filter(parent=guardian).values_list("child_id", flat=True))
    accounts = User.objects.filter(person_id__in=ward_ids, guardian_consent_at__isnull=True, is_active=True)
    accounts = accounts.select_related("person").order_by("date_joined", "pk")
    return [a for a in accounts if may_hold_own_account(a.person, on) and needs_guardian(a.person, on)]


def pending_account_for(*, guardian: InsuredPerson, pk: int, on: datetime.date | None = None) -> User | None:
    """One of pending_accounts, or None (a stranger's account, one already answered, or an adult's)."""
    return next((a for a in pending_accounts(guardian=guardian, on=on) if a.pk == pk), None)


@transaction.atomic
def consent_decide(*, account: User, guardian_user, agree: bool, on: datetime.date | None = None) -> None:
    """The guardian's answer. Agreeing opens the account (and records a registry-linked parent as guardian);
    refusing closes it: the minor's data is not kept without a guardian's consent (PIPL 第31条)."""
    on = _today(on)
    guardian_user = agent_of(guardian_user)
    guardian = guardian_user.person
    locked = User.objects.select_for_update(of=("self",)).select_related("person").filter(pk=account.pk).first()
    basis = _consent_basis(guardian, locked.person, on) if guardian is not None and locked is not None else None
    if basis is None or account_block(locked, on) is None or not may_hold_own_account(locked.person, on):
        raise ConsentError(_("该账户不需要您确认，或已由其他监护人确认。"), code="not_pending")
    if not agree:
        _close(locked)
        return
    locked.guardian_consent_at = timezone.now()
    locked.guardian_consent_by = guardian_user
    locked.save(update_fields=["guardian_consent_at", "guardian_consent_by"])
    if isinstance(basis, FamilyLink):
        _record_parent(guardian_user, basis)
    _tell_the_minor(
        locked,
        title=_("监护人已同意，账户已开通"),
        body=_(
            "您的监护人已同意您使用医保网上服务大厅账户，现在可以登录了。未满18周岁前，"
            "您可以查看自己的信息；申请或解除家庭共济等业务需要监护人办理。"
        ),
    )


def _record_parent(guardian_user, link: FamilyLink) -> None:
    """A registry-linked parent who answered becomes the recorded guardian, verified through the registry."""
    open_row = (
        Guardianship.objects.select_for_update()
        .filter(guardian=link.parent, ward=link.child, status__in=(DelegationStatus.PENDING, DelegationStatus.ACTIVE))
        .first()
    )
    if open_row is not None and (open_row.status == DelegationStatus.ACTIVE or open_row.basis not in PARENT_BASES):
        return  # already recorded, or asked on another basis (a court's appointment): the clerk decides that one
    values = {
        "basis": BASIS_OF_SOURCE[link.source],
        "status": DelegationStatus.ACTIVE,
        "verified_via": VerifiedVia.REGISTRY,
        "decided_at": timezone.now(),
    }
    if open_row is not None:
        # The registry now proves the parent link the clerk was asked to check: the request is settled by it.
        for field, value in values.items():
            setattr(open_row, field, value)
        open_row.save(update_fields=list(values))
        return
    Guardianship.objects.create(
        guardian=link.parent, ward=link.child, region_code=link.child.city_code, requested_by=guardian_user, **values
    )


def _close(account: User) -> None:
    person, phone = account.person, account.phone
    try:
        with transaction.atomic():
            account.delete()
    except ProtectedError:
        # An account used before guardians were asked for (history points at it): kept, but it cannot be used.
        account.is_active = False
        account.phone = ""
        account.save(update_fields=["is_active", "phone"])
    account.person, account.phone = person, phone
    _tell_the_minor(
        account,
        title=_("监护人未同意注册账户"),
        body=_(
            "您的监护人没有同意您注册医保网上服务大厅账户，账户已注销。"
            "您的医保业务可以由监护人登录大厅，在“家庭成员”中为您办理。"
        ),
    )


# --- the minor asks his guardian to act ----------------------------------------------------------------------


def ask_subject(user, path: str, on: datetime.date | None = None) -> str:
    """What the minor asked for, from the page he was on: an action on one of his bindings (the one he tried, or
    those its state allows on its page), or a kind of page. Never free text: what reaches the guardian's phone
    is written here."""
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    if match is not None and match.view_name in ("bindings:act", "bindings:detail"):
        binding = Binding.objects.select_related("application").filter(pk=match.kwargs["pk"]).first()
        roles = party_roles(binding, user) if binding is not None else set()
        if roles:
            if match.view_name == "bindings:act":
                tried = match.kwargs.get("action")
                actions = [Action(tried)] if tried in PARTY_ACTIONS else []
            else:
                status = binding.effective_status(_today(on))
                actions = [a for a in PARTY_ACTIONS if roles & TRANSITIONS[a].by and allows(a, status)]
            what = "、".join(str(a.label) for a in actions) or _("处理家庭共济")
            return _("%(what)s（受理编号%(case)s）") % {"what": what, "case": binding.application.case_number}
    if match is not None and match.namespace == "bindings":
        return _("申请或变更家庭共济")
    return _("网上服务大厅的业务")


def guardian_ask(*, user, path: str, on: datetime.date | None = None) -> tuple[str, list[InsuredPerson]]:
    """Tell the guardians of a minor acting for himself what he asked them to do. Returns what and whom."""
    on = _today(on)
    person = user.person
    what = ask_subject(user, path, on)
    asked = guardians_to_ask(person, on)
    for guardian in asked:
        notify_person(
            guardian,
            title=_("（您监护的%(name)s）请您办理") % {"name": person.name},
            body=_("%(name)s请您为他（她）办理：%(what)s。请登录医保网上服务大厅，在“家庭成员”中选择%(name)s后办理。")
            % {"name": person.name, "what": what},
        )
    return what, asked
