"""Sign-in accounts: residents tied to one registry person, and clerks."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..masking import mask_name
from .registry import InsuredPerson


class User(AbstractUser):
    """A sign-in account. Residents are tied to one registry person; clerks need not be."""

    person = models.OneToOneField(
        InsuredPerson,
        verbose_name=_("参保人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
    )
    phone = models.CharField(_("已验证手机号"), max_length=11, blank=True)
    elder_mode = models.BooleanField(_("关怀模式"), default=False)
    face_consent_at = models.DateTimeField(_("同意人脸识别时间"), null=True, blank=True)
    # A 14- to 17-year-old's own account opens only when a guardian confirms it from his own account.
    guardian_consent_at = models.DateTimeField(_("监护人同意时间"), null=True, blank=True)
    guardian_consent_by = models.ForeignKey(
        "self", verbose_name=_("同意的监护人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region_code = models.CharField(
        _("经办区域代码"), max_length=6, blank=True, help_text=_("经办人员所属统筹区（市）或省份的行政区划代码。")
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="user_unique_confirmed_phone"),
        ]

    @property
    def display_name(self) -> str:
        """What the header shows: the masked real name for residents."""
        if self.person_id:
            return mask_name(self.person.name)
        return self.get_full_name() or self.username

    @property
    def own_display_name(self) -> str:
        """What the header shows to the account holder himself: his own name in full (or, while he acts for a
        ward or principal, that person's, whom he knows). Masking is for names shown to other people."""
        if self.person_id:
            return self.person.name
        return self.get_full_name() or self.username


class ActingUser(User):
    """The signed-in user while he acts for someone else (a ward or a principal): `person` is the person acted
    for, everything else (pk, name, staff flags) is the signed-in user's, so what he does is recorded against him.

    Made only by accounts.acting.acting_user(); it is never saved: saving would move the account to the other person.
    """

    class Meta:
        proxy = True
        verbose_name = _("代为办理的用户")
        verbose_name_plural = _("代为办理的用户")

    def save(self, *args, **kwargs):
        raise PermissionError("an acting user is a view of another account and is never saved")

    def delete(self, *args, **kwargs):
        raise PermissionError("an acting user is a view of another account and is never deleted")
