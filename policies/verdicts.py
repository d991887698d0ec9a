"""What the eligibility engine answers with: refusal codes, reasons, the proof asked for, the quota, the verdict.

Kept apart from the rules (policies.eligibility) so that pages, forms and the bindings app can name them
without the engine; policies.eligibility re-exports them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from .selectors import ResolvedPolicy


class ReasonCode(models.TextChoices):
    AUTHORIZER_NOT_FOUND = "authorizer_not_found", _("授权人不在参保登记中")
    RELATIVE_NOT_FOUND = "relative_not_found", _("使用人不在参保登记中")
    AUTHORIZER_NOT_EMPLOYEE = "authorizer_not_employee", _("授权人未参加职工医保")
    AUTHORIZER_SUSPENDED = "authorizer_suspended", _("授权人参保暂停")
    AUTHORIZER_TERMINATED = "authorizer_terminated", _("授权人参保终止")
    AUTHORIZER_NO_CAPACITY = "authorizer_no_capacity", _("授权人不具有完全民事行为能力")
    RELATIVE_SUSPENDED = "relative_suspended", _("使用人参保暂停")
    RELATIVE_TERMINATED = "relative_terminated", _("使用人参保终止")
    SELF_BINDING = "self_binding", _("不能为本人办理")
    RELATIONSHIP_NOT_ALLOWED = "relationship_not_allowed", _("该亲属关系不在共济范围内")
    PAIR_NOT_IN_SCOPE = "pair_not_in_scope", _("双方参保地不符合要求")
    AT_ONCE_LIMIT_REACHED = "at_once_limit_reached", _("同时绑定人数已满")
    TOTAL_LIMIT_REACHED = "total_limit_reached", _("累计绑定人数已满")
    ALREADY_BOUND_TO_OTHER = "already_bound_to_other", _("使用人已由其他授权人绑定")
    WAITING_PERIOD = "waiting_period", _("解除绑定后的等待期未满")
    DATES_NOT_ALLOWED = "dates_not_allowed", _("不设共济起止日期")
    DATES_REQUIRED = "dates_required", _("须填写共济起止日期")
    DATES_INVALID = "dates_invalid", _("共济起止日期不正确")
    AUTHORIZER_BALANCE_NOT_POSITIVE = "authorizer_balance_zero", _("授权人个人账户余额须大于零")
    RELATIVE_PHONE_MISSING = "relative_phone_missing", _("须填写使用人联系电话")
    RELATIVE_PHONE_INVALID = "relative_phone_invalid", _("使用人联系电话不是手机号码")
    RELATIVE_FACE_MISSING = "relative_face_missing", _("使用人未完成本人人脸识别")


class RequirementKind(models.TextChoices):
    """What a city asks of an application beyond eligibility, listed to the resident before he starts."""

    PROOF = "proof", _("亲属关系证明材料")
    PHONE = "phone", _("使用人联系电话")
    RELATIVE_FACE = "relative_face", _("使用人本人人脸识别")
    POSITIVE_BALANCE = "positive_balance", _("授权人个人账户余额大于零")


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass(frozen=True)
class ProofRequirement:
    kind: str
    label: str
    pledge_allowed: bool
    upload_required: bool = True
    note: str = ""


@dataclass(frozen=True)
class Requirement:
    """One line of "what this city asks on this channel": a kind, the sentence, the level that states it, and
    for a condition on the authorizer (the balance), whether he meets it today (None: not known or not his)."""

    kind: str
    text: str
    authority: str = ""
    met: bool | None = None


@dataclass(frozen=True)
class BindingFacts:
    """What the bindings app knows; the defaults describe an authorizer who has never bound anyone."""

    active_count: int = 0  # bindings now active or awaiting review, not counting this one
    total_count: int = 0  # distinct relatives ever bound, active or not
    relative_counted_before: bool = False  # this relative is already in total_count
    # Other relatives on the same unsubmitted application: not bound yet, but they take places when it is
    # submitted, so the limits count them; the second number is those not yet in total_count.
    draft_count: int = 0
    draft_new_count: int = 0
    bound_to_other_authorizer: bool = False
    last_unbound_on: datetime.date | None = None  # this relative's last binding with another authorizer ended


@dataclass(frozen=True)
class Quota:
    """Where an authorizer stands against his region's limits: what every page shows, from the engine."""

    at_once_limit: int | None
    total_limit: int | None
    active_count: int  # bound now (active or awaiting review); a draft is not bound
    total_count: int
    draft_count: int = 0  # on the application being filled in, counted against the limits on submit

    @classmethod
    def of(cls, policy: ResolvedPolicy, facts: BindingFacts) -> Quota:
        return cls(
            policy.at_once_limit.value,
            policy.total_limit.value,
            facts.active_count,
            facts.total_count,
            facts.draft_count,
        )

    @property
    def at_once_left(self) -> int | None:
        """Places still free at once (None where no limit is stated)."""
        return max(0, self.at_once_limit - self.active_count) if self.at_once_limit else None

    @property
    def total_left(self) -> int | None:
        return max(0, self.total_limit - self.total_count) if self.total_limit else None

    @property
    def display(self) -> str:
        """已绑定 3/5 名，累计 7/20 名 (a limit nobody states is left out), and the draft's relatives apart."""
        at_once = f"{self.active_count}/{self.at_once_limit}" if self.at_once_limit else f"{self.active_count}"
        total = f"{self.total_count}/{self.total_limit}" if self.total_limit else f"{self.total_count}"
        text = _t("已绑定 %(at_once)s 名，累计 %(total)s 名") % {"at_once": at_once, "total": total}
        if self.draft_count:
            text += _t("；本次申请 %(n)s 名") % {"n": self.draft_count}
        return text

    def __str__(self):
        return self.display


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reasons: list[Reason] = field(default_factory=list)
    proof: list[ProofRequirement] = field(default_factory=list)
    needs_review: bool = True
    quota: Quota | None = None
    policy: ResolvedPolicy | None = field(default=None, repr=False, compare=False)
    channel: str | None = None  # the channel the proof list is for (None: every channel's rows)
    face_check_age: int | None = None  # the relative must pass a face check of his own (he is this age or older)

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]
