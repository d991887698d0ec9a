"""Writes for accounts: real-name registration and preferences."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from .capacity import may_hold_own_account
from .idnumbers import normalize_id_number
from .models import InsuredPerson

User = get_user_model()


def registry_match(*, name: str, id_number: str) -> InsuredPerson:
    """The registry person with exactly this name and number, or a ValidationError that does not say which is wrong.

    It does not say whether the person already has an account either: registration tells that only to someone who
    has proved the phone by SMS (account_register), so the page cannot be used to find out who has signed up.
    """
    person = InsuredPerson.objects.filter(id_number=normalize_id_number(id_number), name=name.strip()).first()
    if person is None:
        raise ValidationError(
            _("姓名与身份证号码不匹配，或未在医保信息平台登记参保。请核对后重试，或到医保经办窗口咨询。"),
            code="registry_mismatch",
        )
    return person


def own_account_allowed(*, person: InsuredPerson, on=None) -> None:
    """A child under 14 has no account of his own (accounts.capacity): his guardian acts for him instead.

    Asked right after the registry match, before any SMS is sent: the age is a fact of the ID number just typed,
    so saying it tells nobody anything new."""
    if not may_hold_own_account(person, on or timezone.localdate()):
        raise ValidationError(
            _("未满14周岁的未成年人不能自行注册账号。请由父母或其他监护人登录大厅，在“家庭成员”中为孩子办理。"),
            code="under_own_account_age",
        )


def phone_available(*, phone: str, exclude_user=None) -> None:
    qs = User.objects.filter(phone=phone)
    if exclude_user is not None:
        qs = qs.exclude(pk=exclude_user.pk)
    if qs.exists():
        raise ValidationError(
            _("该手机号已绑定其他账户，请换一个手机号；如是您本人的账户，请直接登录。"), code="phone_taken"
        )


@transaction.atomic
def account_register(*, person: InsuredPerson, phone: str, password: str, elder_mode: bool = False) -> User:
    """Create the resident's account. The caller has already confirmed the phone by SMS.

    Only now, to the holder of the phone, is it said that the person or the phone already has an account.
    A 14- to 17-year-old without full capacity gets an account that waits for a guardian's consent
    (User.guardian_consent_at; accounts.capacity.account_block): the caller asks the guardians.
    """
    own_account_allowed(person=person)
    if User.objects.filter(person=person).exists():
        raise ValidationError(
            _("该身份证号码已注册账户，请直接登录；忘记密码可用短信验证码登录。"), code="already_registered"
        )
    phone_available(phone=phone)
    user = User(
        username=f"r_{get_random_string(12).lower()}",
        person=person,
        phone=phone,
        first_name=person.name,
        elder_mode=elder_mode,
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Two tabs racing, or a phone taken meanwhile: the database decided.
        raise ValidationError(_("该身份证号码或手机号已注册账户，请直接登录。"), code="already_registered") from None
    return user


def elder_mode_set(*, user, enabled: bool) -> None:
    user.elder_mode = enabled
    user.save(update_fields=["elder_mode"])


def face_consent_record(*, user) -> None:
    if user.face_consent_at is None:
        user.face_consent_at = timezone.now()
        user.save(update_fields=["face_consent_at"])
