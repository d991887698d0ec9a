"""The rules the sources state that the hall did not enforce (issue 15): proof per channel (江西, 广西), 衡阳's
positive balance at binding, 湘潭's and 攀枝花's relative phone, 贵港's face check of relatives aged 16 and over.

Each test sets the rule on the city's version itself (tests.factories.edit_policy), so it does not depend on what
the data files say today; tests/policies/test_source_data.py-style checks of the real data live with the data.
"""

import datetime

import pytest

from policies.choices import ChannelKind, ProofKind
from policies.eligibility import ReasonCode, check_eligibility, phone_required, relative_face_reason
from policies.relationships import Relationship
from policies.requirements import application_requirements
from policies.selectors import resolved_policy
from policies.verdicts import RequirementKind
from tests.factories import edit_policy, person_in

D = datetime.date
ON = D(2025, 6, 1)
YICHUN, PANZHIHUA, GUIGANG, HENGYANG, XIANGTAN = "360900", "510400", "450800", "430400", "430300"
ADULT = D(2000, 1, 1)
XIANGTAN_DATES = {"start": ON, "end": D(2026, 5, 31)}


def check(city, relationship=Relationship.CHILD, *, authorizer=None, relative=None, birth=ADULT, **kwargs):
    authorizer = authorizer or person_in(city)
    relative = relative or person_in(city, resident=True, birth=birth)
    kwargs.setdefault("relative_phone", relative.phone)
    return check_eligibility(authorizer=authorizer, relative=relative, relationship=relationship, on=ON, **kwargs)


# -- 1. proof per channel --------------------------------------------------------------------------------------
JIANGXI_BY_CHANNEL = [
    {"kind": "household_register", "relationships": ["child"], "channels": ["counter", "kiosk"]},
    {"kind": "marriage_certificate", "relationships": ["spouse"], "channels": ["counter", "kiosk"]},
]


def test_jiangxi_online_hall_takes_the_pledge_alone_the_counter_asks_for_documents(policies):
    edit_policy(YICHUN, ON, proof=JIANGXI_BY_CHANNEL)
    online = check("yichun", channel=ChannelKind.ONLINE_HALL)
    assert online.eligible and online.proof == []
    counter = check("yichun", channel=ChannelKind.COUNTER)
    assert [(p.kind, p.upload_required, p.pledge_allowed) for p in counter.proof] == [
        (ProofKind.HOUSEHOLD_REGISTER, True, False)
    ]
    spouse = check("yichun", Relationship.SPOUSE, channel=ChannelKind.COUNTER)
    assert [p.kind for p in spouse.proof] == [ProofKind.MARRIAGE_CERTIFICATE]
    assert check("yichun", channel=ChannelKind.COUNTER).channel == ChannelKind.COUNTER


def test_a_row_naming_no_channel_applies_on_every_channel(policies):
    edit_policy(YICHUN, ON, proof=[{"kind": "household_register", "relationships": ["child"]}])
    for channel in (ChannelKind.ONLINE_HALL, ChannelKind.COUNTER, ChannelKind.APP):
        assert [p.kind for p in check("yichun", channel=channel).proof] == [ProofKind.HOUSEHOLD_REGISTER]


def test_guangxi_counter_takes_household_register_birth_certificate_or_a_signed_pledge(policies):
    edit_policy(
        GUIGANG,
        ON,
        proof=[
            {"kind": "birth_certificate", "max_age": 1, "pledge_allowed": True, "channels": ["counter"]},
            {"kind": "household_register", "min_age": 1, "pledge_allowed": True, "channels": ["counter"]},
        ],
        relative_face_min_age=None,
    )
    newborn = check("guigang", birth=D(2025, 3, 1), channel=ChannelKind.COUNTER)
    assert [(p.kind, p.pledge_allowed) for p in newborn.proof] == [(ProofKind.BIRTH_CERTIFICATE, True)]
    child = check("guigang", birth=D(2015, 1, 1), channel=ChannelKind.COUNTER)
    assert [(p.kind, p.pledge_allowed) for p in child.proof] == [(ProofKind.HOUSEHOLD_REGISTER, True)]
    lines = application_requirements(resolved_policy(GUIGANG, ON), channel=ChannelKind.COUNTER)
    proof = next(line for line in lines if line.kind == RequirementKind.PROOF)
    assert proof.text == (
        "通过医保经办窗口办理须提供的亲属关系证明：出生医学证明：未满1周岁（可签署承诺书代替）；"
        "户口簿：1周岁及以上（可签署承诺书代替）。"
    )
    online = application_requirements(resolved_policy(GUIGANG, ON), channel=ChannelKind.ONLINE_HALL)
    assert online[0].text == "通过网上服务大厅办理无需上传亲属关系证明材料，阅读并勾选“个人郑重承诺”即可。"


# -- 2. 衡阳: the authorizer's balance must be above zero to bind ------------------------------------------------
def test_hengyang_refuses_a_binding_while_the_balance_is_zero(policies):
    edit_policy(HENGYANG, ON, bind_requires_positive_balance=True)
    verdict = check("hengyang", authorizer=person_in("hengyang", balance_fen=0))
    assert verdict.codes == [ReasonCode.AUTHORIZER_BALANCE_NOT_POSITIVE]
    assert verdict.reasons[0].message == (
        "衡阳市规定办理家庭共济时授权人的医保个人账户余额必须大于零；授权人当前余额为0.00元，暂不能绑定。"
        "个人账户有新的入账后可再办理。"
    )
    assert check("hengyang", authorizer=person_in("hengyang", balance_fen=1)).eligible


def test_a_zero_balance_binds_where_the_city_states_no_such_condition(policies):
    edit_policy(HENGYANG, ON, bind_requires_positive_balance=False)
    assert check("hengyang", authorizer=person_in("hengyang", balance_fen=0)).eligible


# -- 3. 湘潭 and 攀枝花: the relative's phone ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "city,code,extra",
    [("xiangtan", XIANGTAN, XIANGTAN_DATES), ("panzhihua", PANZHIHUA, {})],
)
def test_the_relatives_phone_is_required_and_must_be_a_mobile_number(policies, city, code, extra):
    edit_policy(code, ON, relative_phone_required=True)
    assert phone_required(resolved_policy(code, ON))
    missing = check(city, relative_phone="", **extra)
    assert missing.codes == [ReasonCode.RELATIVE_PHONE_MISSING]
    name = resolved_policy(code, ON).region.name
    assert missing.reasons[0].message == (f"{name}规定办理时须填写使用人的联系电话（11位手机号码），请填写后再提交。")
    landline = check(city, relative_phone="07315551234", **extra)
    assert landline.codes == [ReasonCode.RELATIVE_PHONE_INVALID]
    assert landline.reasons[0].message == "使用人的联系电话须为11位中国大陆手机号码，请核对后重新填写。"
    assert check(city, relative_phone="13912345678", **extra).eligible


def test_no_phone_is_needed_where_the_city_does_not_ask(policies):
    edit_policy(PANZHIHUA, ON, relative_phone_required=False)
    assert not phone_required(resolved_policy(PANZHIHUA, ON))
    assert check("panzhihua", relative_phone="").eligible


# -- 4. 贵港: the relative's own face check from 16 ----------------------------------------------------------------
def test_guigang_asks_a_relative_of_sixteen_for_a_face_check_not_one_of_fifteen(policies):
    edit_policy(GUIGANG, ON, relative_face_min_age=16)
    fifteen = person_in("guigang", resident=True, birth=D(2009, 6, 2))  # 15 on ON
    sixteen = person_in("guigang", resident=True, birth=D(2009, 6, 1))  # 16 on ON
    young = check("guigang", relative=fifteen)
    assert young.eligible and young.face_check_age is None
    assert relative_face_reason(young, fifteen, verified=False) is None
    grown = check("guigang", relative=sixteen)
    assert grown.eligible and grown.face_check_age == 16
    reason = relative_face_reason(grown, sixteen, verified=False)
    assert reason.code == ReasonCode.RELATIVE_FACE_MISSING
    assert reason.message == (
        f"贵港市规定年满16周岁的使用人须本人完成人脸识别；{sixteen.name}尚未完成，"
        f"请{sixteen.name}本人在手机上完成人脸识别（或到医保经办窗口当面核验）后再提交。"
    )
    assert relative_face_reason(grown, sixteen, verified=True) is None
    at_counter = check("guigang", relative=sixteen, channel=ChannelKind.COUNTER)
    message = relative_face_reason(at_counter, sixteen, verified=False).message
    assert message.endswith(f"请{sixteen.name}本人到场，由经办人员当面核验后再提交。")


def test_no_face_check_where_the_city_sets_no_age(policies):
    edit_policy(GUIGANG, ON, relative_face_min_age=None)
    edit_policy("450000", ON, relative_face_min_age=None)
    assert check("guigang", birth=D(1960, 1, 1)).face_check_age is None


def test_the_resolved_policy_exposes_the_new_rules_with_their_authority(policies):
    edit_policy(GUIGANG, ON, relative_face_min_age=16)
    edit_policy(HENGYANG, ON, bind_requires_positive_balance=True)
    edit_policy(XIANGTAN, ON, relative_phone_required=True)
    assert resolved_policy(GUIGANG, ON).relative_face_min_age.value == 16
    assert resolved_policy(GUIGANG, ON).relative_face_min_age.authority == "贵港市"
    assert resolved_policy(HENGYANG, ON).bind_requires_positive_balance.value is True
    assert resolved_policy(XIANGTAN, ON).relative_phone_required.value is True


# -- 5. what the resident reads before starting -------------------------------------------------------------------
def test_requirements_list_each_rule_the_city_states(policies):
    edit_policy(
        GUIGANG, ON, relative_face_min_age=16, relative_phone_required=True, bind_requires_positive_balance=True
    )
    broke = person_in("guigang", balance_fen=0)
    lines = application_requirements(resolved_policy(GUIGANG, ON), channel=ChannelKind.ONLINE_HALL, authorizer=broke)
    by_kind = {line.kind: line for line in lines}
    assert list(by_kind) == [
        RequirementKind.PROOF,
        RequirementKind.PHONE,
        RequirementKind.RELATIVE_FACE,
        RequirementKind.POSITIVE_BALANCE,
    ]
    assert by_kind[RequirementKind.PHONE].text == "须填写使用人的联系电话（11位手机号码）。"
    assert by_kind[RequirementKind.RELATIVE_FACE].text == (
        "年满16周岁的使用人须本人完成人脸识别后才能提交（请使用人本人在您的手机上完成）。"
    )
    assert by_kind[RequirementKind.POSITIVE_BALANCE].met is False
    assert "授权人当前余额：0.00元。" in by_kind[RequirementKind.POSITIVE_BALANCE].text
    counter = application_requirements(resolved_policy(GUIGANG, ON), channel=ChannelKind.COUNTER)
    assert "在窗口由经办人员当面核验" in counter[2].text


def test_requirements_list_nothing_beyond_proof_where_no_rule_is_stated(policies):
    edit_policy(
        PANZHIHUA,
        ON,
        relative_face_min_age=None,
        relative_phone_required=False,
        bind_requires_positive_balance=False,
    )
    edit_policy("510000", ON, relative_face_min_age=None, bind_requires_positive_balance=None)
    lines = application_requirements(resolved_policy(PANZHIHUA, ON), channel=ChannelKind.ONLINE_HALL)
    assert [line.kind for line in lines] == [RequirementKind.PROOF]


# -- the real data (policies/data/*.yaml) states these rules with their sources ------------------------------------
def test_the_data_files_state_the_source_rules(policies):
    assert resolved_policy(HENGYANG, ON).bind_requires_positive_balance.value is True
    assert check("hengyang", authorizer=person_in("hengyang", balance_fen=0)).codes == [
        ReasonCode.AUTHORIZER_BALANCE_NOT_POSITIVE
    ]
    for code, city, extra in ((XIANGTAN, "xiangtan", XIANGTAN_DATES), (PANZHIHUA, "panzhihua", {})):
        assert phone_required(resolved_policy(code, ON))
        assert check(city, relative_phone="", **extra).codes == [ReasonCode.RELATIVE_PHONE_MISSING]
    assert check("guigang", birth=D(2009, 6, 1)).face_check_age == 16
    assert check("guigang", birth=D(2009, 6, 2)).face_check_age is None
    app = check("yichun", channel=ChannelKind.APP).proof
    assert app and all(p.pledge_allowed for p in app)  # the app path: the 个人郑重承诺 alone
    counter = check("yichun", channel=ChannelKind.COUNTER).proof
    assert counter and not any(p.pledge_allowed for p in counter)  # the FAQ's 结婚证、户口簿
    guangxi_counter = check("guigang", birth=D(2015, 1, 1), channel=ChannelKind.COUNTER).proof
    assert guangxi_counter and all(p.pledge_allowed for p in guangxi_counter)  # 户口、出生医学证明或签署承诺书
