"""What the policy data says, pinned to the sentence of the source it is taken from (issue 15).

Each test names the seed sentence; the data's own quotes are checked verbatim by test_quotes.py.
"""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from bindings.ledger.pooling import pooling_compute, pooling_declared, terms_for
from policies.choices import ChannelKind, ProofKind
from policies.loading import DATA_DIR
from policies.models import ProofRule
from policies.relationships import CLOSE_RELATIVES
from policies.selectors import resolved_policy

pytestmark = pytest.mark.django_db
ON = datetime.date(2025, 6, 1)


def test_guigang_resident_deductible_is_not_stated_so_the_slip_amount_is_asked(policies):
    # seed 003 gives per-day limits and shares only: no 起付线 (the data said 0)
    params = resolved_policy("450800", ON).pooling_for("resident")
    assert params.deductible_yuan is None and params.deductible_yearly_max_yuan is None
    terms = terms_for(params, "level1")
    assert not terms.complete and "起付线" in terms.missing
    assert "起付线未在来源中说明，本次未扣除。" in [step.detail for step in pooling_compute(terms, 100_00).steps]
    declared = pooling_declared(terms, 100_00, 60_00)
    assert declared.fund_fen == 60_00


def test_no_age_for_the_birth_medical_certificate(policies):
    # no seed gives an age for the 出生医学证明 (the data said under 1)
    assert not ProofRule.objects.filter(kind=ProofKind.BIRTH_CERTIFICATE).exists()
    assert not ProofRule.objects.filter(kind=ProofKind.HOUSEHOLD_REGISTER, min_age=1).exists()


def test_panzhihua_premium_for_close_relatives_not_only_three(policies):
    # seed 002: 为本人近亲属缴纳居民医保参保费用,近亲属范围包括配偶、父母、子女等
    stated = resolved_policy("510400", ON).premium_relationships
    assert stated.value == [str(r) for r in CLOSE_RELATIVES] and stated.region.code == "510400"
    assert "近亲属范围包括配偶、父母、子女等" in stated.version.quotes["premium_relationships"][0]["text"]


def test_jiangxi_states_no_day_for_its_wider_circle(policies):
    # seed 000: 2025年…已扩大到其他近亲属 — no day; the relatives follow the national version
    policy = resolved_policy("360900", ON)
    assert policy.relationship_rules.region.code == "000000"
    assert all(rule.allowed_from is None for rule in policy.relationship_rules.value)


@pytest.mark.parametrize(
    "city,field,value,quoted",
    [
        ("450800", "relative_face_min_age", 16, "如果被绑定人已满16周岁,需要进行人脸认证。"),
        ("430300", "relative_phone_required", True, "电话号码 :用于接收验证码或通知。"),
        ("510400", "relative_phone_required", True, "输入配偶、父母、子女的证件号码和联系电话"),
        ("430400", "bind_requires_positive_balance", True, "共济人的医保个人账户余额必须大于零,否则无法进行共济。"),
        ("360900", "inpatient_allowed", True, "住院治疗:使用人可以在定点医疗机构住院治疗时"),
        ("450800", "inpatient_allowed", True, "在住院时使用个账共济"),
        ("450800", "inpatient_cross_province_filed", True, "需已办理异地就医备案到广西后方可使用"),
    ],
)
def test_rules_the_sources_state(policies, city, field, value, quoted):
    stated = getattr(resolved_policy(city, ON), field)
    assert stated.value == value
    assert any(quoted in quote["text"] for quote in stated.version.quotes[field])


def test_jiangxi_app_takes_the_pledge_alone_and_guangxi_counter_a_signed_pledge(policies):
    jiangxi = resolved_policy("360900", ON)
    app = [rule for rule in jiangxi.proof_rules.value if rule.channels == [ChannelKind.APP]]
    assert app and all(rule.pledge_allowed for rule in app)
    others = [rule for rule in jiangxi.proof_rules.value if ChannelKind.APP not in rule.channels]
    assert others and not any(rule.pledge_allowed for rule in others)
    (counter,) = resolved_policy("450800", ON).proof_rules.value
    assert counter.channels == [ChannelKind.COUNTER] and counter.pledge_allowed


def test_nothing_says_the_qinqing_account_is_another_service():
    # seeds 002 and 003 tell residents to bind in the national app's 亲情账户; no source says it is something else
    files = [*DATA_DIR.glob("*.yaml"), *(settings.BASE_DIR / "templates").rglob("*.html")]
    claims = [
        (path.name, line.strip())
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if "亲情账户" in line and any(word in line for word in ("不是", "另一项", "不涉及"))
    ]
    assert claims == []


def test_premium_row_carries_late_payment(policies):
    premium = resolved_policy("430300", ON).premium_for(2025)
    assert (premium.amount_yuan, premium.late_extra_yuan) == (Decimal("400"), Decimal("670"))
