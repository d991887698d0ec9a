"""The texts a resident agrees to at registration, each a page of its own (/accounts/agreements/<slug>/).

The registration form names them; its page links here, and each page links the other.
"""

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Agreement:
    slug: str
    title: str
    updated: datetime.date

    @property
    def url(self) -> str:
        return reverse("accounts:agreement", args=[self.slug])

    @property
    def template(self) -> str:
        return f"accounts/agreements/{self.slug}.html"


AGREEMENTS = (
    Agreement("terms", _("用户服务协议"), datetime.date(2026, 12, 1)),
    Agreement("privacy", _("个人信息保护政策"), datetime.date(2026, 12, 1)),
)


def agreement_by_slug(slug: str) -> Agreement:
    for agreement in AGREEMENTS:
        if agreement.slug == slug:
            return agreement
    raise Http404(slug)
