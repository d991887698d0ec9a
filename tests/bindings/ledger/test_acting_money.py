"""Issue 12: a guardian's or proxy's money acts (premiums, spending caps) name both people in the audit log and
the notices, and the person acted for is always told."""

import datetime

import pytest

from accounts.acting import acting_for, acting_user
from accounts.models import AuditAction, AuditEntry
from bindings.ledger import services as ledger
from bindings.models import Notice
from policies.relationships import Relationship
from tests.factories import UserFactory, proxy_grant

pytestmark = pytest.mark.django_db
Y = 100
BEFORE_2025 = datetime.date(2024, 11, 1)


def _as_proxy_of(principal, **grant):
    agent = UserFactory(person__name="王建国", person__district="430405")
    proxy_grant(principal, agent.person, **grant)
    return acting_user(agent, acting_for(agent, principal.pk))


def test_a_proxy_paying_a_premium_is_audited_with_both_names_and_the_principal_is_told(family):
    payer = family.authorizer("hengyang", balance_yuan=6600, name="刘洋")
    mother = family.relative("hengyang", birth=datetime.date(1950, 2, 14))
    family.bind(payer, mother, Relationship.PARENT)
    actor = _as_proxy_of(payer, may_pay=True)

    payment = ledger.premium_pay(payer=payer, beneficiary=mother, year=2025, actor=actor, on=BEFORE_2025)

    row = AuditEntry.objects.get(action=AuditAction.ACT_FOR, target=f"premium:{payment.pk}")
    assert row.actor_id == actor.agent.pk and row.region_code == payer.city_code
    assert "王*国" in row.detail and "刘*" in row.detail and "代办人" in row.detail
    told = Notice.objects.get(person=payer, title="家人为您办理了业务")
    assert "此项由代办人王*国代刘*办理。" in told.body
    assert "此项由代办人王*国代刘*办理。" in Notice.objects.get(person=mother, title="居民医保已代缴").body


def test_a_proxy_setting_a_spending_cap_is_audited_and_told(family):
    father = family.authorizer("yichun", balance_yuan=3000, name="王德福")
    grandson = family.relative("yichun", birth=datetime.date(1990, 1, 1))
    binding = family.bind(father, grandson, Relationship.GRANDCHILD)
    actor = _as_proxy_of(father)

    ledger.spending_cap_set(binding=binding, monthly_limit_fen=100 * Y, actor=actor)

    row = AuditEntry.objects.get(action=AuditAction.ACT_FOR, target=f"binding:{binding.pk}")
    assert "共济上限设为每月100.00元" in row.detail
    assert Notice.objects.filter(person=father, title="家人为您办理了业务").exists()


def test_the_owner_acting_himself_writes_no_act_for_row(family):
    payer = family.authorizer("hengyang", balance_yuan=6600)
    mother = family.relative("hengyang", birth=datetime.date(1950, 2, 14))
    family.bind(payer, mother, Relationship.PARENT)
    ledger.premium_pay(payer=payer, beneficiary=mother, year=2025, actor=family.account(payer), on=BEFORE_2025)
    assert not AuditEntry.objects.filter(action=AuditAction.ACT_FOR).exists()
    assert not Notice.objects.filter(title="家人为您办理了业务").exists()
