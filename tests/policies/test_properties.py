"""Property: whatever the region, date and relative, breaking any single rule is never 'eligible'."""

import datetime
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import InsuranceStatus, Scheme
from policies.choices import DatesMode, PairScope
from policies.eligibility import BindingFacts, ReasonCode, check_eligibility
from policies.selectors import resolved_policy
from tests.factories import DISTRICTS, InsuredPersonFactory

CITIES = sorted(DISTRICTS)
OTHER_PROVINCE_DISTRICT = {"36": "430405", "51": "360902", "45": "510402", "43": "450802"}
RULES = [
    "authorizer_missing",
    "relative_missing",
    "authorizer_resident",
    "authorizer_suspended",
    "authorizer_terminated",
    "relative_suspended",
    "relative_terminated",
    "self",
    "bound_to_other",
    "relationship",
    "pair_scope",
    "at_once",
    "total",
    "waiting",
    "dates",
]
EXPECTED = {
    "authorizer_missing": ReasonCode.AUTHORIZER_NOT_FOUND,
    "relative_missing": ReasonCode.RELATIVE_NOT_FOUND,
    "authorizer_resident": ReasonCode.AUTHORIZER_NOT_EMPLOYEE,
    "authorizer_suspended": ReasonCode.AUTHORIZER_SUSPENDED,
    "authorizer_terminated": ReasonCode.AUTHORIZER_TERMINATED,
    "relative_suspended": ReasonCode.RELATIVE_SUSPENDED,
    "relative_terminated": ReasonCode.RELATIVE_TERMINATED,
    "self": ReasonCode.SELF_BINDING,
    "bound_to_other": ReasonCode.ALREADY_BOUND_TO_OTHER,
    "relationship": ReasonCode.RELATIONSHIP_NOT_ALLOWED,
    "pair_scope": ReasonCode.PAIR_NOT_IN_SCOPE,
    "at_once": ReasonCode.AT_ONCE_LIMIT_REACHED,
    "total": ReasonCode.TOTAL_LIMIT_REACHED,
    "waiting": ReasonCode.WAITING_PERIOD,
}


def build(district, birth, **kwargs):
    """An unsaved registry person: the engine only reads it."""
    person = InsuredPersonFactory.build(district=district, birth=birth, **kwargs)
    person.birth_date = birth
    return person


def baseline(city, on, relationship_index, birth, facts_seed):
    """A binding that satisfies every rule of the city on that day."""
    policy = resolved_policy(DISTRICTS[city][:4] + "00", on)
    allowed = [rule.relationship for rule in policy.allowed_relationships()]
    relationship = allowed[relationship_index % len(allowed)]
    at_once, total = policy.at_once_limit.value, policy.total_limit.value
    active = facts_seed % at_once if at_once else facts_seed
    facts = BindingFacts(active_count=active, total_count=max(active, facts_seed % total if total else facts_seed))
    dates = {}
    if policy.effective_dates_mode == DatesMode.REQUIRED:
        dates = {"start": on, "end": on + datetime.timedelta(days=365)}
    authorizer = build(DISTRICTS[city], datetime.date(1970, 1, 1))
    authorizer.balance_fen = 100_00  # 衡阳: the balance must be above zero to bind
    relative = build(DISTRICTS[city], birth, resident=True)
    return policy, dict(
        authorizer=authorizer,
        relative=relative,
        relationship=relationship,
        on=on,
        facts=facts,
        relative_phone="13912345678",  # 湘潭, 攀枝花: the relative's phone is asked
        **dates,
    )


def applicable(policy, on):
    rules = list(RULES)
    if len(policy.allowed_relationships()) == len(policy.relationship_rules.value or []) == 8:
        rules.remove("relationship")
    if policy.effective_pair_scope == PairScope.ANYWHERE:
        rules.remove("pair_scope")
    if policy.at_once_limit.value is None:
        rules.remove("at_once")
    if policy.total_limit.value is None:
        rules.remove("total")
    if not policy.effective_rebind_wait_days:
        rules.remove("waiting")
    return rules


def not_allowed_relationship(policy, on):
    allowed = {rule.relationship for rule in policy.allowed_relationships(on)}
    return next(r for r in ["sibling", "grandparent", "maternal_grandchild", "parent_in_law"] if r not in allowed)


def break_rule(rule, policy, args, extra):
    args = dict(args)
    facts = args["facts"]
    on = args["on"]
    if rule == "authorizer_missing":
        args["authorizer"] = None
    elif rule == "relative_missing":
        args["relative"] = None
    elif rule == "authorizer_resident":
        args["authorizer"].scheme, args["authorizer"].category = Scheme.RESIDENT, ""
    elif rule == "authorizer_suspended":
        args["authorizer"].status = InsuranceStatus.SUSPENDED
    elif rule == "authorizer_terminated":
        args["authorizer"].status = InsuranceStatus.TERMINATED
    elif rule == "relative_suspended":
        args["relative"].status = InsuranceStatus.SUSPENDED
    elif rule == "relative_terminated":
        args["relative"].status = InsuranceStatus.TERMINATED
    elif rule == "self":
        args["relative"] = args["authorizer"]
    elif rule == "bound_to_other":
        args["facts"] = replace(facts, bound_to_other_authorizer=True)
    elif rule == "relationship":
        args["relationship"] = not_allowed_relationship(policy, on)
    elif rule == "pair_scope":
        authorizer = args["authorizer"]
        if policy.effective_pair_scope == PairScope.SAME_CITY:
            district = authorizer.city_code[:2] + "9901"  # another city of the same province
        else:
            district = OTHER_PROVINCE_DISTRICT[authorizer.province_code[:2]]
        args["relative"] = build(district, args["relative"].birth_date, resident=True)
    elif rule == "at_once":
        count = policy.at_once_limit.value + extra
        args["facts"] = replace(facts, active_count=count, total_count=max(count, facts.total_count))
        if policy.total_limit.value is not None and args["facts"].total_count >= policy.total_limit.value:
            args["facts"] = replace(args["facts"], relative_counted_before=True)
    elif rule == "total":
        args["facts"] = replace(facts, total_count=policy.total_limit.value + extra, relative_counted_before=False)
    elif rule == "waiting":
        days = policy.effective_rebind_wait_days
        args["facts"] = replace(facts, last_unbound_on=on - datetime.timedelta(days=extra % days))
    elif rule == "dates":
        if policy.effective_dates_mode == DatesMode.REQUIRED:
            args.pop("end")
        else:
            args["start"] = on
    return args


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    city=st.sampled_from(CITIES),
    on=st.dates(datetime.date(2023, 1, 1), datetime.date(2027, 12, 31)),
    relationship_index=st.integers(0, 7),
    birth=st.dates(datetime.date(1930, 1, 1), datetime.date(2022, 12, 31)),
    facts_seed=st.integers(0, 40),
    rule_seed=st.integers(0, 100),
    extra=st.integers(0, 30),
)
def test_breaking_any_single_rule_is_never_eligible(
    policies, city, on, relationship_index, birth, facts_seed, rule_seed, extra
):
    policy, args = baseline(city, on, relationship_index, birth, facts_seed)
    assert check_eligibility(**args).eligible, "the baseline itself must pass"
    rules = applicable(policy, on)
    rule = rules[rule_seed % len(rules)]
    verdict = check_eligibility(**break_rule(rule, policy, args, extra))
    assert not verdict.eligible, rule
    assert verdict.reasons and verdict.proof == []
    if rule == "dates":
        assert set(verdict.codes) & {ReasonCode.DATES_NOT_ALLOWED, ReasonCode.DATES_REQUIRED}
    else:
        assert EXPECTED[rule] in verdict.codes, (rule, verdict.codes)
