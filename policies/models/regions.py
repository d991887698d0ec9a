"""Where a rule is stated (a region: national, province, city) and what it is taken from (a source)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import RegionLevel

code_validator = RegexValidator(r"^\d{6}$", _("行政区划代码应为6位数字。"))


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
