"""One home per rule: the transition table, what a viewer may do, maker-checker, the quota line, the codes."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from bindings import services
from bindings.codes import BindingCode
from bindings.makerchecker import FIRST_APPROVAL, pending_first_approval, with_pending_first_approval
from bindings.models import Binding, Notice, RejectReason, Status
from bindings.notices import NoticeEvent, notify_parties
from bindings.selectors import binding_facts, binding_quota
from bindings.transitions import CLERK_DECISIONS, PARTY_ACTIONS, TRANSITIONS, Action, binding_actions
from policies.eligibility import BindingFacts, ReasonCode, check_eligibility
from policies.relationships import Relationship
from tests.factories import StaffFactory

QUEUE = "/admin/bindings/binding/"
S = Status


def reviewer(region: str):
    """A clerk of the 审核员 group: he may decide cases of his region."""
    user = StaffFactory(region_code=region)
    user.groups.add(Group.objects.get(name="审核员"))
    return user


# --- the transition table ------------------------------------------------------------------------------

# The state machine as the design card draws it, written out by hand so that an edit of the table shows here.
DESIGN = {
    Action.SUBMIT: ({S.DRAFT}, S.SUBMITTED),
    Action.APPROVE: ({S.SUBMITTED}, S.ACTIVE),
    Action.REJECT: ({S.SUBMITTED}, S.REJECTED),
    Action.REQUEST_MORE: ({S.SUBMITTED}, S.RETURNED),
    Action.RESUBMIT: ({S.RETURNED}, S.SUBMITTED),
    Action.WITHDRAW: ({S.SUBMITTED, S.RETURNED}, S.WITHDRAWN),
    Action.DISSOLVE: ({S.ACTIVE}, S.DISSOLVED),
    Action.TERMINATE: ({S.SUBMITTED, S.RETURNED}, S.TERMINATED),
    Action.EDIT_PROOF: ({S.DRAFT, S.RETURNED}, None),
    Action.REMOVE_DRAFT: ({S.DRAFT}, None),
}


def test_the_table_is_the_state_machine_of_the_design_card():
    assert {action: (set(rule.sources), rule.target) for action, rule in TRANSITIONS.items()} == DESIGN
    assert set(TRANSITIONS) == set(Action.values)
    ends = {S.REJECTED, S.WITHDRAWN, S.DISSOLVED, S.TERMINATED}
    assert not any(ends & rule.sources for rule in TRANSITIONS.values()), "an ended case never moves again"


def test_a_service_called_with_a_role_the_table_does_not_name_is_a_programming_error(hall):
    binding = hall.in_state(S.SUBMITTED)
    with pytest.raises(ValueError), transaction.atomic():
        services.core.transition(binding, action=Action.REJECT, actor=None, role="system", channel="online_hall")
    assert Binding.objects.get(pk=binding.pk).status == S.SUBMITTED


# --- binding_actions agrees with the services -----------------------------------------------------------


class _Undo(Exception):
    pass


def _service_accepts(call) -> bool:
    """Run one service call and roll it back: did it go through?"""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return True
    except services.BindingError:
        return False


def _party_call(binding, user, action):
    return {
        Action.WITHDRAW: lambda: services.binding_withdraw(binding=binding, actor=user),
        Action.RESUBMIT: lambda: services.binding_resubmit(binding=binding, actor=user),
        Action.DISSOLVE: lambda: services.binding_dissolve_by_party(binding=binding, user=user),
    }[action]


def _clerk_call(binding, clerk, action):
    return {
        Action.APPROVE: lambda: services.binding_approve(binding=binding, clerk=clerk),
        Action.REJECT: lambda: services.binding_reject(
            binding=binding,
            clerk=clerk,
            reason_code=RejectReason.UNCLEAR_PROOF,
            reason_text="证明材料照片模糊，请重新上传清晰照片",
        ),
        Action.REQUEST_MORE: lambda: services.binding_request_more(
            binding=binding, clerk=clerk, missing_note="请补充户口簿"
        ),
    }[action]


@pytest.mark.parametrize("state", Status.values)
def test_binding_actions_offers_exactly_what_the_services_honour(hall, state):
    binding = hall.in_state(state)
    viewers = {
        "authorizer": hall.account(binding.authorizer),
        "relative": hall.account(binding.relative),
        "stranger": hall.account(hall.person("panzhihua")),
        "reviewer": reviewer(binding.application.city_code),
    }
    for name, user in viewers.items():
        offered = binding_actions(Binding.objects.get(pk=binding.pk), user)
        for action in PARTY_ACTIONS:
            honoured = _service_accepts(_party_call(Binding.objects.get(pk=binding.pk), user, action))
            assert (action in offered) == honoured, (state, name, action)
    clerk = viewers["reviewer"]
    offered = binding_actions(Binding.objects.get(pk=binding.pk), clerk)
    for action in CLERK_DECISIONS:
        honoured = _service_accepts(_clerk_call(Binding.objects.get(pk=binding.pk), clerk, action))
        assert (action in offered) == honoured, (state, action)


def test_what_each_viewer_may_do(hall):
    submitted = hall.in_state(S.SUBMITTED)
    authorizer, relative = hall.account(submitted.authorizer), hall.account(submitted.relative)
    assert binding_actions(submitted, authorizer) == {Action.WITHDRAW}
    assert binding_actions(submitted, relative) == set()  # he may not withdraw what he did not file
    assert binding_actions(submitted, reviewer("510400")) == set(CLERK_DECISIONS)
    assert binding_actions(submitted, reviewer("450800")) == set(), "another region's clerk decides nothing"
    assert binding_actions(submitted, StaffFactory(region_code="510400")) == set(), "no deciding permission"
    returned = hall.in_state(S.RETURNED)
    assert binding_actions(returned, hall.account(returned.authorizer)) == {
        Action.WITHDRAW,
        Action.RESUBMIT,
        Action.EDIT_PROOF,
    }
    active = hall.in_state(S.ACTIVE)
    assert binding_actions(active, hall.account(active.relative)) == {Action.DISSOLVE}


def test_an_expired_binding_offers_nothing_before_the_daily_run(hall):
    authorizer, relative = hall.person("xiangtan"), hall.relative("xiangtan")
    today = timezone.localdate()
    binding = hall.bind(authorizer, relative, start_date=today, end_date=today + datetime.timedelta(days=3))
    assert binding_actions(binding, hall.account(authorizer)) == {Action.DISSOLVE}
    later = today + datetime.timedelta(days=4)
    assert binding_actions(binding, hall.account(authorizer), on=later) == set()


def test_the_resident_page_shows_the_buttons_binding_actions_gives(client, hall):
    binding = hall.in_state(S.RETURNED)
    client.force_login(hall.account(binding.relative))
    page = client.get(f"/bindings/{binding.pk}/").content.decode()
    assert "撤回申请" not in page and "重新提交" not in page
    assert client.post(f"/bindings/{binding.pk}/withdraw/").status_code == 404
    client.force_login(hall.account(binding.authorizer))
    page = client.get(f"/bindings/{binding.pk}/").content.decode()
    assert "撤回申请" in page and "补充完成，重新提交" in page and "解除共济关系" not in page


def test_only_the_authorizer_may_withdraw_or_resubmit_through_the_service(hall):
    binding = hall.in_state(S.RETURNED)
    for call in (services.binding_withdraw, services.binding_resubmit):
        with pytest.raises(services.BindingError) as refused:
            call(binding=binding, actor=hall.account(binding.relative))
        assert refused.value.code == BindingCode.NOT_A_PARTY
    assert Binding.objects.get(pk=binding.pk).status == S.RETURNED


# --- maker-checker ------------------------------------------------------------------------------------


def sensitive_case(hall) -> Binding:
    """An adult sibling in 贵港 vouched for by a pledge alone: two clerks, although 广西 needs no review."""
    authorizer, sibling = hall.person("guigang"), hall.relative("guigang", birth=datetime.date(1990, 1, 1))
    application = hall.draft(authorizer, sibling, relationship=Relationship.SIBLING, prove=False)
    services.binding_set_pledge(binding=application.bindings.get(), pledge=True)
    (binding,) = hall.submit(application)
    binding = Binding.objects.get(pk=binding.pk)
    assert binding.status == S.SUBMITTED
    return binding


def test_regression_a_first_approval_before_a_return_is_void_on_the_admin_case_page(client, hall):
    """Bug: after a return and resubmission the case page still said 已由X初审通过，待复核 (it read any first
    approval ever), while the service counted approvals since the last submit."""
    binding = sensitive_case(hall)
    maker, returner, checker = reviewer("450800"), reviewer("450800"), reviewer("450800")
    services.binding_approve(binding=binding, clerk=maker)
    assert pending_first_approval(binding).actor == maker
    services.binding_request_more(binding=binding, clerk=returner, missing_note="请补充同户证明")
    services.binding_resubmit(binding=binding, actor=hall.account(binding.authorizer))

    client.force_login(checker)
    page = client.get(f"{QUEUE}{binding.pk}/change/").content.decode()
    assert "初审通过，待复核" not in page
    assert "已初审，待复核" not in client.get(QUEUE).content.decode()
    assert pending_first_approval(binding) is None

    # The checker's approval is a first approval again, as the page now says.
    services.binding_approve(binding=binding, clerk=checker)
    assert Binding.objects.get(pk=binding.pk).status == S.SUBMITTED
    client.force_login(returner)
    page = client.get(f"{QUEUE}{binding.pk}/change/").content.decode()
    assert f"已由{checker.get_full_name() or checker.username}于" in page and "须另一名经办人员复核后生效" in page
    assert "复核通过" in page


def test_the_queue_marks_cases_waiting_for_a_second_clerk(client, hall):
    waiting, fresh = sensitive_case(hall), sensitive_case(hall)
    maker = reviewer("450800")
    services.binding_approve(binding=waiting, clerk=maker)
    marks = {b.pk: b.awaiting_second_approval for b in with_pending_first_approval(Binding.objects.all())}
    assert marks == {waiting.pk: True, fresh.pk: False}
    client.force_login(reviewer("450800"))
    page = client.get(QUEUE).content.decode()
    assert page.count("已初审，待复核") == 1


def test_the_first_approver_is_not_offered_the_second_approval(client, hall):
    binding = sensitive_case(hall)
    maker, checker = reviewer("450800"), reviewer("450800")
    services.binding_approve(binding=binding, clerk=maker)
    assert Action.APPROVE not in binding_actions(binding, maker)
    assert Action.APPROVE in binding_actions(binding, checker)
    client.force_login(maker)
    page = client.get(f"{QUEUE}{binding.pk}/change/").content.decode()
    assert 'value="approve"' not in page and 'value="reject"' in page
    assert binding.events.filter(reason_code=FIRST_APPROVAL).count() == 1


# --- the quota line -----------------------------------------------------------------------------------


def test_regression_the_quota_line_does_not_count_a_draft_as_bound(client, hall):
    """Bug: 已绑定 6/5 名，累计 5 名 — the relative on the unsubmitted application was counted as bound."""
    authorizer, _bindings = hall.authorizer_with(4, "panzhihua")
    application = hall.draft(authorizer, hall.relative("panzhihua"))
    hall.bind(authorizer, hall.relative("panzhihua"))  # a fifth, bound meanwhile through another application
    client.force_login(hall.account(authorizer))
    page = " ".join(client.get(f"/bindings/applications/{application.case_number}/relative/").content.decode().split())
    assert "已绑定 <strong>5/5</strong>" in page
    assert "累计 <strong>5</strong>" in page
    assert "本次申请 <strong>1</strong>" in page
    quota = binding_quota(authorizer=authorizer, on=timezone.localdate(), application=application)
    assert (quota.active_count, quota.total_count, quota.draft_count) == (5, 5, 1)
    assert quota.display == "已绑定 5/5 名，累计 5 名；本次申请 1 名"


def test_the_draft_takes_places_against_the_total_limit_too(hall):
    """Relatives on the draft count against 累计 as well, unless counted before (a rebinding takes no place)."""
    authorizer = hall.person("hengyang")
    before = hall.bind(authorizer, hall.relative("hengyang"))
    services.binding_dissolve_by_party(binding=before, user=hall.account(authorizer))
    application = hall.draft(authorizer, before.relative, hall.relative("hengyang"))
    candidate = hall.relative("hengyang")
    facts = binding_facts(authorizer=authorizer, relative=candidate, on=timezone.localdate(), application=application)
    assert (facts.active_count, facts.total_count, facts.draft_count, facts.draft_new_count) == (0, 1, 2, 1)


def test_regression_an_application_cannot_pass_the_total_limit_by_its_drafts(hall):
    """衡阳: 20 in total. With 19 counted and one new relative on the draft, a further new one is refused."""
    authorizer, candidate = hall.person("hengyang"), hall.relative("hengyang")
    facts = BindingFacts(total_count=19, draft_count=1, draft_new_count=1)
    verdict = check_eligibility(
        authorizer=authorizer, relative=candidate, relationship="child", on=timezone.localdate(), facts=facts
    )
    assert verdict.codes == [ReasonCode.TOTAL_LIMIT_REACHED]
    assert verdict.reasons[0].message.endswith("您已累计绑定19名，本次申请中另有1名。")


# --- codes and notice events --------------------------------------------------------------------------


def test_binding_services_raise_only_named_codes():
    """A refusal's code is a BindingCode (or the engine's ReasonCode), never a string typed at the call."""
    root = Path(__file__).resolve().parents[2] / "bindings" / "services"
    literal = re.compile(r"""(\bcode=|Reason\()\s*["'][^"']""")
    offenders = [
        f"{path.name}:{n}"
        for path in root.glob("*.py")
        for n, line in enumerate(path.open(), 1)
        if literal.search(line)
    ]
    assert offenders == []


def test_precheck_names_a_relative_already_bound_to_you_by_its_code(hall):
    authorizer, relative = hall.person("yichun"), hall.relative("yichun")
    hall.bind(authorizer, relative)
    result = hall.add(hall.start(authorizer), relative)
    assert [p.code for p in result.problems] == [BindingCode.ALREADY_BOUND_TO_YOU]


def test_an_unknown_notice_event_tells_nobody(hall):
    binding = hall.in_state(S.SUBMITTED)
    before = Notice.objects.count()
    with pytest.raises(ValueError):
        notify_parties(binding, event="approved")
    assert Notice.objects.count() == before
    notify_parties(binding, event=NoticeEvent.TERMINATED)
    assert Notice.objects.filter(title="共济申请已终止").count() == 2
