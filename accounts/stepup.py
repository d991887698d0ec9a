"""A fresh identity check (step-up) before a grave change made online: granting a proxy, authorising relatives
to spend one's balance (submitting a binding application), paying a premium from it.

Being signed in is not enough for these: the session may be hours old, or another family member may be holding
the phone. So the resident proves himself again, by an SMS code to his own confirmed phone or a face check, on
the one page /accounts/verify/?next=..., and the proof is kept in his (server-side) session with the time it was
made. It is good for settings.STEP_UP_MAX_AGE, for this account only, and for one action: taking it removes it.
While a resident acts for someone else (accounts.acting), the check is his own: the signed-in account's phone or
face, never the person's he acts for.

`step_up_guard` is the one guard every such action calls first; the proxy grant's service checks the proof
again (bindings.delegation.proxies.proxy_grant_online).
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .acting import agent_of

SESSION_KEY = "step_up"


class StepUpMethod(models.TextChoices):
    SMS = "sms", gettext_lazy("短信验证码")
    FACE = "face", gettext_lazy("人脸识别")


@dataclass(frozen=True)
class StepUp:
    """Proof that the account holder passed a fresh identity check at `at`."""

    user_id: int
    method: str
    at: datetime.datetime

    def is_fresh_for(self, user, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.user_id == agent_of(user).pk and self.at <= now <= self.at + settings.STEP_UP_MAX_AGE

    @property
    def method_label(self) -> str:
        return str(StepUpMethod(self.method).label)


def step_up_record(session, *, user, method: str) -> StepUp:
    """Remember a passed check in the session (replacing an older one)."""
    proof = StepUp(user_id=agent_of(user).pk, method=StepUpMethod(method).value, at=timezone.now())
    session[SESSION_KEY] = {"user": proof.user_id, "method": proof.method, "at": proof.at.isoformat()}
    return proof


def _read(session) -> StepUp | None:
    raw = session.get(SESSION_KEY)
    try:
        return StepUp(user_id=int(raw["user"]), method=raw["method"], at=datetime.datetime.fromisoformat(raw["at"]))
    except (TypeError, KeyError, ValueError):
        return None


def step_up_peek(session, *, user) -> StepUp | None:
    """The proof, if there is a fresh one for this user (to tell him he may go on); it stays in the session."""
    proof = _read(session)
    return proof if proof is not None and proof.is_fresh_for(user) else None


def step_up_take(session) -> StepUp | None:
    """Take the proof out of the session, fresh or not: whatever the action does with it, it is used once."""
    proof = _read(session)
    session.pop(SESSION_KEY, None)
    return proof


def step_up_expires_in(proof: StepUp) -> int:
    """Whole minutes left (at least 1 while fresh), for the page."""
    left = proof.at + settings.STEP_UP_MAX_AGE - timezone.now()
    return max(1, int(left.total_seconds() // 60))


def max_minutes() -> int:
    return int(settings.STEP_UP_MAX_AGE.total_seconds() // 60)


def safe_next(request, candidate: str | None, default: str = "/") -> str:
    """`next` only when it stays on this site (no open redirect through the check page)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def verify_url(next_url: str) -> str:
    return f"{reverse('accounts:verify')}?{urlencode({'next': next_url})}"


def step_up_guard(request, *, next_url: str, why: str = ""):
    """The guard before a grave change: None when a fresh check of the signed-in account is in the session (it is
    taken, so it serves this one action), else the redirect to the check page, which comes back to `next_url`."""
    proof = step_up_take(request.session)
    if proof is not None and proof.is_fresh_for(request.user):
        return None
    messages.info(
        request,
        why
        or _("为保护您的个人账户，这一步需要先核验本人身份（短信验证码或人脸识别），核验后%(m)s分钟内有效。")
        % {"m": max_minutes()},
    )
    return redirect(verify_url(next_url))
