"""The insured-person registry (our stand-in for the 医保信息平台), resident accounts, sign-in records and the audit
trail, one module each; everything is importable from accounts.models."""

from .audit import AuditAction, AuditEntry, AuditEntryQuerySet
from .delegation import (
    ActingKind,
    DelegationStatus,
    FamilyLink,
    FamilyLinkSource,
    GrantChannel,
    GuardianBasis,
    Guardianship,
    ProxyGrant,
    ProxyScope,
    VerifiedVia,
)
from .registry import Category, InsuranceStatus, InsuredPerson, Scheme, Sex
from .signin import FaceChallenge, FaceVerification, LivenessPrompt, RateBucket, SmsCode, SmsMessage, SmsPurpose
from .users import ActingUser, User

__all__ = [
    "ActingKind",
    "ActingUser",
    "AuditAction",
    "AuditEntry",
    "AuditEntryQuerySet",
    "Category",
    "DelegationStatus",
    "FamilyLink",
    "FamilyLinkSource",
    "GrantChannel",
    "GuardianBasis",
    "Guardianship",
    "ProxyGrant",
    "ProxyScope",
    "VerifiedVia",
    "FaceChallenge",
    "FaceVerification",
    "InsuranceStatus",
    "InsuredPerson",
    "LivenessPrompt",
    "RateBucket",
    "Scheme",
    "Sex",
    "SmsCode",
    "SmsMessage",
    "SmsPurpose",
    "User",
]
