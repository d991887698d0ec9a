"""Balance corrections: the only way a clerk changes a personal-account balance.

The registry's balance is read-only everywhere. When it is wrong, a supervisor writes one ADJUSTMENT entry with a
reason: through ledger_post, under the same row lock as every other movement, so balance == sum(entries) still
holds, and with an AuditEntry in the same transaction, so the who and why can never be lost. The admin asks
`check_correction` before the confirmation step and the service asks it again under the lock: one set of rules.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit, region_of
from accounts.clerks import clerk_covers
from accounts.models import AuditAction, InsuredPerson
from bindings.ledger.errors import LedgerError
from bindings.ledger.money import fen_text
from bindings.ledger.services import ledger_post
from bindings.models import EntryKind, LedgerEntry
from bindings.notices import notify_person
from bindings.numbers import lock_people
from policies.choices import ChannelKind

CORRECTION_PERMISSION = "bindings.correct_balance"
# The reason is the entry's description too (200 characters, with its prefix); the audit row keeps it whole.
MAX_REASON_LENGTH = 150


def may_correct_balances(user) -> bool:
    """The permission alone (the 主管 group has it): whether the correction page exists for this user at all."""
    return bool(getattr(user, "is_staff", False)) and user.has_perm(CORRECTION_PERMISSION)


def check_may_correct(*, person: InsuredPerson, actor) -> None:
    """Whether `actor` may correct `person`'s balance at all, whatever the amount. Raises LedgerError."""
    if not may_correct_balances(actor):
        raise LedgerError(_("您没有更正个人账户余额的权限，须由主管办理。"), code="no_permission")
    if not clerk_covers(actor, person.city_code):
        raise LedgerError(_("该参保人不在您的经办区域内，不能更正其余额。"), code="outside_region")
    if not person.has_personal_account:
        raise LedgerError(_("该参保人参加居民医保，没有个人账户，没有余额可更正。"), code="no_account")
    if getattr(actor, "person_id", None) == person.pk:
        raise LedgerError(_("不能更正本人的个人账户余额，请由其他主管办理。"), code="own_account")


def clean_reason(reason: str | None) -> str:
    """One line, as the statement shows it."""
    return " ".join((reason or "").split())


def check_correction(*, person: InsuredPerson, actor, amount_fen: int, reason: str) -> None:
    """Every rule of a correction against the balance as `person` holds it. Raises LedgerError."""
    check_may_correct(person=person, actor=actor)
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise LedgerError(_("更正金额须为整数（分）。"), code="not_a_number")
    if amount_fen == 0:
        raise LedgerError(_("更正金额不能为0元。"), code="zero_amount")
    reason = clean_reason(reason)
    if not reason:
        raise LedgerError(_("请填写更正原因。"), code="reason_missing")
    if len(reason) > MAX_REASON_LENGTH:
        raise LedgerError(_("更正原因不能超过%(n)s个字。") % {"n": MAX_REASON_LENGTH}, code="reason_too_long")
    if person.balance_fen + amount_fen < 0:
        raise LedgerError(
            _("更正后余额将低于0元：当前余额%(old)s元，最多只能减少%(old)s元。")
            % {"old": fen_text(person.balance_fen)},
            code="below_zero",
        )


def change_text(amount_fen: int) -> str:
    """+10000 -> '增加100.00元', -29 -> '减少0.29元'."""
    if amount_fen < 0:
        return _("减少%(amount)s元") % {"amount": fen_text(-amount_fen)}
    return _("增加%(amount)s元") % {"amount": fen_text(amount_fen)}


@transaction.atomic
def ledger_correct_balance(
    *,
    person: InsuredPerson,
    amount_fen: int,
    reason: str,
    actor,
    ip: str | None = None,
    expected_balance_fen: int | None = None,
    on: datetime.date | None = None,
) -> LedgerEntry:
    """Correct one balance by `amount_fen` (signed) with a reason: one ADJUSTMENT entry, one audit row, and a
    message to the account holder. `expected_balance_fen` is the balance the clerk confirmed; if the account
    moved meanwhile, nothing is written and he is asked to look again."""
    locked = lock_people([person.pk])[person.pk]
    check_correction(person=locked, actor=actor, amount_fen=amount_fen, reason=reason)
    old_fen = locked.balance_fen
    if expected_balance_fen is not None and expected_balance_fen != old_fen:
        raise LedgerError(
            _("确认前余额已变动（现为%(now)s元），请重新核对更正金额。") % {"now": fen_text(old_fen)},
            code="balance_changed",
        )
    reason = clean_reason(reason)
    entry = ledger_post(
        person=locked,
        kind=EntryKind.ADJUSTMENT,
        amount_fen=amount_fen,
        occurred_on=on,
        actor=actor,
        channel=ChannelKind.COUNTER,
        description=_("余额更正：%(reason)s") % {"reason": reason},
    )
    audit(
        actor=actor,
        action=AuditAction.BALANCE_CORRECT,
        target=f"person:{locked.pk}",
        detail=_("%(change)s，余额%(old)s元→%(new)s元（明细%(entry)s）；原因：%(reason)s")
        % {
            "change": change_text(amount_fen),
            "old": fen_text(old_fen),
            "new": fen_text(entry.balance_after_fen),
            "entry": entry.pk,
            "reason": reason,
        },
        ip=ip,
        region_code=region_of(locked),
    )
    notify_person(
        locked,
        title=_("个人账户余额已更正"),
        body=_(
            "医保经办机构已更正您的个人账户余额：%(change)s，更正后余额%(balance)s元。原因：%(reason)s。如有疑问请拨打12393。"
        )
        % {
            "change": change_text(amount_fen),
            "balance": fen_text(entry.balance_after_fen),
            "reason": reason.rstrip("。"),
        },
    )
    person.balance_fen = entry.balance_after_fen
    return entry
