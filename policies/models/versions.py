"""A region's effective-dated policy version, and the history of changes to it.

The rule fields of a version are declared once in policies/rule_fields.py; a field added here must be added
there too (tests/policies/test_rule_fields.py fails otherwise).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Scheme

from ..choices import DatesMode, PairScope, ReviewMode, RevisionVia, SpendScope
from ..relationships import validate_relationship_list
from .regions import Region, Source

_MIN_DATE, _MAX_DATE = date.min, date.max


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
    premium_needs_binding = models.BooleanField(
        _("代缴须先绑定家庭共济"),
        null=True,
        blank=True,
        help_text=_("来源说明须先完成共济绑定才能代缴时勾选；来源未这样说明时，可为代缴亲属范围内的亲属直接代缴。"),
    )
    # Issue 15: rules the sources state that the hall did not model yet.
    relative_phone_required = models.BooleanField(_("须填写被共济人联系电话"), null=True, blank=True)
    relative_face_min_age = models.PositiveSmallIntegerField(
        _("被共济人须人脸识别的年龄（含）"), null=True, blank=True, help_text=_("达到此年龄的被共济人须通过人脸识别。")
    )
    bind_requires_positive_balance = models.BooleanField(_("绑定时授权人余额须大于零"), null=True, blank=True)
    inpatient_allowed = models.BooleanField(_("共济余额可支付住院费用"), null=True, blank=True)
    inpatient_cross_province_filed = models.BooleanField(
        _("外省参保亲属备案后可用于住院"),
        null=True,
        blank=True,
        help_text=_("在其他省份参保的亲属办理异地就医备案到本地后，住院可使用共济余额。"),
    )
    notes = models.TextField(_("说明"), blank=True, help_text=_("每行一条。"))
    # Issue 15: the source quote behind each value, {field: {"source": key, "text": quote}}; see policies/loading.py.
    quotes = models.JSONField(_("来源原文"), default=dict, blank=True)

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
