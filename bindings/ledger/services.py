"""Every write to the personal-account ledger. Views, the counter desk and management commands call these.

Each service runs in one transaction and locks the InsuredPerson rows it moves money on with SELECT ... FOR
UPDATE, always in primary-key order so two services never wait on each other in a circle. The balance is read
again after the lock, changed, and written with its LedgerEntry, so the balance always equals the sum of the
entries and never goes below zero (the CheckConstraints on both tables are the last line of defence).
"""

from __future__ import annotations

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.acting import act_for_note
from accounts.masking import mask_name
from accounts.models import InsuranceStatus, InsuredPerson
from bindings.ledger.audits import audit_clerk_settlement
from bindings.ledger.caps import spending_cap_set
from bindings.ledger.errors import LedgerError
from bindings.ledger.money import MAX_LEDGER_FEN, fen_text
from bindings.ledger.premiums import premium_quote
from bindings.ledger.selectors import binding_for_payment, credit_terms, month_start, settlement_plan
from bindings.ledger.settlement import (
    CareKind,
    InpatientSlip,
    PlaceLocation,
    Visit,
    check_amount,
    check_slip,
    check_visit,
    monthly_credit_fen,
    posting_refusal,
)
from bindings.models import (
    CREDIT_KINDS,
    DEBIT_KINDS,
    Binding,
    EntryKind,
    FundSource,
    LedgerEntry,
    PremiumPayment,
    Settlement,
    SettlementItem,
)
from bindings.notices import notify_person, tell_principal
from bindings.numbers import lock_people, new_serial
from policies.choices import ChannelKind
from policies.selectors import resolved_policy

logger = logging.getLogger("hall.ledger")

__all__ = [
    "LedgerError",
    "ledger_credit_month",
    "ledger_open_balance",
    "ledger_post",
    "premium_pay",
    "settlement_post",
    "spending_cap_set",
]


def _insufficient(person: InsuredPerson, need: int) -> LedgerError:
    return LedgerError(
        _("个人账户余额不足：需%(need)s元，当前余额%(have)s元。")
        % {"need": fen_text(need), "have": fen_text(person.balance_fen)},
        code="insufficient_balance",
    )


# --- the one writer -----------------------------------------------------------------------------------------


@transaction.atomic
def ledger_post(
    *,
    person: InsuredPerson,
    kind: str,
    amount_fen: int,
    occurred_on: datetime.date | None = None,
    actor=None,
    channel: str = "",
    description: str = "",
    beneficiary: InsuredPerson | None = None,
    binding: Binding | None = None,
    settlement: Settlement | None = None,
    premium: PremiumPayment | None = None,
    credit_month: datetime.date | None = None,
) -> LedgerEntry:
    """Move `amount_fen` (signed: + in, - out) on one person's account and record it. Every balance change
    goes through here. Locks the person's row (again, harmlessly, when the caller already holds it)."""
    if kind not in EntryKind.values or kind == EntryKind.OPENING:
        raise LedgerError(_("未知的记账类型。"), code="bad_kind")
    check_amount(abs(amount_fen) if isinstance(amount_fen, int) else amount_fen, limit=MAX_LEDGER_FEN)
    if (kind in CREDIT_KINDS and amount_fen < 0) or (kind in DEBIT_KINDS and amount_fen > 0):
        raise LedgerError(_("记账方向与类型不符。"), code="bad_sign")
    locked = lock_people([person.pk])[person.pk]
    if not locked.has_personal_account:
        raise LedgerError(_("居民医保参保人没有个人账户。"), code="no_account")
    new_balance = locked.balance_fen + amount_fen
    if new_balance < 0:
        raise _insufficient(locked, -amount_fen)
    locked.balance_fen = new_balance
    locked.save(update_fields=["balance_fen", "updated_at"])
    person.balance_fen = new_balance
    return LedgerEntry.objects.create(
        person=locked,
        kind=kind,
        amount_fen=amount_fen,
        balance_after_fen=new_balance,
        occurred_on=occurred_on or timezone.localdate(),
        credit_month=credit_month,
        beneficiary=beneficiary,
        binding=binding,
        settlement=settlement,
        premium=premium,
        description=description[:200],
        actor=actor if getattr(actor, "pk", None) else None,
        channel=channel,
    )


@transaction.atomic
def ledger_open_balance(*, person: InsuredPerson, on: datetime.date | None = None, actor=None) -> LedgerEntry | None:
    """Record a balance the registry already holds, so that balance == sum(entries). Safe to run again.

    The first time it writes the opening entry. If the registry's balance was later changed outside the ledger
    (seed_demo sets balances directly), it writes an adjustment for the difference. None: nothing to record.
    """
    locked = lock_people([person.pk])[person.pk]
    total = LedgerEntry.objects.filter(person=locked).aggregate(total=Coalesce(Sum("amount_fen"), 0))["total"]
    difference = locked.balance_fen - total
    if difference == 0:
        return None
    has_opening = LedgerEntry.objects.filter(person=locked, kind=EntryKind.OPENING).exists()
    if not has_opening and total == 0 and difference > 0:
        kind, description = EntryKind.OPENING, _("开通明细时的个人账户余额")
    else:
        kind, description = EntryKind.ADJUSTMENT, _("按参保登记系统余额核对调整")
    return LedgerEntry.objects.create(
        person=locked,
        kind=kind,
        amount_fen=difference,
        balance_after_fen=locked.balance_fen,
        occurred_on=on or timezone.localdate(),
        description=description,
        actor=actor if getattr(actor, "pk", None) else None,
        channel=ChannelKind.COUNTER,
    )


@transaction.atomic
def ledger_credit_month(
    *,
    person: InsuredPerson,
    month: datetime.date,
    own_contribution_fen: int | None = None,
    contribution_base_fen: int | None = None,
    actor=None,
) -> LedgerEntry:
    """The monthly credit by category (employed: own contribution; flexibly employed: a percentage of the
    contribution base; retired: the region's fixed sum). Once per person and month."""
    month = month_start(month)
    locked = lock_people([person.pk])[person.pk]
    if not locked.has_personal_account:
        raise LedgerError(_("居民医保参保人没有个人账户。"), code="no_account")
    if locked.status != InsuranceStatus.NORMAL:
        raise LedgerError(_("参保状态异常（暂停或终止）期间不计入个人账户。"), code="not_normal")
    terms = credit_terms(resolved_policy(locked.city_code, month))
    amount = monthly_credit_fen(
        category=locked.category,
        terms=terms,
        own_contribution_fen=own_contribution_fen,
        contribution_base_fen=contribution_base_fen,
    )
    if LedgerEntry.objects.filter(person=locked, kind=EntryKind.CREDIT, credit_month=month).exists():
        raise LedgerError(_("%(m)s的个人账户计入已记账，不能重复计入。") % {"m": f"{month:%Y年%m月}"}, code="duplicate")
    try:
        with transaction.atomic():
            return ledger_post(
                person=locked,
                kind=EntryKind.CREDIT,
                amount_fen=amount,
                occurred_on=month,
                credit_month=month,
                actor=actor,
                channel=ChannelKind.COUNTER,
                description=_("%(m)s个人账户计入（%(c)s）")
                % {"m": f"{month:%Y年%m月}", "c": locked.get_category_display()},
            )
    except IntegrityError:
        raise LedgerError(_("该月的个人账户计入已记账，不能重复计入。"), code="duplicate") from None


# --- settlements --------------------------------------------------------------------------------------------


def _notify_shared_debit(entry: LedgerEntry, settlement: Settlement, binding: Binding) -> None:
    authorizer = entry.person
    if settlement.care == CareKind.INPATIENT:
        text = _(
            "%(relative)s于%(date)s在%(place)s%(level)s住院结算，使用您的个人账户共济余额支付%(amount)s元，"
            "账户余额%(balance)s元（结算单号%(serial)s）。如有疑问请拨打12393。"
        )
    else:
        text = _(
            "%(relative)s于%(date)s在%(place)s%(level)s就医购药，使用您的个人账户共济余额支付%(amount)s元，"
            "账户余额%(balance)s元（结算单号%(serial)s）。如有疑问请拨打12393。"
        )
    body = text % {
        "relative": mask_name(entry.beneficiary.name),
        "date": f"{settlement.service_date:%Y-%m-%d}",
        "place": PlaceLocation(settlement.location).label,
        "level": settlement.get_level_display(),
        "amount": fen_text(-entry.amount_fen),
        "balance": fen_text(entry.balance_after_fen),
        "serial": settlement.serial,
    }
    notify_person(authorizer, title=_("家庭共济支出提醒"), body=body, binding=binding)


@transaction.atomic
def settlement_post(
    *,
    patient: InsuredPerson,
    authorizer: InsuredPerson | None = None,
    visit: Visit | InpatientSlip,
    actor,
    channel: str = ChannelKind.ONLINE_HALL,
    declared_fund_fen: int | None = None,
    on: datetime.date | None = None,
    ip: str | None = None,
) -> Settlement:
    """Settle one outpatient visit (a Visit) or inpatient stay (an InpatientSlip, 住院) and post it: the patient's
    own account first, then the authorizer's shared balance (when `authorizer` is given and everything allows
    it), then cash. `on` is the visit day (for a stay, the day it is settled).

    Refused (LedgerError, nothing written) when the patient is not bound to the authorizer, the binding has
    ended, the shared balance was needed but may not pay (place, items, zero balance, the monthly cap, 住院 where
    the authorizer's region does not allow it or does not say), or the pooling terms are not stated and no
    slip amount was given.
    """
    on = on or timezone.localdate()
    inpatient = visit.care == CareKind.INPATIENT
    if inpatient:
        check_slip(visit)
        declared_fund_fen = None
    else:
        check_visit(visit)
    if declared_fund_fen is not None and declared_fund_fen != 0:
        check_amount(declared_fund_fen)
    locked = lock_people([patient.pk, authorizer.pk if authorizer else None])
    patient = locked[patient.pk]
    authorizer = locked[authorizer.pk] if authorizer is not None else None
    binding = binding_for_payment(authorizer=authorizer, patient=patient, on=on) if authorizer else None
    plan = settlement_plan(
        patient=patient, authorizer=authorizer, binding=binding, visit=visit, on=on, declared_fund_fen=declared_fund_fen
    )
    refusal = posting_refusal(plan, wants_shared=authorizer is not None)
    if refusal is not None:
        raise refusal
    split, pooling = plan.split, plan.pooling
    settlement = Settlement.objects.create(
        serial=new_serial("JS", Settlement, "serial", on),
        patient=patient,
        authorizer=authorizer,
        binding=binding,
        care=visit.care,
        service_date=on,
        level=visit.level,
        location=visit.location,
        filed=visit.filed,
        in_scope_fen=visit.in_scope_fen,
        out_of_scope_fen=visit.out_of_scope_fen,
        deductible_fen=pooling.deductible_fen,
        pooled_base_fen=pooling.pooled_base_fen,
        fund_fen=split.fund_fen,
        fund_source=FundSource.DECLARED if pooling.declared else FundSource.COMPUTED,
        own_account_fen=split.own_account_fen,
        shared_fen=split.shared_fen,
        cash_fen=split.cash_fen,
        steps=[{"title": s.title, "detail": s.detail, "amount_fen": s.amount_fen} for s in plan.steps]
        + [{"title": _("说明"), "detail": note, "amount_fen": None} for note in plan.notes],
        actor=actor if getattr(actor, "pk", None) else None,
        channel=channel,
    )
    SettlementItem.objects.bulk_create(
        [SettlementItem(settlement=settlement, kind=item.kind, amount_fen=item.amount_fen) for item in visit.items]
    )
    where = _("%(level)s（%(place)s）") % {
        "level": settlement.get_level_display(),
        "place": PlaceLocation(visit.location).label,
    }
    if split.own_account_fen:
        ledger_post(
            person=patient,
            kind=EntryKind.OWN_CARE,
            amount_fen=-split.own_account_fen,
            occurred_on=on,
            settlement=settlement,
            actor=actor,
            channel=channel,
            description=(_("本人住院：%(where)s") if inpatient else _("本人就医购药：%(where)s")) % {"where": where},
        )
    if split.shared_fen:
        entry = ledger_post(
            person=authorizer,
            kind=EntryKind.SHARED_OUT,
            amount_fen=-split.shared_fen,
            occurred_on=on,
            beneficiary=patient,
            binding=binding,
            settlement=settlement,
            actor=actor,
            channel=channel,
            description=(
                _("%(name)s（%(rel)s）住院：%(where)s") if inpatient else _("%(name)s（%(rel)s）就医购药：%(where)s")
            )
            % {"name": patient.name, "rel": binding.get_relationship_display(), "where": where},
        )
        _notify_shared_debit(entry, settlement, binding)
    if getattr(actor, "is_staff", False):
        audit_clerk_settlement(settlement, clerk=actor, ip=ip)
    what = _("%(care)s结算%(where)s，个人账户支付%(own)s元，共济支付%(shared)s元（结算单号%(serial)s）") % {
        "care": settlement.get_care_display(),
        "where": where,
        "own": fen_text(split.own_account_fen),
        "shared": fen_text(split.shared_fen),
        "serial": settlement.serial,
    }
    tell_principal(actor, target=f"settlement:{settlement.pk}", what=what, region_code=patient.city_code)
    logger.info("settlement %s posted: own %s shared %s", settlement.serial, split.own_account_fen, split.shared_fen)
    return settlement


# --- 代缴 ---------------------------------------------------------------------------------------------------


@transaction.atomic
def premium_pay(
    *,
    payer: InsuredPerson,
    beneficiary: InsuredPerson,
    year: int,
    actor,
    relationship: str = "",
    channel: str = ChannelKind.ONLINE_HALL,
    on: datetime.date | None = None,
) -> PremiumPayment:
    """Pay a relative's resident-insurance premium for `year` from the payer's balance, once per person and year
    (the database's unique constraint decides a race), for the standard the relative's region states (plus the
    late extra after its due date), within the payer's region's 代缴 scope.

    Without `relationship` the relative must be bound to the payer; with it, the payer names a relative he has
    no binding with, which premium_quote allows only where the source does (premiums.binding_needed)."""
    on = on or timezone.localdate()
    locked = lock_people([payer.pk, beneficiary.pk])
    payer, beneficiary = locked[payer.pk], locked[beneficiary.pk]
    if relationship:
        binding = None
        quote = premium_quote(payer=payer, relative=beneficiary, relationship=relationship, year=year, on=on)
    else:
        binding = binding_for_payment(authorizer=payer, patient=beneficiary, on=on)
        binding.relative, binding.authorizer = beneficiary, payer
        quote = premium_quote(payer=payer, binding=binding, year=year, on=on)
    if not quote.payable:
        raise LedgerError(quote.problem, code=quote.code)
    rel_label = quote.relationship_label
    try:
        with transaction.atomic():
            payment = PremiumPayment.objects.create(
                serial=new_serial("DJ", PremiumPayment, "serial", on),
                payer=payer,
                beneficiary=beneficiary,
                binding=binding,
                relationship=quote.relationship,
                year=year,
                amount_fen=quote.amount_fen,
                late_fen=quote.late_fen,
                city_code=beneficiary.city_code,
                actor=actor if getattr(actor, "pk", None) else None,
                channel=channel,
            )
    except IntegrityError:
        raise LedgerError(
            _("%(name)s的%(year)s年度居民医保费已缴纳，不能重复缴纳。") % {"name": beneficiary.name, "year": year},
            code="already_paid",
        ) from None
    description = _("为%(name)s（%(rel)s）代缴%(year)s年度居民医保") % {
        "name": beneficiary.name,
        "rel": rel_label,
        "year": year,
    }
    if quote.late_fen:
        description += _("（含逾期另缴%(late)s元）") % {"late": fen_text(quote.late_fen)}
    if quote.demo:
        description += _("（演示标准，非政策）")
    ledger_post(
        person=payer,
        kind=EntryKind.PREMIUM,
        amount_fen=-quote.amount_fen,
        occurred_on=on,
        beneficiary=beneficiary,
        binding=binding,
        premium=payment,
        actor=actor,
        channel=channel,
        description=description,
    )
    notify_person(
        beneficiary,
        title=_("居民医保已代缴"),
        body=_("%(payer)s已用个人账户为您代缴%(year)s年度居民医保个人缴费%(amount)s元（回执编号%(serial)s）。")
        % {
            "payer": mask_name(payer.name),
            "year": year,
            "amount": fen_text(quote.amount_fen),
            "serial": payment.serial,
        }
        + act_for_note(actor),
        binding=binding,
    )
    what = _("为%(name)s代缴%(year)s年度居民医保%(amount)s元（回执编号%(serial)s）") % {
        "name": mask_name(beneficiary.name),
        "year": year,
        "amount": fen_text(quote.amount_fen),
        "serial": payment.serial,
    }
    tell_principal(actor, target=f"premium:{payment.pk}", what=what, region_code=payer.city_code)
    return payment
