"""Policy rows and bindings built by hand for the issue 15 tests (住院, 代缴 without a binding, premium standards),
so they do not depend on the policy data files: a 全国 → province → city chain with only the values a test sets.
Tests use region codes no data file has (71…, 72…, 73…), named like the seeds' regions, so no real level
states a value the test leaves out (the national level, when the real data is loaded, states no value of 住院,
and the city versions here set every 代缴 value they rely on).

Bindings are written as rows in force (the binding workflow has its own tests); money moves only through the
ledger services, after an opening entry, so balance == sum(entries) from the start.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from accounts.models import InsuredPerson
from bindings.ledger import services as ledger
from bindings.models import Application, Binding, Status
from policies.cache import policies_changed
from policies.choices import ChannelKind, PairScope, RegionLevel
from policies.models import PolicyVersion, PremiumAmount, Region, RelationshipRule, Source
from tests.factories import UserFactory, person_in


def region(code: str, name: str, level: str, parent: Region | None = None) -> Region:
    found = Region.objects.filter(code=code).first()
    if found is not None:
        return found
    return Region.objects.create(code=code, name=name, short_name=name[:2], slug=f"r{code}", level=level, parent=parent)


def version(city_code: str, city_name: str, province_name: str, *, relationships=(), **fields) -> PolicyVersion:
    """The city's one version (made or updated) with `fields`; its province and 全国 exist with empty versions."""
    national = region("000000", "全国", RegionLevel.NATIONAL)
    province = region(city_code[:2] + "0000", province_name, RegionLevel.PROVINCE, national)
    city = region(city_code, city_name, RegionLevel.CITY, province)
    made, _created = PolicyVersion.objects.update_or_create(
        region=city, effective_from=None, defaults={"title": f"{city_name}测试版本", **fields}
    )
    for relationship in relationships:
        RelationshipRule.objects.get_or_create(version=made, relationship=relationship)
    policies_changed()
    return made


def guigang_version() -> PolicyVersion:
    """A made-up 贵港 (729900, 广西): 代缴 for 配偶、子女、父母 and 配偶父母; only the first three can be bound."""
    return version(
        "729900",
        "贵港市",
        "广西壮族自治区",
        premium_allowed=True,
        premium_scheme="resident",
        premium_scope=PairScope.SAME_PROVINCE,
        premium_relationships=["spouse", "child", "parent", "parent_in_law"],
        relationships=["spouse", "child", "parent"],
    )


def standard(version: PolicyVersion, year: int, amount: str, **fields) -> PremiumAmount:
    made = PremiumAmount.objects.create(version=version, year=year, amount_yuan=Decimal(amount), **fields)
    policies_changed()
    return made


def source(key: str = "test-source") -> Source:
    return Source.objects.get_or_create(key=key, defaults={"title": "测试来源"})[0]


def person(district: str, *, balance_yuan: int = 0, **kwargs) -> InsuredPerson:
    made = person_in(district, balance_fen=balance_yuan * 100, **kwargs)
    if made.has_personal_account and made.balance_fen:
        ledger.ledger_open_balance(person=made, on=datetime.date(2020, 1, 1))
    return made


def bound(authorizer: InsuredPerson, relative: InsuredPerson, relationship: str) -> Binding:
    application = Application.objects.create(
        case_number=f"T{authorizer.pk:05d}{relative.pk:05d}",
        authorizer=authorizer,
        created_by=UserFactory(),
        channel=ChannelKind.ONLINE_HALL,
        city_code=authorizer.city_code,
    )
    binding = Binding.objects.create(
        application=application, authorizer=authorizer, relative=relative, relationship=relationship
    )
    Binding.objects.filter(pk=binding.pk).update(status=Status.ACTIVE, needs_review=False)
    return Binding.objects.get(pk=binding.pk)
