"""The insured-person registry: our stand-in for the 医保信息平台."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..idnumbers import parse_id_number, validate_id_number
from ..masking import mask_id_number, mask_name


class Scheme(models.TextChoices):
    EMPLOYEE = "employee", _("职工医保")
    RESIDENT = "resident", _("居民医保")


class Category(models.TextChoices):
    EMPLOYED = "employed", _("在职职工")
    RETIRED = "retired", _("退休人员")
    FLEXIBLE = "flexible", _("灵活就业人员")


class InsuranceStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    SUSPENDED = "suspended", _("暂停")
    TERMINATED = "terminated", _("终止")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class InsuredPerson(models.Model):
    """One person as the insurance information platform knows him."""

    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True, validators=[validate_id_number])
    name = models.CharField(_("姓名"), max_length=50)
    birth_certificate_no = models.CharField(
        _("出生医学证明编号"),
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        help_text=_("新生儿可凭此编号登记共济。"),
    )
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    phone = models.CharField(_("预留手机号"), max_length=11, blank=True)
    scheme = models.CharField(_("险种"), max_length=16, choices=Scheme.choices)
    category = models.CharField(_("人员类别"), max_length=16, choices=Category.choices, blank=True)
    status = models.CharField(
        _("参保状态"), max_length=16, choices=InsuranceStatus.choices, default=InsuranceStatus.NORMAL
    )
    province_code = models.CharField(_("参保省份代码"), max_length=6)
    city_code = models.CharField(_("参保统筹区代码"), max_length=6)
    balance_fen = models.BigIntegerField(_("个人账户余额（分）"), default=0)
    # 民法典第18条第2款: a 16- or 17-year-old living mainly on his own labour income has full civil capacity.
    self_supporting = models.BooleanField(
        _("以自己的劳动收入为主要生活来源"),
        default=False,
        help_text=_("年满16周岁不满18周岁、以自己的劳动收入为主要生活来源的，视为完全民事行为能力人。"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("参保人员")
        verbose_name_plural = _("参保人员登记")
        ordering = ["id"]
        indexes = [models.Index(fields=["city_code", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(balance_fen__gte=0), name="insured_balance_not_negative"),
            # Only 职工医保 members have a personal account and a member category.
            models.CheckConstraint(
                condition=(Q(scheme=Scheme.EMPLOYEE) & ~Q(category=""))
                | (Q(scheme=Scheme.RESIDENT) & Q(category="") & Q(balance_fen=0)),
                name="insured_category_matches_scheme",
            ),
        ]

    def __str__(self):
        return f"{mask_name(self.name)} {mask_id_number(self.id_number)}"

    def save(self, *args, **kwargs):
        # Sex and birth date are facts of the ID number, never typed separately.
        if self.id_number and not self.birth_date:
            info = parse_id_number(self.id_number)
            self.id_number, self.birth_date, self.sex = info.number, info.birth_date, info.sex
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.id_number:
            try:
                info = parse_id_number(self.id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
            else:
                self.id_number, self.birth_date, self.sex = info.number, info.birth_date, info.sex
        if self.scheme == Scheme.EMPLOYEE and not self.category:
            errors["category"] = _("职工医保参保人员须选择人员类别。")
        if self.scheme == Scheme.RESIDENT:
            if self.category:
                errors["category"] = _("居民医保参保人员没有职工人员类别。")
            if self.balance_fen:
                errors["balance_fen"] = _("居民医保没有个人账户，余额应为0。")
        if self.balance_fen is not None and self.balance_fen < 0:
            errors["balance_fen"] = _("个人账户余额不能为负数。")
        if self.province_code and self.city_code and self.city_code[:2] != self.province_code[:2]:
            errors["city_code"] = _("参保统筹区不属于所填省份。")
        if errors:
            raise ValidationError(errors)

    @property
    def has_personal_account(self) -> bool:
        return self.scheme == Scheme.EMPLOYEE

    @property
    def is_insured_normally(self) -> bool:
        return self.status == InsuranceStatus.NORMAL

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    @property
    def balance_yuan(self):
        from decimal import Decimal

        return Decimal(self.balance_fen) / 100
