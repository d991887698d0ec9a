"""The eligibility engine: the one place that decides whether a binding may be made.

The binding workflow, the admin and the counter desk all call check_eligibility(); none of them
repeats a rule. It never writes and never raises for a failed rule: it returns every reason at once,
each as a stable code and a plain Chinese message naming the rule, its number and where the resident
stands. What the bindings app knows about history comes in as BindingFacts, so this module does not
depend on it.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _t

from accounts.capacity import has_full_capacity
from accounts.forms import PHONE_RE
from accounts.models import InsuranceStatus, InsuredPerson, Scheme
from accounts.regions import region_name

from .choices import ChannelKind, DatesMode, PairScope, ProofKind
from .formatting import cn_date
from .relationships import CLOSE_RELATIVES, Relationship
from .selectors import ResolvedPolicy, resolved_policy
from .verdicts import (
    BindingFacts,
    ProofRequirement,
    Quota,
    Reason,
    ReasonCode,
    Verdict,
)


def _status_reason(person: InsuredPerson, suspended: str, terminated: str, who: str) -> Reason | None:
    if person.status == InsuranceStatus.NORMAL:
        return None
    code = suspended if person.status == InsuranceStatus.SUSPENDED else terminated
    message = _t("%(who)s的医保参保状态为“%(status)s”，须为“正常”才能办理家庭共济。") % {
        "who": who,
        "status": person.get_status_display(),
    }
    return Reason(code, message)


def _capacity_reason(authorizer: InsuredPerson, on: datetime.date) -> Reason | None:
    """Sharing one's personal account is a civil act a minor cannot do alone (民法典第19条): an authorizer needs full
    capacity, which a 16- or 17-year-old living on his own labour income has (第18条第2款)."""
    if authorizer.birth_date is None or has_full_capacity(authorizer, on):
        return None
    return Reason(
        ReasonCode.AUTHORIZER_NO_CAPACITY,
        _t(
            "授权人未满18周岁（%(age)s周岁），不具有完全民事行为能力，不能把个人账户给家人共济使用。"
            "年满16周岁、以自己的劳动收入为主要生活来源的，视为完全民事行为能力人，可到医保经办窗口登记后办理。"
        )
        % {"age": authorizer.age_on(on)},
    )


def _relationship_reason(policy: ResolvedPolicy, relationship: str, on: datetime.date) -> Reason | None:
    if relationship not in CLOSE_RELATIVES:
        return Reason(
            ReasonCode.RELATIONSHIP_NOT_ALLOWED,
            _t("亲属关系“%(value)s”不是近亲属，不能办理家庭共济。") % {"value": relationship},
        )
    label = Relationship(relationship).label
    stated = policy.relationship_rules
    rule = policy.relationship_rule(relationship)
    if rule is None:
        allowed = "、".join(str(r.get_relationship_display()) for r in stated.value or [])
        return Reason(
            ReasonCode.RELATIONSHIP_NOT_ALLOWED,
            _t("%(authority)s规定可共济的亲属为：%(allowed)s；%(relationship)s不在其中。")
            % {"authority": stated.authority or _t("本地政策"), "allowed": allowed or "—", "relationship": label},
        )
    if not rule.allows_on(on):
        return Reason(
            ReasonCode.RELATIONSHIP_NOT_ALLOWED,
            _t("%(authority)s自%(date)s起才允许为%(relationship)s办理家庭共济，办理日期为%(on)s。")
            % {
                "authority": stated.authority,
                "date": cn_date(rule.allowed_from, rule.allowed_from_precision),
                "relationship": label,
                "on": cn_date(on),
            },
        )
    return None


def _place_name(policy: ResolvedPolicy, code: str) -> str:
    for region in policy.chain:
        if region.code == code:
            return region.name
    return region_name(code) or code


def _pair_reason(policy: ResolvedPolicy, authorizer: InsuredPerson, relative: InsuredPerson) -> Reason | None:
    scope = policy.effective_pair_scope
    if scope == PairScope.SAME_CITY and relative.city_code != authorizer.city_code:
        place, relative_place = _place_name(policy, authorizer.city_code), _place_name(policy, relative.city_code)
    elif scope == PairScope.SAME_PROVINCE and relative.province_code != authorizer.province_code:
        place = _place_name(policy, authorizer.province_code)
        relative_place = _place_name(policy, relative.province_code)
    else:
        return None
    return Reason(
        ReasonCode.PAIR_NOT_IN_SCOPE,
        _t("%(authority)s规定授权人和使用人须均在%(place)s参保；使用人的参保地为%(relative_place)s。")
        % {"authority": policy.pair_scope.authority, "place": place, "relative_place": relative_place},
    )


def _limit_reasons(policy: ResolvedPolicy, facts: BindingFacts) -> list[Reason]:
    reasons = []
    at_once = policy.at_once_limit
    if at_once.value is not None and facts.active_count + facts.draft_count >= at_once.value:
        reasons.append(
            Reason(
                ReasonCode.AT_ONCE_LIMIT_REACHED,
                _t("%(authority)s规定每个账户最多同时绑定%(limit)s名家庭成员，您已绑定%(count)s名")
                % {"authority": at_once.authority, "limit": at_once.value, "count": facts.active_count}
                + _draft_note(facts.draft_count),
            )
        )
    total = policy.total_limit
    total_taken = facts.total_count + facts.draft_new_count
    if total.value is not None and not facts.relative_counted_before and total_taken >= total.value:
        reasons.append(
            Reason(
                ReasonCode.TOTAL_LIMIT_REACHED,
                _t(
                    "%(authority)s规定每个账户累计最多绑定%(limit)s名近亲属（解除后重新绑定同一人不另占名额），"
                    "您已累计绑定%(count)s名"
                )
                % {"authority": total.authority, "limit": total.value, "count": facts.total_count}
                + _draft_note(facts.draft_new_count),
            )
        )
    return reasons


def _draft_note(drafts: int) -> str:
    """Closes a limit message: the relatives already on this application are named apart, not as bound."""
    if not drafts:
        return _t("。")
    return _t("，本次申请中另有%(n)s名。") % {"n": drafts}


def _waiting_reason(policy: ResolvedPolicy, facts: BindingFacts, on: datetime.date) -> Reason | None:
    days = policy.effective_rebind_wait_days
    if not days or facts.last_unbound_on is None:
        return None
    available = facts.last_unbound_on + datetime.timedelta(days=days)
    if on >= available:
        return None
    return Reason(
        ReasonCode.WAITING_PERIOD,
        _t(
            "%(authority)s规定共济关系解除%(days)s日后（即%(available)s起）才能由其他授权人绑定；该使用人于%(unbound)s解除绑定。"
        )
        % {
            "authority": policy.rebind_wait_days.authority,
            "days": days,
            "available": cn_date(available),
            "unbound": cn_date(facts.last_unbound_on),
        },
    )


def _date_reasons(policy: ResolvedPolicy, start, end, on: datetime.date) -> list[Reason]:
    mode = policy.effective_dates_mode
    stated = policy.dates_mode
    if mode == DatesMode.NOT_ALLOWED:
        if start is None and end is None:
            return []
        message = (
            _t("%(authority)s规定共济绑定不设开始和结束日期，解除前一直有效，请不要填写。")
            % {"authority": stated.authority}
            if stated.is_stated
            else _t("本地政策未规定共济起止日期，绑定在解除前一直有效，请不要填写开始和结束日期。")
        )
        return [Reason(ReasonCode.DATES_NOT_ALLOWED, message)]
    reasons = []
    if mode == DatesMode.REQUIRED and (start is None or end is None):
        missing = "、".join(label for label, value in ((_t("开始日期"), start), (_t("结束日期"), end)) if value is None)
        reasons.append(
            Reason(
                ReasonCode.DATES_REQUIRED,
                _t("%(authority)s规定绑定须填写共济开始和结束日期，您未填写%(missing)s。")
                % {"authority": stated.authority, "missing": missing},
            )
        )
    if start is not None and end is not None and end < start:
        reasons.append(
            Reason(
                ReasonCode.DATES_INVALID,
                _t("共济结束日期（%(end)s）早于开始日期（%(start)s）。")
                % {"end": cn_date(end), "start": cn_date(start)},
            )
        )
    elif start is not None and start < on:
        reasons.append(
            Reason(
                ReasonCode.DATES_INVALID,
                _t("共济开始日期（%(start)s）早于办理日期（%(on)s）。") % {"start": cn_date(start), "on": cn_date(on)},
            )
        )
    elif start is None and end is not None and end < on:
        reasons.append(
            Reason(
                ReasonCode.DATES_INVALID,
                _t("共济结束日期（%(end)s）早于办理日期（%(on)s）。") % {"end": cn_date(end), "on": cn_date(on)},
            )
        )
    return reasons


def proof_required(
    policy: ResolvedPolicy,
    relationship: str,
    relative: InsuredPerson,
    on: datetime.date,
    channel: str | None = None,
) -> list[ProofRequirement]:
    """What proof this relative needs on this channel: the one answer the wizard's proof step, the counter and
    the clerk's case page read. A row naming channels applies on those only (江西's app takes the pledge alone
    where its FAQ and counter ask for certificates); None asks for every channel's rows."""
    age = relative.age_on(on)
    return [
        ProofRequirement(
            kind=rule.kind,
            label=str(ProofKind(rule.kind).label),
            pledge_allowed=rule.pledge_allowed,
            upload_required=rule.upload_required,
            note=rule.note,
        )
        for rule in policy.proof_for(relationship, age, channel)
    ]


def relative_face_age(policy: ResolvedPolicy, relative: InsuredPerson | None, on: datetime.date) -> int | None:
    """The age from which the city asks the relative himself for a face check (贵港: 16), when this relative has
    reached it on `on` (his age from his ID number's birth date); None when no check is asked of him."""
    min_age = policy.relative_face_min_age.value
    if min_age is None or relative is None or relative.birth_date is None:
        return None
    return min_age if relative.age_on(on) >= min_age else None


def relative_face_reason(verdict: Verdict, relative: InsuredPerson, *, verified: bool) -> Reason | None:
    """Refuses a submission while a relative the city asks for a face check has not passed one."""
    if verdict.face_check_age is None or verified:
        return None
    stated = verdict.policy.relative_face_min_age if verdict.policy is not None else None
    how = (
        _t("请%(name)s本人到场，由经办人员当面核验后再提交。")
        if verdict.channel == ChannelKind.COUNTER
        else _t("请%(name)s本人在手机上完成人脸识别（或到医保经办窗口当面核验）后再提交。")
    )
    return Reason(
        ReasonCode.RELATIVE_FACE_MISSING,
        (_t("%(authority)s规定年满%(age)s周岁的使用人须本人完成人脸识别；%(name)s尚未完成，") + how)
        % {
            "authority": (stated.authority if stated else "") or _t("本地政策"),
            "age": verdict.face_check_age,
            "name": relative.name,
        },
    )


def _balance_reason(policy: ResolvedPolicy, authorizer: InsuredPerson) -> Reason | None:
    """衡阳 lists "余额必须大于零" under 绑定条件: checked when binding, not only when paying."""
    stated = policy.bind_requires_positive_balance
    if not stated.value or authorizer.balance_fen > 0:
        return None
    return Reason(
        ReasonCode.AUTHORIZER_BALANCE_NOT_POSITIVE,
        _t(
            "%(authority)s规定办理家庭共济时授权人的医保个人账户余额必须大于零；授权人当前余额为%(balance)s元，"
            "暂不能绑定。个人账户有新的入账后可再办理。"
        )
        % {"authority": stated.authority, "balance": f"{authorizer.balance_yuan:.2f}"},
    )


def _phone_reason(policy: ResolvedPolicy, phone: str) -> Reason | None:
    stated = policy.relative_phone_required
    if not phone_required(policy):
        return None
    phone = (phone or "").strip()
    if not phone:
        return Reason(
            ReasonCode.RELATIVE_PHONE_MISSING,
            _t("%(authority)s规定办理时须填写使用人的联系电话（11位手机号码），请填写后再提交。")
            % {"authority": stated.authority},
        )
    if not PHONE_RE.fullmatch(phone):
        return Reason(
            ReasonCode.RELATIVE_PHONE_INVALID,
            _t("使用人的联系电话须为11位中国大陆手机号码，请核对后重新填写。"),
        )
    return None


def check_eligibility(
    *,
    authorizer: InsuredPerson | None,
    relative: InsuredPerson | None,
    relationship: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    on: datetime.date,
    facts: BindingFacts = BindingFacts(),  # noqa: B008 - frozen, so one shared default is safe
    channel: str | None = None,
    relative_phone: str = "",
) -> Verdict:
    """May `authorizer` share his personal account with `relative` from `on`? The authorizer's city policy
    applies. Returns every failing rule, or the proof the application must carry on `channel` (the
    application's: ChannelKind.ONLINE_HALL for the resident wizard, COUNTER at the desk) and whether the
    relative must pass a face check of his own before it is submitted."""
    relationship = str(relationship)
    reasons: list[Reason] = []
    if authorizer is None:
        reasons.append(Reason(ReasonCode.AUTHORIZER_NOT_FOUND, _t("没有查到授权人的参保登记信息。")))
    if relative is None:
        reasons.append(
            Reason(
                ReasonCode.RELATIVE_NOT_FOUND,
                _t("没有查到使用人的参保登记信息，请核对证件号码和姓名；使用人须已参加职工医保或居民医保。"),
            )
        )
    if authorizer is not None:
        if authorizer.scheme != Scheme.EMPLOYEE:
            reasons.append(
                Reason(
                    ReasonCode.AUTHORIZER_NOT_EMPLOYEE,
                    _t("授权人须参加职工基本医疗保险（有个人账户）才能共济；您参加的是%(scheme)s。")
                    % {"scheme": authorizer.get_scheme_display()},
                )
            )
        if reason := _status_reason(
            authorizer, ReasonCode.AUTHORIZER_SUSPENDED, ReasonCode.AUTHORIZER_TERMINATED, _t("授权人")
        ):
            reasons.append(reason)
        if reason := _capacity_reason(authorizer, on):
            reasons.append(reason)
    policy = resolved_policy(authorizer.city_code, on) if authorizer is not None else None
    if policy is not None and authorizer.scheme == Scheme.EMPLOYEE and (reason := _balance_reason(policy, authorizer)):
        reasons.append(reason)
    if relative is not None and (
        reason := _status_reason(relative, ReasonCode.RELATIVE_SUSPENDED, ReasonCode.RELATIVE_TERMINATED, _t("使用人"))
    ):
        reasons.append(reason)
    if authorizer is not None and relative is not None and _same_person(authorizer, relative):
        reasons.append(Reason(ReasonCode.SELF_BINDING, _t("不能把自己添加为使用人。")))

    if policy is not None:
        if reason := _relationship_reason(policy, relationship, on):
            reasons.append(reason)
        if relative is not None and (reason := _pair_reason(policy, authorizer, relative)):
            reasons.append(reason)
        reasons.extend(_limit_reasons(policy, facts))
    if facts.bound_to_other_authorizer:
        reasons.append(
            Reason(
                ReasonCode.ALREADY_BOUND_TO_OTHER,
                _t("该使用人已接受其他授权人的共济；每人同一时间只能接受一名授权人的共济，须先解除原绑定。"),
            )
        )
    if policy is not None:
        if reason := _waiting_reason(policy, facts, on):
            reasons.append(reason)
        reasons.extend(_date_reasons(policy, start, end, on))
        if reason := _phone_reason(policy, relative_phone):
            reasons.append(reason)

    quota = Quota.of(policy, facts) if policy is not None else None
    eligible = not reasons
    return Verdict(
        eligible=eligible,
        reasons=reasons,
        proof=proof_required(policy, relationship, relative, on, channel) if eligible else [],
        needs_review=policy.needs_review if policy is not None else True,
        quota=quota,
        policy=policy,
        channel=channel,
        face_check_age=relative_face_age(policy, relative, on) if eligible else None,
    )


def phone_required(policy: ResolvedPolicy) -> bool:
    """Whether the relative form must ask for the phone: what _phone_reason checks, for the form's `required`."""
    return bool(policy.relative_phone_required.value)


def _same_person(a: InsuredPerson, b: InsuredPerson) -> bool:
    if a.pk is not None and a.pk == b.pk:
        return True
    return bool(a.id_number) and a.id_number == b.id_number


__all__ = [
    "BindingFacts",
    "ProofKind",
    "ProofRequirement",
    "Quota",
    "Reason",
    "ReasonCode",
    "Verdict",
    "check_eligibility",
    "phone_required",
    "proof_required",
    "relative_face_age",
    "relative_face_reason",
]
