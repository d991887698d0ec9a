"""What a city asks on a channel before a resident starts, beyond eligibility: the proof, the relative's phone,
the relative's own face check, the authorizer's positive balance. Read from the same rows and values that
policies.eligibility checks, so the list cannot promise what the checks then refuse.
"""

from __future__ import annotations

from django.utils.translation import gettext as _t

from accounts.models import InsuredPerson

from .choices import ChannelKind, ProofKind
from .relationships import Relationship
from .selectors import ResolvedPolicy
from .verdicts import Requirement, RequirementKind


def _age_band(rule) -> str:
    if rule.min_age is not None and rule.max_age is not None:
        return _t("%(min)s至%(max)s周岁（不含%(max)s周岁）") % {"min": rule.min_age, "max": rule.max_age}
    if rule.min_age is not None:
        return _t("%(min)s周岁及以上") % {"min": rule.min_age}
    if rule.max_age is not None:
        return _t("未满%(max)s周岁") % {"max": rule.max_age}
    return ""


def _proof_line(rule) -> str:
    """户口簿：父母、子女，未满16周岁（可签署承诺书代替）."""
    who = "、".join(str(Relationship(r).label) for r in rule.relationships) if rule.relationships else ""
    band = _age_band(rule)
    scope = "，".join(part for part in (who, band) if part) or _t("所有使用人")
    if not rule.upload_required:
        how = _t("（系统核验，无需上传）")
    elif rule.pledge_allowed:
        how = _t("（可签署承诺书代替）")
    else:
        how = ""
    return _t("%(kind)s：%(scope)s%(how)s") % {"kind": ProofKind(rule.kind).label, "scope": scope, "how": how}


def application_requirements(
    policy: ResolvedPolicy, *, channel: str, authorizer: InsuredPerson | None = None
) -> list[Requirement]:
    """What the city asks on this channel beyond eligibility, in the words the resident reads before he starts
    (the wizard's first steps, the counter desk): the proof, the relative's phone, the relative's own face
    check, the authorizer's positive balance. The same rows and values check_eligibility and proof_required
    read, so the list cannot promise what the checks then refuse."""
    channel_name = ChannelKind(channel).label
    lines: list[Requirement] = []
    rules = policy.proof_rules_on(channel)
    authority = policy.proof_rules.authority
    if not any(rule.upload_required for rule in rules):
        text = _t("通过%(channel)s办理无需上传亲属关系证明材料，阅读并勾选“个人郑重承诺”即可。") % {
            "channel": channel_name
        }
        if rules:
            text += _t("（%(lines)s）") % {"lines": "；".join(_proof_line(rule) for rule in rules)}
    else:
        text = _t("通过%(channel)s办理须提供的亲属关系证明：%(lines)s。") % {
            "channel": channel_name,
            "lines": "；".join(_proof_line(rule) for rule in rules),
        }
    lines.append(Requirement(RequirementKind.PROOF, text, authority))
    phone = policy.relative_phone_required
    if phone.value:
        lines.append(
            Requirement(RequirementKind.PHONE, _t("须填写使用人的联系电话（11位手机号码）。"), phone.authority)
        )
    face = policy.relative_face_min_age
    if face.value is not None:
        text = _t("年满%(age)s周岁的使用人须本人完成人脸识别后才能提交（%(how)s）。") % {
            "age": face.value,
            "how": _t("在窗口由经办人员当面核验")
            if channel == ChannelKind.COUNTER
            else _t("请使用人本人在您的手机上完成"),
        }
        lines.append(Requirement(RequirementKind.RELATIVE_FACE, text, face.authority))
    balance = policy.bind_requires_positive_balance
    if balance.value:
        met = None
        text = _t("授权人的医保个人账户余额须大于零才能绑定。")
        if authorizer is not None and authorizer.has_personal_account:
            met = authorizer.balance_fen > 0
            text += _t("授权人当前余额：%(balance)s元。") % {"balance": f"{authorizer.balance_yuan:.2f}"}
        lines.append(Requirement(RequirementKind.POSITIVE_BALANCE, text, balance.authority, met))
    return lines
