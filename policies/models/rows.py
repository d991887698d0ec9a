"""The rule rows below a version: relatives, proof, channels, outpatient pooling and premium amounts."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Category, Scheme

from ..choices import ChannelKind, DatePrecision, InstitutionLevel, ProofKind
from ..relationships import CLOSE_RELATIVES, validate_relationship_list
from .versions import PolicyVersion

ZERO = Decimal("0")
money_validators = [MinValueValidator(ZERO)]


class RelationshipRule(models.Model):
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="relationship_rules")
    relationship = models.CharField(_("亲属关系"), max_length=24, choices=[(r.value, r.label) for r in CLOSE_RELATIVES])
    allowed_from = models.DateField(_("允许日期"), null=True, blank=True, help_text=_("留空表示与版本同时生效。"))
    allowed_from_precision = models.CharField(
        _("日期精度"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("可共济亲属")
        verbose_name_plural = _("可共济亲属")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "relationship"], name="relationship_rule_unique"),
        ]

    def __str__(self):
        return self.get_relationship_display()

    def allows_on(self, day) -> bool:
        return self.allowed_from is None or self.allowed_from <= day


class ProofRule(models.Model):
    """Kinship proof for the relationships listed (all when empty) and ages min_age <= age < max_age."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="proof_rules")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    relationships = models.JSONField(_("适用亲属"), default=list, blank=True, help_text=_("留空表示所有亲属。"))
    min_age = models.PositiveSmallIntegerField(_("最小年龄（含）"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最大年龄（不含）"), null=True, blank=True)
    kind = models.CharField(_("证明材料"), max_length=24, choices=ProofKind.choices)
    upload_required = models.BooleanField(_("须上传"), default=True)
    pledge_allowed = models.BooleanField(_("可用承诺书代替"), default=False)
    channels = models.JSONField(
        _("适用渠道"), default=list, blank=True, help_text=_("留空表示所有渠道；否则为渠道类型列表。")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("亲属关系证明要求")
        verbose_name_plural = _("亲属关系证明要求")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(max_age__gt=F("min_age")),
                name="proof_rule_ages_in_order",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    def applies_to(self, relationship: str, age: int) -> bool:
        if self.relationships and relationship not in self.relationships:
            return False
        if self.min_age is not None and age < self.min_age:
            return False
        return not (self.max_age is not None and age >= self.max_age)

    def clean(self):
        errors = {}
        try:
            validate_relationship_list(self.relationships)
        except ValidationError as exc:
            errors["relationships"] = exc.messages
        if self.min_age is not None and self.max_age is not None and self.max_age <= self.min_age:
            errors["max_age"] = _("最大年龄应大于最小年龄。")
        if self.pledge_allowed and not self.upload_required:
            errors["pledge_allowed"] = _("无须上传的材料不需要承诺书代替。")
        if errors:
            raise ValidationError(errors)


class Channel(models.Model):
    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="channels")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("渠道类型"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("渠道名称"), max_length=100)
    url = models.URLField(_("网址"), blank=True)
    entry = models.CharField(_("入口名称"), max_length=100, blank=True)
    steps = models.TextField(_("办理步骤"), blank=True, help_text=_("每行一步。"))
    materials = models.TextField(_("所需材料"), blank=True, help_text=_("每行一项。"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("办理渠道")
        verbose_name_plural = _("办理渠道")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    @property
    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class PoolingRule(models.Model):
    """普通门诊统筹 for one scheme and member category (blank category: every member of the scheme)."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="pooling_rules")
    scheme = models.CharField(_("险种"), max_length=16, choices=Scheme.choices)
    category = models.CharField(_("人员类别"), max_length=16, choices=Category.choices, blank=True)
    deductible_yuan = models.DecimalField(
        _("年度起付线（元）"), max_digits=10, decimal_places=2, null=True, blank=True, validators=money_validators
    )
    deductible_yearly_max_yuan = models.DecimalField(
        _("年度起付线累计上限（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators,
    )
    yearly_cap_yuan = models.DecimalField(
        _("年度最高支付限额（元）"), max_digits=10, decimal_places=2, null=True, blank=True, validators=money_validators
    )
    retiree_share_bonus_points = models.PositiveSmallIntegerField(
        _("退休人员支付比例提高（百分点）"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    retiree_yearly_cap_yuan = models.DecimalField(
        _("退休人员年度最高支付限额（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators,
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("普通门诊统筹")
        verbose_name_plural = _("普通门诊统筹")
        ordering = ["scheme", "category", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "scheme", "category"], name="pooling_rule_unique"),
            models.CheckConstraint(
                condition=Q(deductible_yuan__isnull=True) | Q(deductible_yuan__gte=0), name="pooling_deductible_ge_0"
            ),
            models.CheckConstraint(
                condition=Q(yearly_cap_yuan__isnull=True) | Q(yearly_cap_yuan__gte=0), name="pooling_cap_ge_0"
            ),
        ]

    def __str__(self):
        category = self.get_category_display() if self.category else _("全体参保人员")
        return f"{self.get_scheme_display()} · {category}"

    @property
    def has_level_deductibles(self) -> bool:
        return any(level.deductible_yuan is not None for level in self.levels.all())

    @property
    def has_per_day_caps(self) -> bool:
        return any(level.per_day_cap_yuan is not None for level in self.levels.all())

    def clean(self):
        if self.retiree_share_bonus_points is not None and self.category:
            raise ValidationError({"retiree_share_bonus_points": _("只有适用全体人员的规则才需要填写退休人员调整。")})


class PoolingLevel(models.Model):
    rule = models.ForeignKey(PoolingRule, on_delete=models.CASCADE, related_name="levels")
    level = models.CharField(_("机构类别"), max_length=16, choices=InstitutionLevel.choices)
    fund_share_percent = models.PositiveSmallIntegerField(
        _("统筹基金支付比例（%）"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    deductible_yuan = models.DecimalField(
        _("该级起付线（元）"), max_digits=10, decimal_places=2, null=True, blank=True, validators=money_validators
    )
    per_day_cap_yuan = models.DecimalField(
        _("单日限额（元）"), max_digits=10, decimal_places=2, null=True, blank=True, validators=money_validators
    )

    class Meta:
        verbose_name = _("按机构类别的支付标准")
        verbose_name_plural = _("按机构类别的支付标准")
        ordering = ["rule", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "level"], name="pooling_level_unique"),
            models.CheckConstraint(
                condition=Q(fund_share_percent__isnull=True) | Q(fund_share_percent__lte=100),
                name="pooling_share_le_100",
            ),
        ]

    def __str__(self):
        return self.get_level_display()


class PremiumAmount(models.Model):
    """The resident-insurance premium one person pays for a year (代缴 amount)."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.CASCADE, related_name="premium_amounts")
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    amount_yuan = models.DecimalField(_("个人缴费（元）"), max_digits=10, decimal_places=2, validators=money_validators)
    due_on = models.DateField(_("集中缴费截止日"), null=True, blank=True)
    late_extra_yuan = models.DecimalField(
        _("逾期缴费另缴（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators,
        help_text=_("集中缴费期后缴费须另缴的金额（如财政补助标准）。"),
    )
    source = models.ForeignKey(
        "policies.Source", verbose_name=_("来源"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quote = models.TextField(_("来源原文"), blank=True)
    is_demo = models.BooleanField(_("演示标准"), default=False, help_text=_("仅供演示，不是政策。"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    entered_at = models.DateTimeField(_("录入时间"), null=True, blank=True, editable=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("居民医保个人缴费标准")
        verbose_name_plural = _("居民医保个人缴费标准")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["version", "year"], name="premium_amount_unique_year"),
            models.CheckConstraint(condition=Q(amount_yuan__gte=0), name="premium_amount_ge_0"),
        ]

    def __str__(self):
        return f"{self.year}"
