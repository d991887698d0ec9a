"""The state machine: every allowed transition and every forbidden one, with its audit row and notices."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import SmsMessage
from bindings import services
from bindings.models import ActorRole, BindingEvent, DissolveReason, Notice, RejectReason, Status
from bindings.services import BindingError
from policies.choices import ChannelKind
from tests.bindings.conftest import snapshot

CHINESE = re.compile(r"[\u4e00-\u9fff]")


# --- the actions, each as a clerk or a party would take it ---------------------------------------------


def approve(hall, binding):
    return services.binding_approve(binding=binding, clerk=hall.clerk(binding.application.city_code), note="材料齐全")


def reject(hall, binding):
    clerk = hall.clerk(binding.application.city_code)
    return services.binding_reject(
        binding=binding,
        clerk=clerk,
        reason_code=RejectReason.RELATIONSHIP_MISMATCH,
        reason_text="户口簿记载的关系与申请不一致，请核对",
    )


def request_more(hall, binding):
    clerk = hall.clerk(binding.application.city_code)
    return services.binding_request_more(binding=binding, clerk=clerk, missing_note="请补充户口簿本人页")


def resubmit(hall, binding):
    return services.binding_resubmit(binding=binding, actor=hall.account(binding.authorizer))


def withdraw(hall, binding):
    return services.binding_withdraw(binding=binding, actor=hall.account(binding.authorizer))


def dissolve_by_authorizer(hall, binding):
    return services.binding_dissolve_by_party(binding=binding, user=hall.account(binding.authorizer))


def dissolve_by_relative(hall, binding):
    return services.binding_dissolve_by_party(binding=binding, user=hall.account(binding.relative))


def dissolve_by_clerk(hall, binding):
    clerk = hall.clerk(binding.application.city_code)
    return services.binding_dissolve(
        binding=binding, actor=clerk, role=ActorRole.CLERK, reason_code=DissolveReason.BY_CLERK
    )


# action: (states it is allowed from, resulting state, role in the event, reason code in the event)
ACTIONS = {
    approve: ({Status.SUBMITTED}, Status.ACTIVE, ActorRole.CLERK, ""),
    reject: ({Status.SUBMITTED}, Status.REJECTED, ActorRole.CLERK, RejectReason.RELATIONSHIP_MISMATCH),
    request_more: ({Status.SUBMITTED}, Status.RETURNED, ActorRole.CLERK, ""),
    resubmit: ({Status.RETURNED}, Status.SUBMITTED, ActorRole.AUTHORIZER, ""),
    withdraw: ({Status.SUBMITTED, Status.RETURNED}, Status.WITHDRAWN, ActorRole.AUTHORIZER, ""),
    dissolve_by_authorizer: ({Status.ACTIVE}, Status.DISSOLVED, ActorRole.AUTHORIZER, DissolveReason.BY_AUTHORIZER),
    dissolve_by_relative: ({Status.ACTIVE}, Status.DISSOLVED, ActorRole.RELATIVE, DissolveReason.BY_RELATIVE),
    dissolve_by_clerk: ({Status.ACTIVE}, Status.DISSOLVED, ActorRole.CLERK, DissolveReason.BY_CLERK),
}
ALLOWED = [
    pytest.param(state, action, id=f"{state}-{action.__name__}")
    for action, (sources, *_rest) in ACTIONS.items()
    for state in sorted(sources)
]
FORBIDDEN = [
    pytest.param(state, action, id=f"{state}-{action.__name__}")
    for action, (sources, *_rest) in ACTIONS.items()
    for state in Status.values
    if state not in sources
]


def test_the_matrix_covers_every_state_and_action():
    assert len(ALLOWED) + len(FORBIDDEN) == len(ACTIONS) * len(Status.values)
    ending = {Status.DRAFT, Status.REJECTED, Status.WITHDRAWN, Status.DISSOLVED, Status.TERMINATED}
    assert {p.values[0] for p in ALLOWED} == set(Status.values) - ending


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_a_forbidden_transition_is_refused_in_chinese_and_changes_nothing(hall, state, action):
    binding = hall.in_state(state)
    hall.account(binding.relative)  # so the relative may try too
    before = snapshot(binding)
    with pytest.raises(BindingError) as refused:
        action(hall, binding)
    assert refused.value.code == "wrong_state"
    assert CHINESE.search(refused.value.message)
    assert snapshot(binding) == before


@pytest.mark.parametrize(("state", "action"), ALLOWED)
def test_an_allowed_transition_writes_one_event_and_tells_both_parties(hall, state, action):
    binding = hall.in_state(state)
    relative_user = hall.account(binding.relative)
    before = snapshot(binding)
    notices_before = set(Notice.objects.values_list("pk", flat=True))
    sms_before = set(SmsMessage.objects.values_list("pk", flat=True))

    action(hall, binding)

    _sources, to, role, reason_code = ACTIONS[action]
    binding.refresh_from_db()
    assert binding.status == to
    new_events = list(BindingEvent.objects.filter(binding=binding).order_by("id")[before.events :])
    assert len(new_events) == 1
    (event,) = new_events
    assert (event.from_status, event.to_status, event.actor_role, event.reason_code) == (state, to, role, reason_code)
    assert event.channel == ChannelKind.ONLINE_HALL
    if role == ActorRole.AUTHORIZER:
        assert event.actor == hall.account(binding.authorizer)
    elif role == ActorRole.RELATIVE:
        assert event.actor == relative_user
    else:
        assert event.actor.is_staff and event.actor.region_code == binding.application.city_code

    notices = Notice.objects.exclude(pk__in=notices_before)
    assert sorted(n.person_id for n in notices) == sorted([binding.authorizer_id, binding.relative_id])
    assert {n.binding_id for n in notices} == {binding.pk}
    assert all(binding.application.case_number in n.body for n in notices)
    texts = SmsMessage.objects.exclude(pk__in=sms_before)
    assert sorted(m.phone for m in texts) == sorted([binding.authorizer.phone, relative_user.phone])
    if to in (Status.REJECTED, Status.WITHDRAWN, Status.DISSOLVED):
        assert binding.ended_at is not None


@pytest.mark.parametrize(("state", "action"), ALLOWED)
def test_the_event_and_the_state_change_share_one_transaction(hall, state, action):
    """A failure after the audit row (the notice) leaves neither the new state nor the row."""
    binding = hall.in_state(state)
    hall.account(binding.relative)
    before = snapshot(binding)
    notice_fails = mock.patch("bindings.notices.notify_person", side_effect=RuntimeError("message centre down"))
    with notice_fails, pytest.raises(RuntimeError):
        action(hall, binding)
    assert snapshot(binding) == before


# --- submission -----------------------------------------------------------------------------------------


def test_submit_in_a_review_region_moves_draft_to_submitted(hall):
    authorizer, relative = hall.person("panzhihua"), hall.relative("panzhihua")
    application = hall.draft(authorizer, relative)
    (binding,) = hall.submit(application)
    binding.refresh_from_db()
    application.refresh_from_db()
    assert binding.status == Status.SUBMITTED and binding.submitted_at is not None
    assert application.submitted_at is not None and application.commitment_agreed_at is not None
    (event,) = binding.events.all()
    assert (event.from_status, event.to_status, event.actor_role) == (Status.DRAFT, Status.SUBMITTED, "authorizer")
    assert event.actor == hall.account(authorizer)
    assert event.channel == application.channel
    assert {n.person_id for n in Notice.objects.filter(binding=binding)} == {authorizer.pk, relative.pk}
    assert Notice.objects.filter(binding=binding, title="共济申请已提交").count() == 2
    assert SmsMessage.objects.filter(phone__in=[authorizer.phone, relative.phone]).count() == 2


def test_submit_in_an_immediate_region_activates_with_a_system_event(hall):
    authorizer, relative = hall.person("yichun"), hall.relative("yichun")
    (binding,) = hall.submit(hall.draft(authorizer, relative))
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE and binding.activated_at is not None
    submitted, activated = binding.events.all()
    assert (submitted.from_status, submitted.to_status, submitted.actor_role) == ("draft", "submitted", "authorizer")
    assert (activated.from_status, activated.to_status, activated.actor_role) == ("submitted", "active", "system")
    assert activated.actor is None
    assert activated.reason_text == "登记信息核验通过，即时生效"
    # One notice per party: the application took effect at once.
    assert sorted(Notice.objects.filter(binding=binding).values_list("title", flat=True)) == ["家庭共济已生效"] * 2


def test_submit_rolls_back_with_its_events_when_the_notice_fails(hall):
    authorizer, relative = hall.person("yichun"), hall.relative("yichun")
    application = hall.draft(authorizer, relative)
    binding = application.bindings.get()
    notice_fails = mock.patch("bindings.notices.notify_person", side_effect=RuntimeError("message centre down"))
    with notice_fails, pytest.raises(RuntimeError):
        hall.submit(application)
    application.refresh_from_db()
    assert application.submitted_at is None
    assert snapshot(binding).status == Status.DRAFT
    assert not BindingEvent.objects.exists()


# --- reasons a clerk must give ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason_code", "reason_text"),
    [("", ""), ("made_up", "随便"), (RejectReason.OTHER, ""), (RejectReason.OTHER, "   ")],
)
def test_reject_needs_a_known_reason_and_other_needs_words(hall, reason_code, reason_text):
    binding = hall.in_state(Status.SUBMITTED)
    before = snapshot(binding)
    with pytest.raises(BindingError) as refused:
        services.binding_reject(binding=binding, clerk=hall.clerk(), reason_code=reason_code, reason_text=reason_text)
    assert refused.value.code == "reason_missing"
    assert CHINESE.search(refused.value.message)
    assert snapshot(binding) == before


def test_reject_as_other_keeps_the_clerks_words(hall):
    binding = hall.in_state(Status.SUBMITTED)
    services.binding_reject(
        binding=binding, clerk=hall.clerk(), reason_code=RejectReason.OTHER, reason_text="  户口簿与身份证姓名不一致 "
    )
    binding.refresh_from_db()
    assert (binding.status, binding.reason_code, binding.reason_text) == (
        "rejected",
        "other",
        "户口簿与身份证姓名不一致",
    )
    event = binding.events.last()
    assert (event.reason_code, event.reason_text) == ("other", "户口簿与身份证姓名不一致")
    assert all(
        "户口簿与身份证姓名不一致" in n.body for n in Notice.objects.filter(binding=binding, title="共济申请未通过")
    )


def test_return_needs_a_note(hall):
    binding = hall.in_state(Status.SUBMITTED)
    before = snapshot(binding)
    with pytest.raises(BindingError, match="补充的材料"):
        services.binding_request_more(binding=binding, clerk=hall.clerk(), missing_note="  ")
    assert snapshot(binding) == before


def test_resubmit_needs_the_missing_proof(hall):
    """Returned because the photo is unclear: the old photo is removed, and resubmitting waits for a new one."""
    authorizer, spouse = hall.person("panzhihua"), hall.relative("panzhihua")
    binding = hall.apply(authorizer, spouse, relationship="spouse")
    (photo,) = binding.documents.all()
    services.binding_request_more(binding=binding, clerk=hall.clerk(), missing_note="结婚证照片不清晰，请重新拍摄")
    services.document_remove(document=photo, actor=hall.account(authorizer))
    before = snapshot(binding)
    with pytest.raises(BindingError, match="还缺少证明材料：结婚证") as refused:
        services.binding_resubmit(binding=binding, actor=hall.account(authorizer))
    assert refused.value.code == "proof_missing"
    assert snapshot(binding) == before

    hall.prove(binding)
    services.binding_resubmit(binding=binding, actor=hall.account(authorizer))
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    assert [e.to_status for e in binding.events.all()] == ["submitted", "returned", "submitted"]


def xiangtan_case(hall):
    """A submitted 湘潭 case: same-city pairs only, dates required, a clerk reviews."""
    today = timezone.localdate()
    authorizer, relative = hall.person("xiangtan"), hall.relative("xiangtan")
    return hall.apply(authorizer, relative, start_date=today, end_date=today + timedelta(days=365))


def move_to_hengyang(person):
    # The registry records a move of insurance: not a status change, so no binding service runs.
    person.city_code = "430400"
    person.save(update_fields=["city_code"])


def test_approve_asks_the_engine_again(hall):
    binding = xiangtan_case(hall)
    move_to_hengyang(binding.relative)
    before = snapshot(binding)
    with pytest.raises(BindingError) as refused:
        approve(hall, binding)
    assert refused.value.code == "pair_not_in_scope"
    assert "须均在湘潭市参保" in refused.value.message
    assert snapshot(binding) == before


def test_resubmit_asks_the_engine_again(hall):
    """Nothing is missing from the checklist, but the pair is no longer allowed: it must not go back to a clerk."""
    binding = xiangtan_case(hall)
    services.binding_request_more(binding=binding, clerk=hall.clerk("430300"), missing_note="请补充户口簿")
    move_to_hengyang(binding.relative)
    before = snapshot(binding)
    with pytest.raises(BindingError) as refused:
        services.binding_resubmit(binding=binding, actor=hall.account(binding.authorizer))
    assert refused.value.code == "pair_not_in_scope"
    assert [r.code for r in refused.value.reasons] == ["pair_not_in_scope"]
    assert snapshot(binding) == before


# --- who may dissolve -------------------------------------------------------------------------------------


def test_an_outsider_cannot_dissolve(hall):
    binding = hall.in_state(Status.ACTIVE)
    stranger = hall.account(hall.person("panzhihua"))
    before = snapshot(binding)
    with pytest.raises(BindingError, match="不是该共济关系的当事人") as refused:
        services.binding_dissolve_by_party(binding=binding, user=stranger)
    assert refused.value.code == "not_a_party"
    assert snapshot(binding) == before


def test_dissolve_notice_names_the_reason(hall):
    binding = hall.in_state(Status.ACTIVE)
    dissolve_by_relative(hall, binding)
    bodies = Notice.objects.filter(binding=binding, title="家庭共济已解除").values_list("body", flat=True)
    assert len(bodies) == 2 and all("使用人申请解除" in body for body in bodies)


# --- drafts ----------------------------------------------------------------------------------------------


def test_a_draft_relative_can_be_removed_with_his_documents(hall, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    application = hall.draft(hall.person("yichun"), hall.relative("yichun"))
    binding = application.bindings.get()
    (document,) = binding.documents.all()
    assert default_storage.exists(document.storage_name)
    with django_capture_on_commit_callbacks(execute=True):
        services.binding_remove_draft(binding=binding, actor=hall.account(application.authorizer))
    assert not application.bindings.exists()
    assert not default_storage.exists(document.storage_name)


@pytest.mark.parametrize("state", [s for s in Status.values if s != Status.DRAFT])
def test_only_drafts_can_be_removed(hall, state):
    binding = hall.in_state(state)
    before = snapshot(binding)
    with pytest.raises(BindingError, match="尚未提交"):
        services.binding_remove_draft(binding=binding, actor=hall.account(binding.authorizer))
    assert snapshot(binding) == before
