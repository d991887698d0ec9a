"""What residents type to identify themselves, and resident identity card numbers (GB 11643-1999).

normalize_identifier() is the one place that decides how a typed ID number, phone number or user name is read:
the sign-in backends, the lockout key, the forms and the ID validator all go through it, so that no two paths
can disagree about whether two spellings are the same number.

ID numbers are validated with python-stdnum. A number whose region code is not in stdnum's table of
administrative codes (GB/T 2260, kept up to date there) is accepted with a warning rather than refused: a new
district's residents must still be able to register.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
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


def is_ascii_digits(value: str) -> bool:
    """Only 0-9 are digits here. str.isdigit() also accepts Arabic-Indic (٣٦٠), Devanagari and other digits, which
    int() would then read as numbers: a number typed with them is refused, never silently translated."""
    return bool(value) and value.isascii() and value.isdigit()


def normalize_identifier(value: str | None) -> str:
    """An ID number, mobile number or user name as the hall compares it.

    NFKC turns full-width digits and letters, which Chinese input methods type (１３９…, ｘ), into ASCII; every
    white space goes (an ideographic space too); an ID number's final x is upper-cased. Nothing else is changed:
    other digits stay as typed and fail is_ascii_digits(), so they never reach an account.
    """
    value = "".join(unicodedata.normalize("NFKC", value or "").split())
    if len(value) == 18 and value[17] == "x" and is_ascii_digits(value[:17]):
        value = value[:17] + "X"
    return value


def looks_like_id_number(value: str) -> bool:
    """17 ASCII digits and a digit or X (after normalize_identifier); the check digit is not verified here."""
    return len(value) == 18 and is_ascii_digits(value[:17]) and (is_ascii_digits(value[17]) or value[17] == "X")


def normalize_id_number(value: str | None) -> str:
    """An ID number as stored and looked up (normalize_identifier, named for the callers that only take numbers)."""
    return normalize_identifier(value)


def region_code_known(code: str, birth_year: int) -> bool:
    """Whether GB/T 2260 has this county code for someone born in birth_year.

    The address code is that of the county where the holder's household was registered when the number was
    assigned (GB 11643-1999, 地址码), not of the place and year of birth, and 18-digit numbers were assigned from
    1999 on: a resident of 袁州区 born in 1975 carries 360902, a code that exists only since 2000, when 宜春地区
    became 宜春市. So a code is known if the table has it for any period that had not ended before the holder
    was born. stdnum's get_birth_place() asks instead whether the code existed in the birth year, and flagged
    every 袁州区 resident born before 2000 (and every 珠晖区 one born before 2001) as an unknown region.
    A code the table never had, or one abolished before the holder was born, is still warned about.
    """
    info = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    if not info.get("province") or not info.get("county"):
        return False
    for entry in info["county"].split(","):
        if not entry.startswith("["):
            return True  # no period: in use throughout the table
        _start, _sep, end = entry[1:].split("]", 1)[0].partition("-")
        if not end or int(end) >= birth_year:
            return True
    return False


def parse_id_number(value: str, *, today: date | None = None) -> IdNumberInfo:
    """Validate an 18-digit number and return what it encodes; raise ValidationError in plain Chinese."""
    number = normalize_identifier(value)
    try:
        if len(number) != 18:
            raise InvalidLength()
        if not looks_like_id_number(number):
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
    region_known = region_code_known(number[:6], birth.year)
    sex = "M" if int(number[16]) % 2 else "F"
    return IdNumberInfo(number=number, birth_date=birth, sex=sex, region_code=number[:6], region_known=region_known)


def validate_id_number(value: str) -> None:
    """Django field validator."""
    parse_id_number(value)


def make_id_number(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid number (for demo data and tests): region + birth date + 3-digit sequence + check digit."""
    body = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")
