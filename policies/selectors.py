"""Reads of policy data: the inherited, effective-dated view of a city's rules, and region look-ups.

resolved_policies() answers for any number of cities with a fixed number of queries (regions, versions,
and one per kind of rule row), so the compare page costs the same for two cities as for five.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Generic, TypeVar

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from accounts.models import Category, Scheme

from . import cache as policy_cache
from .choices import ChannelKind, DatesMode, PairScope, RegionLevel, ReviewMode
from .models import Channel, PolicyRevision, PolicyVersion, PoolingRule, PremiumAmount, Region, Source
from .relationships import Relationship
from .rule_fields import FIRST_STATED, rows_prefetch

NATIONAL_CODE = "000000"
T = TypeVar("T")


@dataclass(frozen=True)
class Stated(Generic[T]):
    """A resolved value and the level that states it. region None: no level does (未在来源中说明)."""

    value: T | None
    region: Region | None = None
    version: PolicyVersion | None = None

    @property
    def is_stated(self) -> bool:
        return self.region is not None

    @property
    def authority(self) -> str:
        return self.region.authority if self.region else ""


@dataclass(frozen=True)
class LevelParams:
    fund_share_percent: int | None
    deductible_yuan: Decimal | None
    per_day_cap_yuan: Decimal | None


@dataclass(frozen=True)
class PoolingParams:
    """普通门诊统筹 parameters for one scheme and member category, ready for a settlement calculator."""

    scheme: str
    category: str
    deductible_yuan: Decimal | None
    deductible_yearly_max_yuan: Decimal | None
    yearly_cap_yuan: Decimal | None
    levels: dict[str, LevelParams]
    rule: PoolingRule
    region: Region
    retiree_adjusted: bool = False

    def fund_share_percent(self, level: str) -> int | None:
        params = self.levels.get(level)
        return params.fund_share_percent if params else None


def _region_codes(city_code: str) -> list[str]:
    """The city, its province and the national default, most specific first."""
    codes = [city_code]
    if len(city_code) == 6 and city_code != NATIONAL_CODE:
        province = city_code[:2] + "0000"
        if province != city_code:
            codes.append(province)
        codes.append(NATIONAL_CODE)
    return codes


@dataclass
class ResolvedPolicy:
    """What applies in one city on one day, each value with the level that states it.

    Every field that rule_fields.VERSION_FIELDS inherits from the first level stating it (at_once_limit,
    dates_mode, relationship_rules ...) is an attribute of the same name holding a Stated value; notes,
    sources and channels, which add up across the levels, are the properties below.
    """

    city_code: str
    on: datetime.date
    chain: list[Region]  # known regions, most specific first
    versions: list[PolicyVersion]  # the version in effect at each level that has one, most specific first

    def __post_init__(self):
        for rule in FIRST_STATED:
            setattr(self, rule.name, self._first(rule.stated_by))

    def _first(self, stated_by) -> Stated:
        for version in self.versions:
            value = stated_by(version)
            if value is not None:
                return Stated(value, version.region, version)
        return Stated(None)

    # -- where and when -------------------------------------------------------------------
    @property
    def region(self) -> Region | None:
        return self.chain[0] if self.chain else None

    @cached_property  # a resolved policy is kept per process and never changes (a write replaces it)
    def sources(self) -> list[Source]:
        seen, result = set(), []
        for version in self.versions:
            for source in version.sources.all():
                if source.key not in seen:
                    seen.add(source.key)
                    result.append(source)
        return result

    @cached_property
    def notes(self) -> list[tuple[Region, str]]:
        return [(version.region, line) for version in self.versions for line in version.note_lines]

    # -- rules the engine and the pages use ------------------------------------------------
    def relationship_rule(self, relationship: str):
        for rule in self.relationship_rules.value or []:
            if rule.relationship == relationship:
                return rule
        return None

    def allowed_relationships(self, on: datetime.date | None = None) -> list:
        day = on or self.on
        return [rule for rule in self.relationship_rules.value or [] if rule.allows_on(day)]

    def proof_for(self, relationship: str, age: int, channel: str | None = None) -> list:
        """The proof rows for a relative of this relationship and age; on `channel` only (None: on any)."""
        return [rule for rule in self.proof_rules_on(channel) if rule.applies_to(relationship, age)]

    def proof_rules_on(self, channel: str | None) -> list:
        """The proof rows that apply on a channel (ProofRule.channels empty: on every channel)."""
        return [
            rule
            for rule in self.proof_rules.value or []
            if channel is None or not rule.channels or channel in rule.channels
        ]

    @cached_property
    def channels(self) -> list[Channel]:
        """Every level's channels, grouped by kind, most specific level first. A channel hides only one of the
        same kind and name from a level above (a city restating the province's app); a city's own WeChat account
        shows beside the province's, so nothing a source names is hidden."""
        chosen: dict[str, list[Channel]] = {}
        for version in self.versions:
            for channel in version.channels.all():
                same_kind = chosen.setdefault(channel.kind, [])
                restated = any(
                    other.name == channel.name and other.version_id != channel.version_id for other in same_kind
                )
                if not restated:
                    same_kind.append(channel)
        return [channel for kind in ChannelKind.values for channel in chosen.get(kind, [])]

    @property
    def effective_pair_scope(self) -> str:
        """Not stated anywhere: the hall does not restrict where the relative is insured."""
        return self.pair_scope.value or PairScope.ANYWHERE

    @property
    def effective_dates_mode(self) -> str:
        """Not stated anywhere: a binding runs until it is dissolved, without dates."""
        return self.dates_mode.value or DatesMode.NOT_ALLOWED

    @property
    def effective_review_working_days(self) -> int:
        """The processing time clerks are held to; the hall's own default where no source states one."""
        return self.review_working_days.value or settings.REVIEW_WORKING_DAYS

    @property
    def effective_rebind_wait_days(self) -> int:
        return self.rebind_wait_days.value or 0

    @property
    def needs_review(self) -> bool:
        """Not stated anywhere: a clerk looks at the application (the cautious choice)."""
        return self.review_mode.value != ReviewMode.IMMEDIATE

    def premium_for(self, year: int) -> PremiumAmount | None:
        for amount in self.premium_amounts.value or []:
            if amount.year == year:
                return amount
        return None

    def pooling_for(self, scheme: str, category: str = "") -> PoolingParams | None:
        """The outpatient pooling parameters for a member: his category's own rule if stated, otherwise the
        scheme-wide rule (with the retiree adjustment for retirees). Flexibly employed members are treated
        as employed where only the employed are stated."""
        if not self.pooling_rules.is_stated:
            return None
        rules = {(rule.scheme, rule.category): rule for rule in self.pooling_rules.value}
        region = self.pooling_rules.region
        rule = rules.get((scheme, category))
        if rule is None and category == Category.FLEXIBLE:
            rule = rules.get((scheme, Category.EMPLOYED))
        if rule is not None:
            return _params(rule, region, scheme, category)
        rule = rules.get((scheme, ""))
        if rule is None:
            return None
        params = _params(rule, region, scheme, category)
        if category != Category.RETIRED or scheme != Scheme.EMPLOYEE:
            return params
        bonus = rule.retiree_share_bonus_points or 0
        levels = {}
        for name, level in params.levels.items():
            share = level.fund_share_percent
            if bonus and share is not None:
                share = min(100, share + bonus)
            levels[name] = LevelParams(share, level.deductible_yuan, level.per_day_cap_yuan)
        return PoolingParams(
            scheme=scheme,
            category=category,
            deductible_yuan=params.deductible_yuan,
            deductible_yearly_max_yuan=params.deductible_yearly_max_yuan,
            yearly_cap_yuan=rule.retiree_yearly_cap_yuan
            if rule.retiree_yearly_cap_yuan is not None
            else params.yearly_cap_yuan,
            levels=levels,
            rule=rule,
            region=region,
            retiree_adjusted=bool(bonus or rule.retiree_yearly_cap_yuan is not None),
        )


def _params(rule: PoolingRule, region: Region, scheme: str, category: str) -> PoolingParams:
    return PoolingParams(
        scheme=scheme,
        category=category,
        deductible_yuan=rule.deductible_yuan,
        deductible_yearly_max_yuan=rule.deductible_yearly_max_yuan,
        yearly_cap_yuan=rule.yearly_cap_yuan,
        levels={
            level.level: LevelParams(level.fund_share_percent, level.deductible_yuan, level.per_day_cap_yuan)
            for level in rule.levels.all()
        },
        rule=rule,
        region=region,
    )


def _versions_on(codes, on: datetime.date):
    in_effect = (Q(effective_from__isnull=True) | Q(effective_from__lte=on)) & (
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )
    return (
        PolicyVersion.objects.filter(in_effect, region__code__in=codes)
        .select_related("region")
        .prefetch_related("sources", *rows_prefetch())
    )


def resolved_policies(city_codes, on: datetime.date) -> dict[str, ResolvedPolicy]:
    """resolved_policy for several cities at once: from the per-process memo, else in a fixed number of queries."""
    token = policy_cache.generation()
    result, missing = {}, []
    for code in city_codes:
        hit = policy_cache.memo_get(token, (code, on))
        if hit is None:
            missing.append(code)
        else:
            result[code] = hit
    if missing:
        for code, policy in _resolve(missing, on).items():
            policy_cache.memo_put(token, (code, on), policy)
            result[code] = policy
    return result


def _resolve(city_codes, on: datetime.date) -> dict[str, ResolvedPolicy]:
    chains = {code: _region_codes(code) for code in city_codes}
    all_codes = {code for chain in chains.values() for code in chain}
    regions = {region.code: region for region in Region.objects.filter(code__in=all_codes)}
    versions = {version.region.code: version for version in _versions_on(all_codes, on)}
    result = {}
    for code, chain in chains.items():
        result[code] = ResolvedPolicy(
            city_code=code,
            on=on,
            chain=[regions[c] for c in chain if c in regions],
            versions=[versions[c] for c in chain if c in versions],
        )
    return result


def resolved_policy(city_code: str, on: datetime.date) -> ResolvedPolicy:
    """The policy that applies in a city (an unknown city falls back to its province, then the national
    default) on a given day."""
    return resolved_policies([city_code], on)[city_code]


def region_by_slug(slug: str) -> Region:
    try:
        return Region.objects.select_related("parent").get(slug=slug)
    except Region.DoesNotExist:
        raise Http404(slug) from None


def regions_by_slugs(slugs) -> tuple[list[Region], list[str]]:
    """The regions named, in the order given, and the slugs that name none."""
    found = {region.slug: region for region in Region.objects.filter(slug__in=slugs)}
    return [found[s] for s in slugs if s in found], [s for s in slugs if s not in found]


@dataclass
class ProvinceGroup:
    province: Region
    cities: list[Region]


def regions_grouped(query: str = "") -> tuple[Region | None, list[ProvinceGroup]]:
    """The national default and each province with its cities; a query keeps the matching ones
    (a matching province keeps all its cities)."""
    regions = list(Region.objects.order_by("code"))
    national = next((r for r in regions if r.level == RegionLevel.NATIONAL), None)
    groups = {r.pk: ProvinceGroup(r, []) for r in regions if r.level == RegionLevel.PROVINCE}
    for region in regions:
        if region.level == RegionLevel.CITY and region.parent_id in groups:
            region.parent = groups[region.parent_id].province  # saves a query per city in templates
            groups[region.parent_id].cities.append(region)
    result = list(groups.values())
    query = query.strip()
    if query:

        def matches(region):
            return any(
                query.lower() in text.lower() for text in (region.name, region.short_name, region.slug, region.code)
            )

        filtered = []
        for group in result:
            if matches(group.province):
                filtered.append(group)
            elif cities := [c for c in group.cities if matches(c)]:
                filtered.append(ProvinceGroup(group.province, cities))
        result = filtered
    return national, result


def version_history(region: Region) -> list[PolicyVersion]:
    """Every version of the region and of the levels it inherits from, newest first per level."""
    codes = _region_codes(region.code)
    versions = list(
        PolicyVersion.objects.filter(region__code__in=codes).select_related("region").prefetch_related("sources")
    )
    rank = {code: i for i, code in enumerate(codes)}
    return sorted(
        versions,
        key=lambda v: (rank[v.region.code], -(v.effective_from or datetime.date.min).toordinal()),
    )


def recent_revisions(region: Region, limit: int = 10) -> list[PolicyRevision]:
    return list(
        PolicyRevision.objects.filter(region__code__in=_region_codes(region.code)).select_related("region")[:limit]
    )


def relationship_label(value: str) -> str:
    try:
        return str(Relationship(value).label)
    except ValueError:
        return value
