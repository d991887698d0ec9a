"""Regions, their effective-dated policy versions and the rule rows below a version.

A version holds only what its level states. Anything left empty (NULL, blank, or a collection
with no rows) is "not stated here": the city falls back to its province, the province to the
national default, and what nobody states is shown as 未在来源中说明. See selectors.resolved_policy
and docs/decisions/0001-policies-as-data.md.
"""

from .regions import Region, Source
from .rows import Channel, PoolingLevel, PoolingRule, PremiumAmount, ProofRule, RelationshipRule
from .versions import PolicyRevision, PolicyVersion

__all__ = [
    "Channel",
    "PolicyRevision",
    "PolicyVersion",
    "PoolingLevel",
    "PoolingRule",
    "PremiumAmount",
    "ProofRule",
    "Region",
    "RelationshipRule",
    "Source",
]
