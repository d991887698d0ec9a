"""The stable codes of a binding refusal (`BindingError.code`): for forms, logs, tests and the counter.

The engine's own reasons keep their codes in `policies.eligibility.ReasonCode`; these are the ones the binding
services add. The label says what went wrong; the message raised with it says what to do.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BindingCode(models.TextChoices):
    WRONG_STATE = "wrong_state", _("当前状态不允许此操作")
    ALREADY_SUBMITTED = "already_submitted", _("申请已提交")
    ALREADY_BOUND_TO_YOU = "already_bound_to_you", _("该家庭成员已与您绑定或正在办理")
    BOUND_TO_OTHER_AUTHORIZER = "bound_to_other_authorizer", _("该家庭成员已被其他授权人绑定或正在办理")
    COMMITMENT_MISSING = "commitment_missing", _("未勾选个人郑重承诺")
    EMPTY_APPLICATION = "empty_application", _("申请中没有家庭成员")
    PROOF_MISSING = "proof_missing", _("缺少证明材料")
    PROOF_KIND_NOT_ASKED = "proof_kind_not_asked", _("材料不在清单中")
    REASON_MISSING = "reason_missing", _("未填写原因")
    CLERK_IS_PARTY = "clerk_is_party", _("经办人员是当事人")
    SAME_CLERK = "same_clerk", _("初审人不能复核")
    NOT_A_PARTY = "not_a_party", _("不是当事人")
    BAD_STATUS = "bad_status", _("未知的参保状态")
