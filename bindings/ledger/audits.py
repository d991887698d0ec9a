"""Audit rows for money a clerk moves. Balance corrections write theirs in corrections.py; settlements here.

A resident settling his own visit, or his relative's from his shared balance, is the account's owner acting:
his ledger entries and the notices record it, and the clerks' audit log does not. A clerk settling for a
walk-in resident at the counter moves someone else's money: one SETTLEMENT row, in the posting's transaction.
"""

from django.utils.translation import gettext as _

from accounts.audit import audit, region_of
from accounts.masking import mask_id_number, mask_name
from accounts.models import AuditAction
from bindings.ledger.money import fen_text
from bindings.models import Settlement


def audit_clerk_settlement(settlement: Settlement, *, clerk, ip: str | None = None) -> None:
    patient = settlement.patient
    words = {
        "serial": settlement.serial,
        "who": f"{mask_name(patient.name)} {mask_id_number(patient.id_number)}",
        "own": fen_text(settlement.own_account_fen),
        "shared": fen_text(settlement.shared_fen),
        "fund": fen_text(settlement.fund_fen),
        "cash": fen_text(settlement.cash_fen),
    }
    audit(
        actor=clerk,
        action=AuditAction.SETTLEMENT,
        target=f"settlement:{settlement.pk}",
        detail=_(
            "结算单%(serial)s（%(who)s）：本人个人账户支付%(own)s元，共济余额支付%(shared)s元，"
            "统筹基金支付%(fund)s元，现金%(cash)s元"
        )
        % words,
        ip=ip,
        region_code=region_of(patient),
    )
