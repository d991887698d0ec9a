"""The personal-account ledger (个人账户收支明细), settlements, 代缴 premiums and per-relative spending caps.

InsuredPerson.balance_fen is the running balance; every change to it is one LedgerEntry written by
bindings/ledger/services.py in the same transaction, so the balance always equals the sum of the person's entries.
Amounts are integer fen; an entry's sign says which way the money moved.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import InsuredPerson
from bindings.ledger.settlement import CareKind, ItemKind, PlaceLocation
from policies.choices import ChannelKind, InstitutionLevel


class EntryKind(models.TextChoices):
    OPENING = "opening", _("期初余额")
    CREDIT = "credit", _("个人账户按月计入")
    OWN_CARE = "own_care", _("本人就医购药")
    SHARED_OUT = "shared_out", _("家庭共济支出")
    PREMIUM = "premium", _("代缴居民医保")
    ADJUSTMENT = "adjustment", _("余额核对调整")


CREDIT_KINDS = (EntryKind.OPENING, EntryKind.CREDIT)
DEBIT_KINDS = (EntryKind.OWN_CARE, EntryKind.SHARED_OUT, EntryKind.PREMIUM)


class FundSource(models.TextChoices):
    COMPUTED = "computed", _("按政策标准计算")
    DECLARED = "declared", _("按结算单填写")


# CareKind is defined in bindings/ledger/settlement.py (the arithmetic needs it and may not import models) and
# imported above, so `from bindings.models import CareKind` keeps working.


class Settlement(models.Model):
    """One visit (outpatient, or an inpatient stay from its settlement slip) settled through the simulator."""

    serial = models.CharField(_("结算单号"), max_length=20, unique=True)
    patient = models.ForeignKey(
        InsuredPerson, verbose_name=_("患者"), on_delete=models.PROTECT, related_name="settlements"
    )
    authorizer = models.ForeignKey(
        InsuredPerson,
        verbose_name=_("共济授权人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settlements_shared",
    )
    binding = models.ForeignKey(
        "bindings.Binding", null=True, blank=True, on_delete=models.PROTECT, related_name="settlements"
    )
    care = models.CharField(_("就医类型"), max_length=12, choices=CareKind.choices, default=CareKind.OUTPATIENT)
    service_date = models.DateField(_("就诊日期"), db_index=True)
    level = models.CharField(_("就医机构类别"), max_length=16, choices=InstitutionLevel.choices)
    location = models.CharField(_("就医地"), max_length=16, choices=PlaceLocation.choices)
    filed = models.BooleanField(_("已办理异地就医备案"), default=False)
    in_scope_fen = models.BigIntegerField(_("政策范围内费用（分）"))
    out_of_scope_fen = models.BigIntegerField(_("政策范围外费用（分）"))
    deductible_fen = models.BigIntegerField(_("本次计入起付线（分）"), default=0)
    pooled_base_fen = models.BigIntegerField(_("计入统筹的费用（分）"), default=0)
    fund_fen = models.BigIntegerField(_("统筹基金支付（分）"))
    fund_source = models.CharField(_("统筹支付来源"), max_length=10, choices=FundSource.choices)
    own_account_fen = models.BigIntegerField(_("本人个人账户支付（分）"))
    shared_fen = models.BigIntegerField(_("共济余额支付（分）"))
    cash_fen = models.BigIntegerField(_("现金支付（分）"))
    steps = models.JSONField(_("计算过程"), default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=ChannelKind.choices)
    created_at = models.DateTimeField(_("记账时间"), default=timezone.now)

    class Meta:
        verbose_name = _("门诊结算")
        verbose_name_plural = _("门诊结算")
        ordering = ["-service_date", "-id"]
        indexes = [models.Index(fields=["patient", "service_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(in_scope_fen__gte=0)
                & Q(out_of_scope_fen__gte=0)
                & Q(deductible_fen__gte=0)
                & Q(pooled_base_fen__gte=0)
                & Q(fund_fen__gte=0)
                & Q(own_account_fen__gte=0)
                & Q(shared_fen__gte=0)
                & Q(cash_fen__gte=0),
                name="settlement_amounts_not_negative",
            ),
            # Every fen of the bill is paid by exactly one of the four.
            models.CheckConstraint(
                condition=Q(
                    in_scope_fen=F("fund_fen")
                    + F("own_account_fen")
                    + F("shared_fen")
                    + F("cash_fen")
                    - F("out_of_scope_fen")
                ),
                name="settlement_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(shared_fen=0) | (Q(binding__isnull=False) & Q(authorizer__isnull=False)),
                name="settlement_shared_needs_binding",
            ),
        ]

    def __str__(self):
        return self.serial

    @property
    def total_fen(self) -> int:
        return self.in_scope_fen + self.out_of_scope_fen


class SettlementItem(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("费用类别"), max_length=16, choices=ItemKind.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"))

    class Meta:
        verbose_name = _("费用明细")
        verbose_name_plural = _("费用明细")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="settlement_item_positive")]

    def __str__(self):
        return self.get_kind_display()


class PremiumPayment(models.Model):
    """代缴: an authorizer pays a bound relative's resident-insurance premium for one year from his balance."""

    serial = models.CharField(_("回执编号"), max_length=20, unique=True)
    payer = models.ForeignKey(
        InsuredPerson, verbose_name=_("缴费人（授权人）"), on_delete=models.PROTECT, related_name="premiums_paid"
    )
    beneficiary = models.ForeignKey(
        InsuredPerson, verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="premiums_received"
    )
    # Empty where the source lets one pay a relative's premium without a sharing binding (issue 15).
    binding = models.ForeignKey(
        "bindings.Binding", null=True, blank=True, on_delete=models.PROTECT, related_name="premium_payments"
    )
    relationship = models.CharField(_("与缴费人关系"), max_length=24, blank=True)
    late_fen = models.BigIntegerField(_("其中逾期另缴（分）"), default=0)
    year = models.PositiveSmallIntegerField(_("缴费年度"))
    amount_fen = models.BigIntegerField(_("金额（分）"))
    city_code = models.CharField(_("参保统筹区"), max_length=6)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=ChannelKind.choices)
    paid_at = models.DateTimeField(_("缴费时间"), default=timezone.now)

    class Meta:
        verbose_name = _("代缴居民医保")
        verbose_name_plural = _("代缴居民医保")
        ordering = ["-paid_at", "-id"]
        constraints = [
            # Never twice for the same person and year, whoever pays.
            models.UniqueConstraint(fields=["beneficiary", "year"], name="premium_once_per_person_year"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="premium_amount_positive"),
        ]

    def __str__(self):
        return self.serial


class LedgerEntry(models.Model):
    """One movement on one person's personal account. Insert-only."""

    person = models.ForeignKey(
        InsuredPerson, verbose_name=_("账户所有人"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=EntryKind.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    balance_after_fen = models.BigIntegerField(_("记账后余额（分）"))
    occurred_on = models.DateField(_("发生日期"), db_index=True)
    credit_month = models.DateField(_("计入月份"), null=True, blank=True)
    beneficiary = models.ForeignKey(
        InsuredPerson,
        verbose_name=_("使用人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries_received",
    )
    binding = models.ForeignKey(
        "bindings.Binding", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    settlement = models.ForeignKey(
        Settlement, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    premium = models.OneToOneField(
        PremiumPayment, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entry"
    )
    description = models.CharField(_("摘要"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=ChannelKind.choices, blank=True)
    created_at = models.DateTimeField(_("记账时间"), default=timezone.now)

    class Meta:
        verbose_name = _("个人账户明细")
        verbose_name_plural = _("个人账户明细")
        ordering = ["occurred_on", "id"]
        indexes = [
            models.Index(fields=["person", "occurred_on"]),
            models.Index(fields=["beneficiary", "occurred_on"]),
            models.Index(fields=["binding", "occurred_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_fen=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(condition=Q(balance_after_fen__gte=0), name="ledger_balance_after_not_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=CREDIT_KINDS, amount_fen__gt=0)
                | Q(kind__in=DEBIT_KINDS, amount_fen__lt=0)
                | Q(kind=EntryKind.ADJUSTMENT),
                name="ledger_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.SHARED_OUT)
                | (Q(beneficiary__isnull=False) & Q(binding__isnull=False) & Q(settlement__isnull=False)),
                name="ledger_shared_names_whom",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.PREMIUM) | (Q(beneficiary__isnull=False) & Q(premium__isnull=False)),
                name="ledger_premium_names_whom",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.CREDIT) | Q(credit_month__isnull=False), name="ledger_credit_has_month"
            ),
            # One monthly credit per person and month.
            models.UniqueConstraint(
                fields=["person", "credit_month"], condition=Q(kind=EntryKind.CREDIT), name="ledger_one_credit_a_month"
            ),
            # One opening entry per person.
            models.UniqueConstraint(
                fields=["person"], condition=Q(kind=EntryKind.OPENING), name="ledger_one_opening_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.occurred_on} {self.get_kind_display()} {self.amount_fen}"


class SpendingCap(models.Model):
    """The monthly amount a relative may spend from the authorizer's balance. Insert-only: the newest row counts,
    the older ones are the history. monthly_limit_fen None: the authorizer removed the cap."""

    binding = models.ForeignKey("bindings.Binding", on_delete=models.CASCADE, related_name="spending_caps")
    monthly_limit_fen = models.BigIntegerField(_("每月共济上限（分）"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("每月共济上限")
        verbose_name_plural = _("每月共济上限")
        ordering = ["-set_at", "-id"]
        get_latest_by = ["set_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_limit_fen__isnull=True) | Q(monthly_limit_fen__gt=0), name="spending_cap_positive"
            ),
        ]

    def __str__(self):
        return str(self.monthly_limit_fen)
