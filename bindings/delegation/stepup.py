"""A fresh identity check (step-up) before a grave change made online: granting a proxy.

Being signed in is not enough to hand someone else access to one's account: the session may be hours old, or
another family member may be holding the phone. So the resident proves himself again, by an SMS code to his own
confirmed phone or a face check, and the proof is kept in his (server-side) session with the time it was made.
It is good for settings.STEP_UP_MAX_AGE, for this account only, and for one grant: taking it removes it.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "step_up"


class StepUpMethod(models.TextChoices):
    SMS = "sms", _("短信验证码")
    FACE = "face", _("人脸识别")


@dataclass(frozen=True)
class StepUp:
    """Proof that the account holder passed a fresh identity check at `at`."""

    user_id: int
    method: str
    at: datetime.datetime

    def is_fresh_for(self, user, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.user_id == user.pk and self.at <= now <= self.at + settings.STEP_UP_MAX_AGE

    @property
    def method_label(self) -> str:
        return str(StepUpMethod(self.method).label)


def step_up_record(session, *, user, method: str) -> StepUp:
    """Remember a passed check in the session (replacing an older one)."""
    proof = StepUp(user_id=user.pk, method=StepUpMethod(method).value, at=timezone.now())
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
