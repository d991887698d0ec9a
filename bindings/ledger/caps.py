"""Spending caps: how much a relative may spend of the authorizer's balance a month (the simulator enforces it)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.acting import act_for_note
from accounts.masking import mask_name
from bindings.ledger.errors import LedgerError
from bindings.ledger.money import MAX_CAP_FEN, fen_text
from bindings.ledger.settlement import check_amount
from bindings.models import Binding, SpendingCap
from bindings.notices import notify_person, tell_principal


@transaction.atomic
def spending_cap_set(*, binding: Binding, monthly_limit_fen: int | None, actor) -> SpendingCap:
    """The authorizer sets (or, with None, removes) how much this relative may spend from his balance a month.
    The relative is told; the simulator enforces it from the next debit on."""
    binding = Binding.objects.select_for_update().select_related("authorizer", "relative").get(pk=binding.pk)
    if getattr(actor, "person_id", None) != binding.authorizer_id:
        raise LedgerError(_("只有授权人本人可以设置共济上限。"), code="not_authorizer")
    if not binding.is_current_on(timezone.localdate()):
        raise LedgerError(_("共济关系未生效或已结束，不能设置上限。"), code="binding_ended")
    if monthly_limit_fen is not None:
        check_amount(monthly_limit_fen, limit=MAX_CAP_FEN)
    cap = SpendingCap.objects.create(binding=binding, monthly_limit_fen=monthly_limit_fen, set_by=actor)
    if monthly_limit_fen is None:
        body = _("%(authorizer)s已取消您使用其个人账户共济余额的每月上限。")
    else:
        body = _("%(authorizer)s将您每月可使用的个人账户共济余额上限设为%(cap)s元。")
    notify_person(
        binding.relative,
        title=_("共济上限已调整"),
        body=body % {"authorizer": mask_name(binding.authorizer.name), "cap": fen_text(monthly_limit_fen or 0)}
        + act_for_note(actor),
        binding=binding,
    )
    what = (
        _("取消%(name)s的共济上限") % {"name": mask_name(binding.relative.name)}
        if monthly_limit_fen is None
        else _("将%(name)s的共济上限设为每月%(cap)s元")
        % {"name": mask_name(binding.relative.name), "cap": fen_text(monthly_limit_fen)}
    )
    tell_principal(actor, target=f"binding:{binding.pk}", what=what, region_code=binding.authorizer.city_code)
    return cap
