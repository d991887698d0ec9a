"""Enumerations used by the policy rows. Labels are what the pages show."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    NATIONAL = "national", _("国家")
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")


class PairScope(models.TextChoices):
    """Where the relative must be insured, relative to the authorizer."""

    SAME_CITY = "same_city", _("双方须在同一统筹区（市）参保")
    SAME_PROVINCE = "same_province", _("双方须在同一省（区）参保")
    ANYWHERE = "anywhere", _("不限参保地")


class SpendScope(models.TextChoices):
    """Where the shared balance may be spent."""

    CITY = "city", _("仅限本统筹区（市）内使用")
    PROVINCE = "province", _("本省（区）内使用")
    NATIONWIDE_WITH_FILING = "nationwide_with_filing", _("办理异地就医备案后可在备案地使用")
    NATIONWIDE = "nationwide", _("全国使用")


class ReviewMode(models.TextChoices):
    IMMEDIATE = "immediate", _("登记信息核验通过后即时生效")
    CLERK = "clerk", _("提交后由经办人员审核，审核通过后生效")


class DatesMode(models.TextChoices):
    NOT_ALLOWED = "not_allowed", _("不设开始和结束日期，解除前一直有效")
    OPTIONAL = "optional", _("可以填写开始和结束日期")
    REQUIRED = "required", _("须填写共济开始和结束日期")


class DatePrecision(models.TextChoices):
    DAY = "day", _("日")
    MONTH = "month", _("月")
    YEAR = "year", _("年")


class ProofKind(models.TextChoices):
    HOUSEHOLD_REGISTER = "household_register", _("户口簿")
    MARRIAGE_CERTIFICATE = "marriage_certificate", _("结婚证")
    BIRTH_CERTIFICATE = "birth_certificate", _("出生医学证明")
    KINSHIP_CERTIFICATE = "kinship_certificate", _("亲属关系证明")
    REGISTRY_CHECK = "registry_check", _("登记信息（大数据）核验")
    FACE_VERIFICATION = "face_verification", _("使用人人脸认证")


class ChannelKind(models.TextChoices):
    APP = "app", _("手机APP")
    WECHAT = "wechat", _("微信公众号")
    ALIPAY = "alipay", _("支付宝小程序")
    ONLINE_HALL = "online_hall", _("网上服务大厅")
    NATIONAL_APP = "national_app", _("国家医保服务平台APP")
    COUNTER = "counter", _("医保经办窗口")
    KIOSK = "kiosk", _("自助机")


class InstitutionLevel(models.TextChoices):
    LEVEL1 = "level1", _("一级定点医疗机构")
    LEVEL2 = "level2", _("二级定点医疗机构")
    LEVEL3 = "level3", _("三级定点医疗机构")
    COMMUNITY = "community", _("基层（社区）医疗卫生机构")
    VILLAGE_CLINIC = "village_clinic", _("村卫生室、社区卫生服务站")
    PHARMACY = "pharmacy", _("定点零售药店")


class RevisionVia(models.TextChoices):
    LOADER = "loader", _("数据文件导入")
    ADMIN = "admin", _("管理后台修改")
