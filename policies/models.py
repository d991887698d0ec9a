"""Regions and their effective-dated policy versions.

A version holds only what its level states. Anything left empty (NULL, blank, or a collection
with no rows) is "not stated here": the city falls back to its province, the province to the
national default, and what nobody states is shown as 未在来源中说明. See selectors.resolved_policy
and docs/decisions/0001-policies-as-data.md.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Category, Scheme

from .choices import (
    ChannelKind,
    DatePrecision,
    DatesMode,
    InstitutionLevel,
    PairScope,
    ProofKind,
    RegionLevel,
    ReviewMode,
    RevisionVia,
    SpendScope,
)
from .relationships import CLOSE_RELATIVES, Relationship

ZERO = Decimal("0")
_MIN_DATE, _MAX_DATE = date.min, date.max
code_validator = RegexValidator(r"^\d{6}$", _("行政区划代码应为6位数字。"))
money_validators = [MinValueValidator(ZERO)]


def validate_relationship_list(value, *, allow_in_law=False):
    """A JSON list of Relationship values, without repeats."""
    allowed = set(Relationship.values if allow_in_law else CLOSE_RELATIVES)
    if not isinstance(value, list):
        raise ValidationError(_("应为亲属关系列表。"))
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ValidationError(
            _("未知的亲属关系：%(items)s。"),
            params={"items": "、".join(map(str, unknown))},
            code="unknown_relationship",
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("亲属关系重复。"), code="duplicate_relationship")


class Source(models.Model):
    """An article or official document a rule is taken from."""

    key = models.SlugField(_("标识"), max_length=40, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    publisher = models.CharField(_("发布方"), max_length=100, blank=True)
    document_number = models.CharField(_("文号"), max_length=50, blank=True)
    url = models.URLField(_("网址"), blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    date_note = models.CharField(_("日期说明"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("政策来源")
        verbose_name_plural = _("政策来源")
        ordering = ["key"]

    def __str__(self):
        return self.title


class Region(models.Model):
    code = models.CharField(_("行政区划代码"), max_length=6, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=50)
    short_name = models.CharField(_("简称"), max_length=20)
    slug = models.SlugField(_("网址标识"), max_length=40, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("地区")
        verbose_name_plural = _("地区")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level=RegionLevel.NATIONAL, parent__isnull=True)
                | (~Q(level=RegionLevel.NATIONAL) & Q(parent__isnull=False)),
                name="region_only_national_has_no_parent",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def authority(self) -> str:
        """Who 'states' a rule, as a message names it: 攀枝花市规定…, 国家政策规定…"""
        return str(_("国家政策")) if self.level == RegionLevel.NATIONAL else self.name

    def clean(self):
        expected_parent = {RegionLevel.PROVINCE: RegionLevel.NATIONAL, RegionLevel.CITY: RegionLevel.PROVINCE}
        if self.level == RegionLevel.NATIONAL and self.parent_id:
            raise ValidationError({"parent": _("国家层级没有上级。")})
        if self.level in expected_parent:
            if not self.parent_id:
                raise ValidationError({"parent": _("须填写上级地区。")})
            if self.parent.level != expected_parent[self.level]:
                raise ValidationError({"parent": _("上级地区的层级不对。")})


class PolicyVersion(models.Model):
    """What one region states, from effective_from to effective_to (both inclusive, NULL = open)."""

    region = models.ForeignKey(Region, verbose_name=_("地区"), on_delete=models.CASCADE, related_name="versions")
    effective_from = models.DateField(_("生效日期"), null=True, blank=True, help_text=_("留空表示来源未说明起始日期。"))
    effective_from_note = models.CharField(_("生效日期说明"), max_length=100, blank=True)
    effective_to = models.DateField(_("失效日期（含当日）"), null=True, blank=True)
    title = models.CharField(_("版本名称"), max_length=100)
    summary = models.TextField(_("本版本要点"), blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("来源"), blank=True, related_name="versions")

    service_name = models.CharField(_("业务名称"), max_length=50, blank=True)
    at_once_limit = models.PositiveSmallIntegerField(
        _("同时绑定上限（人）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    total_limit = models.PositiveSmallIntegerField(
        _("累计绑定上限（人）"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    pair_scope = models.CharField(_("双方参保地要求"), max_length=20, choices=PairScope.choices, blank=True)
    spend_scope = models.CharField(_("共济资金使用范围"), max_length=30, choices=SpendScope.choices, blank=True)
    rebind_wait_days = models.PositiveSmallIntegerField(
        _("解除后再由他人绑定的等待天数"),
        null=True,
        blank=True,
        help_text=_("1 表示解除次日起可被其他授权人绑定。"),
    )
    review_mode = models.CharField(_("办理方式"), max_length=10, choices=ReviewMode.choices, blank=True)
    review_working_days = models.PositiveSmallIntegerField(
        _("审核办结时限（工作日）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("经办人员审核的承诺办结时限；未规定时大厅按3个工作日提示。"),
    )
    dates_mode = models.CharField(_("共济起止日期"), max_length=12, choices=DatesMode.choices, blank=True)
    notice_text = models.TextField(_("告知书"), blank=True)
    premium_allowed = models.BooleanField(_("可代缴居民医保"), null=True, blank=True)
    premium_relationships = models.JSONField(_("代缴亲属范围"), null=True, blank=True)
    premium_scheme = models.CharField(_("代缴险种"), max_length=16, choices=Scheme.choices, blank=True)
    premium_scope = models.CharField(_("代缴对象参保地"), max_length=20, choices=PairScope.choices, blank=True)
    notes = models.TextField(_("说明"), blank=True, help_text=_("每行一条。"))

    edited_in_admin_at = models.DateTimeField(_("管理后台修改时间"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("政策版本")
        verbose_name_plural = _("政策版本")
        ordering = ["region__code", F("effective_from").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(fields=["region", "effective_from"], name="policy_version_unique_start"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="policy_version_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(total_limit__isnull=True)
                | Q(at_once_limit__isnull=True)
                | Q(total_limit__gte=F("at_once_limit")),
                name="policy_version_total_not_below_at_once",
            ),
        ]

    def __str__(self):
        return f"{self.region.name} {self.title}"

    @property
    def note_lines(self) -> list[str]:
        return [line.strip() for line in self.notes.splitlines() if line.strip()]

    def covers(self, day) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )

    def overlaps(self, other) -> bool:
        start = self.effective_from or _MIN_DATE
        end = self.effective_to or _MAX_DATE
        other_start = other.effective_from or _MIN_DATE
        other_end = other.effective_to or _MAX_DATE
        return start <= other_end and other_start <= end

    def clean(self):
        errors = {}
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = _("失效日期早于生效日期。")
        if self.at_once_limit is not None and self.total_limit is not None and self.total_limit < self.at_once_limit:
            errors["total_limit"] = _("累计绑定上限（%(total)s）不能小于同时绑定上限（%(at_once)s）。") % {
                "total": self.total_limit,
                "at_once": self.at_once_limit,
            }
        if self.premium_relationships is not None:
            try:
                validate_relationship_list(self.premium_relationships, allow_in_law=True)
            except ValidationError as exc:
                errors["premium_relationships"] = exc.messages
        if self.region_id and "effective_to" not in errors:
            for other in PolicyVersion.objects.filter(region_id=self.region_id).exclude(pk=self.pk):
                if self.overlaps(other):
                    errors["effective_from"] = _(
                        "与同一地区的版本“%(title)s”（%(start)s 至 %(end)s）的有效期重叠。"
                    ) % {
                        "title": other.title,
                        "start": other.effective_from or "—",
                        "end": other.effective_to or "—",
                    }
                    break
        if errors:
            raise ValidationError(errors)


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


class PolicyRevision(models.Model):
    """One change to a version, by the loader or in admin: who, when, and each field before and after."""

    version = models.ForeignKey(
        PolicyVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="revisions")
    version_label = models.CharField(_("版本"), max_length=150)
    via = models.CharField(_("方式"), max_length=10, choices=RevisionVia.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(_("修改时间"), auto_now_add=True)
    changes = models.JSONField(_("变更内容"), default=list)

    class Meta:
        verbose_name = _("政策修改记录")
        verbose_name_plural = _("政策修改记录")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.version_label} {self.changed_at:%Y-%m-%d %H:%M}"
