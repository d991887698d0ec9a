"""Sign-in backends. django-axes sits in front of all of them and counts every failure per account
(accounts.lockout)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .face import face_verification_consume
from .idnumbers import is_ascii_digits, looks_like_id_number, normalize_identifier
from .models import SmsPurpose
from .sms import sms_code_check

User = get_user_model()


def user_for_identifier(identifier: str | None):
    """The account an ID number, a confirmed phone number, or (for staff) a user name reaches, or None.

    Every sign-in path and the lockout key read the identifier through normalize_identifier, so full-width
    digits reach the same account as ASCII ones, and other digits (Arabic-Indic...) reach none.
    """
    identifier = normalize_identifier(identifier)
    if not identifier:
        return None
    qs = User.objects.select_related("person")
    if len(identifier) == 11 and is_ascii_digits(identifier):
        return qs.filter(phone=identifier).first()
    if looks_like_id_number(identifier):
        return qs.filter(person__id_number=identifier).first()
    return qs.filter(username=identifier).first()


class HallBackend(ModelBackend):
    """Loads the signed-in user with his registry person: every page shows his (masked) name."""

    def get_user(self, user_id):
        user = User._default_manager.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class IdentifierPasswordBackend(HallBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = user_for_identifier(username)
        if user is None:
            # Hash anyway so an unknown account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class SmsCodeBackend(HallBackend):
    def authenticate(self, request, username=None, sms_code=None, **kwargs):
        if username is None or sms_code is None:
            return None
        phone = normalize_identifier(username)
        user = User.objects.filter(phone=phone).first() if len(phone) == 11 and is_ascii_digits(phone) else None
        check = sms_code_check(phone=phone, purpose=SmsPurpose.LOGIN, code=sms_code)
        if request is not None:
            request.sms_check = check
        if check.ok and user is not None and self.user_can_authenticate(user):
            return user
        return None


class FaceVerificationBackend(HallBackend):
    def authenticate(self, request, username=None, face_verification_id=None, **kwargs):
        if face_verification_id is None:
            return None
        verification = face_verification_consume(verification_id=face_verification_id)
        if verification and verification.user and self.user_can_authenticate(verification.user):
            return verification.user
        return None
