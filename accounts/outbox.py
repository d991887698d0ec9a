"""The demo outbox's page (/accounts/sms-outbox/): who may read which simulated texts.

It exists only while the demo outbox is the SMS gateway and demo devices are allowed (accounts.devices).
- Staff need accounts.view_sms_outbox, see only texts to residents of their region (accounts.clerks.region_q),
  never a code, and every look is audited. A clerk who could read codes could sign in as any resident.
- Anyone else is holding the simulated phone: a visitor sees the texts to the numbers this browser asked codes
  for, and a signed-in resident those to his own number, codes included, as his phone would show them.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from .audit import audit, region_of
from .clerks import region_q
from .devices import sms_outbox_on
from .models import AuditAction, SmsMessage
from .sms_gateways import mask_codes, outbox_phones

OUTBOX_LIMIT = 50


def staff_outbox(user):
    """The texts a clerk may see: his region's, newest first."""
    return SmsMessage.objects.filter(region_q(user, "region_code"))


def phone_outbox(user, session):
    """The texts the simulated phone shows this browser."""
    phones = outbox_phones(session)
    if user.is_authenticated and user.phone:
        phones.append(user.phone)
    return SmsMessage.objects.filter(phone__in=phones)


def sms_outbox_page(request, *, ip: str | None):
    if not sms_outbox_on():
        raise Http404
    user = request.user
    if user.is_staff:
        if not user.has_perm("accounts.view_sms_outbox"):
            raise PermissionDenied
        messages = list(staff_outbox(user)[:OUTBOX_LIMIT])
        audit(
            actor=user,
            action=AuditAction.SMS_OUTBOX_VIEW,
            target="sms_outbox",
            detail=_("查看短信发件箱%(n)s条（验证码已遮盖）") % {"n": len(messages)},
            ip=ip,
            region_code=region_of(user),  # the region the clerk looked at: his own
        )
        rows = [(sms, mask_codes(sms.body)) for sms in messages]
    else:
        rows = [(sms, sms.body) for sms in phone_outbox(user, request.session)[:OUTBOX_LIMIT]]
    return render(request, "accounts/sms_outbox.html", {"rows": rows, "staff_view": user.is_staff})
