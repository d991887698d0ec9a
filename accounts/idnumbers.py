"""Resident identity card numbers (GB 11643-1999), validated with python-stdnum.

stdnum's table of administrative codes stops in 2014, so a number whose region code
is missing from it is accepted with a warning rather than refused: newer districts
exist and their residents must still be able to register.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

EARLIEST_BIRTH_YEAR = 1890


@dataclass(frozen=True)
class IdNumberInfo:
    number: str
    birth_date: date
    sex: str  # "M" or "F"
    region_code: str
    region_known: bool

    @property
    def warning(self) -> str:
        if self.region_known:
            return ""
        return str(_("身份证号码的地区码 %(code)s 不在本系统的行政区划表中，请核对。") % {"code": self.region_code})


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "")


def parse_id_number(value: str, *, today: date | None = None) -> IdNumberInfo:
    """Validate an 18-digit number and return what it encodes; raise ValidationError in plain Chinese."""
    number = normalize_id_number(value)
    try:
        if len(number) != 18:
            raise InvalidLength()
        if not number[:-1].isdigit() or not (number[-1].isdigit() or number[-1] == "X"):
            raise InvalidFormat()
        if number[-1] != ric.calc_check_digit(number):
            raise InvalidChecksum()
        birth = ric.get_birth_date(number)
    except InvalidLength:
        raise ValidationError(
            _("身份证号码应为18位，您输入了%(n)s位。") % {"n": len(number)}, code="id_length"
        ) from None
    except InvalidFormat:
        raise ValidationError(_("身份证号码前17位应为数字，最后一位为数字或字母X。"), code="id_format") from None
    except InvalidChecksum:
        raise ValidationError(_("身份证号码校验位不正确，请逐位核对。"), code="id_checksum") from None
    except InvalidComponent:
        raise ValidationError(_("身份证号码中的出生日期不存在，请核对。"), code="id_birth_date") from None
    today = today or timezone.localdate()
    if birth > today:
        raise ValidationError(_("身份证号码中的出生日期晚于今天，请核对。"), code="id_birth_future")
    if birth.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(_("身份证号码中的出生日期不合理，请核对。"), code="id_birth_date")
    try:
        ric.get_birth_place(number)
        region_known = True
    except (InvalidComponent, KeyError):
        # KeyError: stdnum's lookup fails that way when the province exists but the county does not.
        region_known = False
    sex = "M" if int(number[16]) % 2 else "F"
    return IdNumberInfo(number=number, birth_date=birth, sex=sex, region_code=number[:6], region_known=region_known)


def validate_id_number(value: str) -> None:
    """Django field validator."""
    parse_id_number(value)


def make_id_number(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid number (for demo data and tests): region + birth date + 3-digit sequence + check digit."""
    body = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")
