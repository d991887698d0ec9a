"""Civil capacity from the registry (民法典 第17–20条): the one place ages are turned into what a person may do.

Under 8 a person has no capacity (无民事行为能力), 8 to 17 limited capacity (限制民事行为能力), 18 and over full
capacity; a 16- or 17-year-old whose main source of living is his own labour income counts as having full
capacity (第18条第2款), which the registry carries as `InsuredPerson.self_supporting`. PIPL treats the personal
information of a child under 14 as sensitive (第28条, 第31条): such a child has no account of his own, and a guardian
acts for him.
"""

import datetime
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

FULL_AGE = 18
SELF_SUPPORTING_AGE = 16
LIMITED_AGE = 8
OWN_ACCOUNT_AGE = 14


class Capacity(StrEnum):
    NONE = "none"
    LIMITED = "limited"
    FULL = "full"

    @property
    def label(self) -> str:
        return str(CAPACITY_LABELS[self])


CAPACITY_LABELS = {
    Capacity.NONE: _("无民事行为能力"),
    Capacity.LIMITED: _("限制民事行为能力"),
    Capacity.FULL: _("完全民事行为能力"),
}


def capacity_on(person, day: datetime.date) -> Capacity:
    age = person.age_on(day)
    if age >= FULL_AGE or (age >= SELF_SUPPORTING_AGE and person.self_supporting):
        return Capacity.FULL
    if age >= LIMITED_AGE:
        return Capacity.LIMITED
    return Capacity.NONE


def has_full_capacity(person, day: datetime.date) -> bool:
    return capacity_on(person, day) is Capacity.FULL


def may_hold_own_account(person, day: datetime.date) -> bool:
    """14 and over: a child under 14 is represented by his guardian and has no account of his own."""
    return person.age_on(day) >= OWN_ACCOUNT_AGE


def needs_guardian(person, day: datetime.date) -> bool:
    """Anyone without full capacity: a guardian consents to his account and confirms what changes."""
    return not has_full_capacity(person, day)


class AccountBlock(StrEnum):
    """Why a resident's own account cannot be used today (accounts.views refuses the sign-in and says why)."""

    UNDER_OWN_ACCOUNT_AGE = "under_own_account_age"  # under 14: the guardian acts for him (an account made earlier)
    AWAITING_GUARDIAN = "awaiting_guardian"  # 14 to 17 without full capacity, and no guardian has consented yet


def account_block(user, day: datetime.date) -> AccountBlock | None:
    """None when the account may be signed in to on `day`: staff, adults, 16- and 17-year-olds with full capacity,
    and 14- to 17-year-olds whose guardian consented. Full capacity ends the need for consent: an account still
    waiting when its owner turns 18 opens by itself."""
    person = getattr(user, "person", None)
    if person is None:
        return None
    if not may_hold_own_account(person, day):
        return AccountBlock.UNDER_OWN_ACCOUNT_AGE
    if needs_guardian(person, day) and user.guardian_consent_at is None:
        return AccountBlock.AWAITING_GUARDIAN
    return None
