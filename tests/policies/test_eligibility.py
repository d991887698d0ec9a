"""Every rule of every region on both sides of its boundary."""

import datetime

import pytest

from policies.eligibility import BindingFacts, ProofKind, ReasonCode, check_eligibility
from policies.relationships import Relationship

D = datetime.date
ON = D(2025, 6, 1)


@pytest.fixture
def check(policies, person):
    """check(city, relationship=..., facts=..., relative_city=..., ...) with fresh registry people."""

    def run(city, relationship=Relationship.CHILD, *, on=ON, relative_city=None, relative_birth=None, **kwargs):
        authorizer = kwargs.pop("authorizer", None) or person(city)
        relative = kwargs.pop("relative", None) or person(
            relative_city or city, resident=True, birth=relative_birth or D(2000, 1, 1)
        )
        kwargs.setdefault("relative_phone", relative.phone)  # filled in, as where the city asks for it
        return check_eligibility(authorizer=authorizer, relative=relative, relationship=relationship, on=on, **kwargs)

    return run


def test_a_fresh_binding_is_eligible_with_proof_and_quota(check):
    verdict = check("panzhihua")
    assert verdict.eligible and verdict.reasons == []
    assert [p.kind for p in verdict.proof] == [ProofKind.REGISTRY_CHECK]
    assert verdict.needs_review is True
    assert verdict.quota.display == "已绑定 0/5 名，累计 0 名"


# -- 攀枝花: 5 at once ------------------------------------------------------------------------------
def test_panzhihua_fifth_binding_allowed_sixth_refused(check):
    assert check("panzhihua", facts=BindingFacts(active_count=4, total_count=4)).eligible
    verdict = check("panzhihua", facts=BindingFacts(active_count=5, total_count=5))
    assert verdict.codes == [ReasonCode.AT_ONCE_LIMIT_REACHED]
    assert verdict.reasons[0].message == "攀枝花市规定每个账户最多同时绑定5名家庭成员，您已绑定5名。"
    assert verdict.quota.display == "已绑定 5/5 名，累计 5 名"


def test_panzhihua_only_spouse_parents_children(check):
    for relationship in (Relationship.SPOUSE, Relationship.PARENT, Relationship.CHILD):
        assert check("panzhihua", relationship).eligible
    verdict = check("panzhihua", Relationship.SIBLING)
    assert verdict.codes == [ReasonCode.RELATIONSHIP_NOT_ALLOWED]
    assert verdict.reasons[0].message == "攀枝花市规定可共济的亲属为：配偶、父母、子女；兄弟姐妹不在其中。"


def test_panzhihua_has_no_dates_and_no_pair_restriction(check):
    assert check("panzhihua", relative_city="hengyang").eligible
    verdict = check("panzhihua", start=ON, end=D(2026, 1, 1))
    assert verdict.codes == [ReasonCode.DATES_NOT_ALLOWED]
    assert "本地政策未规定共济起止日期" in verdict.reasons[0].message


def test_panzhihua_proof_by_age_band(check):
    under_16 = check("panzhihua", relative_birth=D(2009, 6, 2))  # 15 on ON
    assert [p.kind for p in under_16.proof] == [ProofKind.HOUSEHOLD_REGISTER]
    assert under_16.proof[0].pledge_allowed is False
    sixteen = check("panzhihua", relative_birth=D(2009, 6, 1))  # 16 on ON
    assert [(p.kind, p.upload_required) for p in sixteen.proof] == [(ProofKind.REGISTRY_CHECK, False)]
    spouse = check("panzhihua", Relationship.SPOUSE)
    assert [p.kind for p in spouse.proof] == [ProofKind.MARRIAGE_CERTIFICATE]


# -- 衡阳 and 湘潭: 10 at once, 20 in total -----------------------------------------------------------
@pytest.mark.parametrize("city,name", [("hengyang", "衡阳市"), ("xiangtan", "湘潭市")])
def test_hunan_cities_ten_at_once(check, city, name):
    dates = {"start": ON, "end": D(2026, 5, 31)} if city == "xiangtan" else {}
    assert check(city, facts=BindingFacts(active_count=9, total_count=9), **dates).eligible
    verdict = check(city, facts=BindingFacts(active_count=10, total_count=10), **dates)
    assert verdict.codes == [ReasonCode.AT_ONCE_LIMIT_REACHED]
    assert verdict.reasons[0].message == f"{name}规定每个账户最多同时绑定10名家庭成员，您已绑定10名。"


@pytest.mark.parametrize("city,name", [("hengyang", "衡阳市"), ("xiangtan", "湘潭市")])
def test_hunan_cities_twenty_in_total_rebinding_counts_once(check, city, name):
    dates = {"start": ON, "end": D(2026, 5, 31)} if city == "xiangtan" else {}
    assert check(city, facts=BindingFacts(active_count=3, total_count=19), **dates).eligible
    verdict = check(city, facts=BindingFacts(active_count=3, total_count=20), **dates)
    assert verdict.codes == [ReasonCode.TOTAL_LIMIT_REACHED]
    assert verdict.reasons[0].message.startswith(f"{name}规定每个账户累计最多绑定20名近亲属")
    assert verdict.reasons[0].message.endswith("您已累计绑定20名。")
    assert verdict.quota.display == "已绑定 3/10 名，累计 20/20 名"
    again = check(city, facts=BindingFacts(active_count=3, total_count=20, relative_counted_before=True), **dates)
    assert again.eligible


def test_hengyang_spouse_parents_children_only(check):
    assert check("hengyang", Relationship.PARENT).eligible
    assert check("hengyang", Relationship.GRANDCHILD).codes == [ReasonCode.RELATIONSHIP_NOT_ALLOWED]


def test_xiangtan_pair_must_be_insured_in_xiangtan(check):
    dates = {"start": ON, "end": D(2026, 5, 31)}
    verdict = check("xiangtan", relative_city="hengyang", **dates)
    assert verdict.codes == [ReasonCode.PAIR_NOT_IN_SCOPE]
    assert verdict.reasons[0].message == "湘潭市规定授权人和使用人须均在湘潭市参保；使用人的参保地为湖南省衡阳市。"


def test_xiangtan_requires_start_and_end_dates_in_order(check):
    verdict = check("xiangtan")
    assert verdict.codes == [ReasonCode.DATES_REQUIRED]
    assert verdict.reasons[0].message == "湘潭市规定绑定须填写共济开始和结束日期，您未填写开始日期、结束日期。"
    assert check("xiangtan", start=ON, end=ON).eligible
    assert check("xiangtan", start=ON, end=ON - datetime.timedelta(days=1)).codes == [ReasonCode.DATES_INVALID]
    assert check("xiangtan", start=ON - datetime.timedelta(days=1), end=D(2026, 1, 1)).codes == [
        ReasonCode.DATES_INVALID
    ]
    assert check("xiangtan", start=ON).codes == [ReasonCode.DATES_REQUIRED]


# -- 贵港: 7 at once; siblings from 2024-09-01 ----------------------------------------------------
def test_guigang_sibling_before_and_from_expansion(check):
    verdict = check("guigang", Relationship.SIBLING, on=D(2024, 8, 31))
    assert verdict.codes == [ReasonCode.RELATIONSHIP_NOT_ALLOWED]
    assert verdict.reasons[0].message == "广西壮族自治区规定可共济的亲属为：配偶、父母、子女；兄弟姐妹不在其中。"
    assert check("guigang", Relationship.SIBLING, on=D(2024, 9, 1)).eligible


def test_guigang_seven_at_once(check):
    assert check("guigang", facts=BindingFacts(active_count=6)).eligible
    verdict = check("guigang", facts=BindingFacts(active_count=7))
    assert verdict.reasons[0].message == "贵港市规定每个账户最多同时绑定7名家庭成员，您已绑定7名。"


def test_guigang_relative_insured_outside_guangxi_may_be_bound(check):
    assert check("guigang", relative_city="hengyang").eligible


def test_guigang_newborn_by_birth_certificate_or_pledge(check):
    # seed 003 (counter): 携带…户口、出生医学证明或签署承诺书 — no age is given for the 出生医学证明
    verdict = check("guigang", relative_birth=D(2025, 3, 1), channel="counter")
    assert [(p.kind, p.pledge_allowed) for p in verdict.proof] == [(ProofKind.HOUSEHOLD_REGISTER, True)]
    assert "出生医学证明" in verdict.proof[0].note
    assert verdict.needs_review is False


# -- 江西 / 宜春: province-wide pair; next-day rebinding; 近亲属 from 2025 ------------------------------
def test_jiangxi_waiting_period_on_unbinding_day_and_the_day_after(check):
    unbound = D(2025, 5, 31)
    verdict = check("yichun", on=unbound, facts=BindingFacts(last_unbound_on=unbound))
    assert verdict.codes == [ReasonCode.WAITING_PERIOD]
    assert verdict.reasons[0].message == (
        "江西省规定共济关系解除1日后（即2025年6月1日起）才能由其他授权人绑定；该使用人于2025年5月31日解除绑定。"
    )
    assert check(
        "yichun", on=unbound + datetime.timedelta(days=1), facts=BindingFacts(last_unbound_on=unbound)
    ).eligible


def test_jiangxi_pair_within_the_province(check):
    assert check("yichun", relative_city="360102").eligible  # 南昌
    verdict = check("yichun", relative_city="hengyang")
    assert verdict.codes == [ReasonCode.PAIR_NOT_IN_SCOPE]
    assert verdict.reasons[0].message == "江西省规定授权人和使用人须均在江西省参保；使用人的参保地为湖南省。"


def test_jiangxi_siblings_from_the_national_date(check):
    # seed 000 lists 兄弟姐妹… in 江西's scope and says only that by 2025 it had widened: no start day of its own,
    # so 江西 follows the national 国办发〔2024〕38号 version
    assert check("yichun", Relationship.SIBLING, on=D(2024, 12, 31)).eligible
    assert check("yichun", Relationship.SIBLING, on=D(2024, 7, 23)).eligible
    verdict = check("yichun", Relationship.SIBLING, on=D(2024, 7, 22))
    assert verdict.codes == [ReasonCode.RELATIONSHIP_NOT_ALLOWED]
    assert verdict.reasons[0].message.startswith("国家政策规定可共济的亲属为：配偶、父母、子女")
    assert check("yichun").needs_review is False
    assert check("yichun").quota.display == "已绑定 0 名，累计 0 名"


# -- 泸州 inherits: 四川 proof and review, national relationships ---------------------------------
def test_luzhou_follows_the_national_relative_list(check):
    assert check("luzhou", Relationship.GRANDPARENT, on=D(2024, 7, 23)).eligible
    verdict = check("luzhou", Relationship.GRANDPARENT, on=D(2024, 7, 22))
    assert verdict.codes == [ReasonCode.RELATIONSHIP_NOT_ALLOWED]
    assert verdict.reasons[0].message.startswith("国家政策规定可共济的亲属为：配偶、父母、子女")


def test_unknown_city_falls_back_to_the_national_default(check):
    verdict = check("440106", Relationship.MATERNAL_GRANDCHILD)  # 广州: no data of its own
    assert verdict.eligible and verdict.needs_review is True


# -- rules common to every region --------------------------------------------------------------
def test_authorizer_must_be_an_employee_member(check, person):
    verdict = check("yichun", authorizer=person("yichun", resident=True))
    assert verdict.codes == [ReasonCode.AUTHORIZER_NOT_EMPLOYEE]
    assert verdict.reasons[0].message == "授权人须参加职工基本医疗保险（有个人账户）才能共济；您参加的是居民医保。"
    assert check("yichun", authorizer=person("yichun", retired=True)).eligible
    assert check("yichun", authorizer=person("yichun", flexible=True)).eligible


@pytest.mark.parametrize(
    "trait,side,code",
    [
        ("suspended", "authorizer", ReasonCode.AUTHORIZER_SUSPENDED),
        ("terminated", "authorizer", ReasonCode.AUTHORIZER_TERMINATED),
        ("suspended", "relative", ReasonCode.RELATIVE_SUSPENDED),
        ("terminated", "relative", ReasonCode.RELATIVE_TERMINATED),
    ],
)
def test_suspended_or_terminated_parties(check, person, trait, side, code):
    verdict = check("hengyang", **{side: person("hengyang", **{trait: True})})
    assert verdict.codes == [code]
    status = "暂停" if trait == "suspended" else "终止"
    who = "授权人" if side == "authorizer" else "使用人"
    assert verdict.reasons[0].message == f"{who}的医保参保状态为“{status}”，须为“正常”才能办理家庭共济。"


def test_people_not_found(policies, person):
    verdict = check_eligibility(authorizer=None, relative=None, relationship="child", on=ON)
    assert verdict.codes == [ReasonCode.AUTHORIZER_NOT_FOUND, ReasonCode.RELATIVE_NOT_FOUND]
    assert verdict.quota is None and not verdict.eligible
    verdict = check_eligibility(authorizer=person("yichun"), relative=None, relationship="child", on=ON)
    assert verdict.codes == [ReasonCode.RELATIVE_NOT_FOUND]


def test_binding_oneself(check, person):
    me = person("yichun")
    assert check("yichun", authorizer=me, relative=me).codes == [ReasonCode.SELF_BINDING]


def test_relative_already_bound_to_another_authorizer(check):
    verdict = check("guigang", facts=BindingFacts(bound_to_other_authorizer=True))
    assert verdict.codes == [ReasonCode.ALREADY_BOUND_TO_OTHER]


def test_every_failing_rule_is_reported_at_once(check, person):
    verdict = check(
        "panzhihua",
        Relationship.SIBLING,
        authorizer=person("panzhihua", suspended=True),
        facts=BindingFacts(active_count=5, bound_to_other_authorizer=True),
        start=ON,
    )
    assert set(verdict.codes) == {
        ReasonCode.AUTHORIZER_SUSPENDED,
        ReasonCode.RELATIONSHIP_NOT_ALLOWED,
        ReasonCode.AT_ONCE_LIMIT_REACHED,
        ReasonCode.ALREADY_BOUND_TO_OTHER,
        ReasonCode.DATES_NOT_ALLOWED,
    }
    assert verdict.proof == []


def test_not_a_close_relative(check):
    verdict = check("yichun", Relationship.PARENT_IN_LAW)
    assert verdict.codes == [ReasonCode.RELATIONSHIP_NOT_ALLOWED]


def test_check_uses_a_handful_of_queries(check, person, django_assert_max_num_queries):
    # Speed itself is measured by `make bench` (BENCHMARKS.md), never asserted in the suite.
    authorizer, relative = person("hengyang"), person("hengyang", resident=True)
    check_eligibility(authorizer=authorizer, relative=relative, relationship="child", on=ON)  # warm up
    with django_assert_max_num_queries(9):
        check_eligibility(authorizer=authorizer, relative=relative, relationship="child", on=ON)
