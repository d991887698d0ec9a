"""Pre-check and submission: the engine's reasons reach the resident unchanged, and a refusal leaves nothing."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import SmsMessage
from bindings import services
from bindings.models import Application, Binding, BindingEvent, Notice, Status
from bindings.selectors import binding_facts
from bindings.services import BindingError
from policies.choices import ChannelKind
from policies.eligibility import ReasonCode, check_eligibility
from tests.bindings.conftest import snapshot


def nothing_happened(application: Application) -> None:
    """No status left draft, no event, no notice, the application not marked submitted."""
    application.refresh_from_db()
    assert application.submitted_at is None and application.commitment_agreed_at is None
    assert set(application.bindings.values_list("status", flat=True)) <= {Status.DRAFT}
    assert not BindingEvent.objects.filter(binding__application=application).exists()
    assert not Notice.objects.filter(binding__application=application).exists()


# --- pre-check ------------------------------------------------------------------------------------------


def test_precheck_returns_the_engines_verdict_unchanged(hall):
    authorizer, brother = hall.person("panzhihua"), hall.relative("panzhihua")
    application = hall.start(authorizer)
    result = hall.add(application, brother, "sibling")
    direct = check_eligibility(
        authorizer=authorizer,
        relative=brother,
        relationship="sibling",
        on=timezone.localdate(),
        relative_phone=brother.phone,
        facts=binding_facts(authorizer=authorizer, relative=brother, on=timezone.localdate(), application=application),
    )
    assert result.binding is None
    assert result.verdict.reasons == direct.reasons
    assert result.verdict.codes == [ReasonCode.RELATIONSHIP_NOT_ALLOWED]
    assert result.verdict.reasons[0].message == "攀枝花市规定可共济的亲属为：配偶、父母、子女；兄弟姐妹不在其中。"
    assert not application.bindings.exists()


def test_precheck_refuses_a_suspended_relative(hall):
    application = hall.start(hall.person("yichun"))
    result = hall.add(application, hall.relative("yichun", suspended=True))
    assert result.binding is None
    assert result.verdict.codes == [ReasonCode.RELATIVE_SUSPENDED]
    assert result.verdict.reasons[0].message == "使用人的医保参保状态为“暂停”，须为“正常”才能办理家庭共济。"


def test_precheck_refuses_a_name_that_does_not_match_the_registry(hall):
    application = hall.start(hall.person("yichun"))
    relative = hall.relative("yichun", name="李小红")
    result = hall.add(application, relative, name="李小虹")
    assert result.binding is None and result.relative is None
    assert result.verdict.codes == [ReasonCode.RELATIVE_NOT_FOUND]


def test_precheck_refuses_oneself(hall):
    authorizer = hall.person("yichun")
    result = hall.add(hall.start(authorizer), authorizer, "spouse")
    assert result.binding is None
    assert ReasonCode.SELF_BINDING in result.verdict.codes


def test_precheck_refuses_a_relative_bound_to_another_authorizer(hall):
    relative = hall.relative("yichun")
    hall.bind(hall.person("yichun"), relative)
    result = hall.add(hall.start(hall.person("yichun")), relative)
    assert result.binding is None
    assert result.verdict.codes == [ReasonCode.ALREADY_BOUND_TO_OTHER]


def test_precheck_says_so_when_the_relative_is_already_bound_to_you(hall):
    authorizer, relative = hall.person("yichun"), hall.relative("yichun")
    hall.bind(authorizer, relative)
    result = hall.add(hall.start(authorizer), relative)
    assert result.binding is None
    assert [p.code for p in result.problems] == ["already_bound_to_you"]
    assert Binding.objects.filter(relative=relative).count() == 1


def test_panzhihua_fifth_at_once_is_allowed_and_sixth_refused(hall):
    authorizer, _bindings = hall.authorizer_with(4, "panzhihua")
    application = hall.start(authorizer)
    fifth = hall.add(application, hall.relative("panzhihua"))
    assert fifth.binding is not None and fifth.verdict.quota.active_count == 4
    sixth = hall.add(application, hall.relative("panzhihua"))
    assert sixth.binding is None
    assert sixth.verdict.codes == [ReasonCode.AT_ONCE_LIMIT_REACHED]
    # The fifth is on this application, not bound yet: the message names him apart.
    assert sixth.verdict.reasons[0].message == (
        "攀枝花市规定每个账户最多同时绑定5名家庭成员，您已绑定4名，本次申请中另有1名。"
    )
    assert application.bindings.count() == 1


def test_drafts_of_the_same_application_take_places(hall):
    authorizer, _bindings = hall.authorizer_with(2, "panzhihua")
    application = hall.start(authorizer)
    for _ in range(3):
        assert hall.add(application, hall.relative("panzhihua")).binding is not None
    refused = hall.add(application, hall.relative("panzhihua"))
    assert refused.verdict.codes == [ReasonCode.AT_ONCE_LIMIT_REACHED]
    # Re-checking one of the drafts does not count him twice.
    again = hall.add(application, application.bindings.first().relative)
    assert again.binding is not None
    assert (again.verdict.quota.active_count, again.verdict.quota.draft_count) == (2, 2)


def test_pending_applications_take_places_too(hall):
    """A submitted (not yet approved) binding holds its place: 4 active + 1 waiting leaves none."""
    authorizer, _bindings = hall.authorizer_with(4, "panzhihua")
    waiting = hall.apply(authorizer, hall.relative("panzhihua"))
    assert waiting.status == Status.SUBMITTED
    refused = hall.add(hall.start(authorizer), hall.relative("panzhihua"))
    assert refused.verdict.codes == [ReasonCode.AT_ONCE_LIMIT_REACHED]


def test_a_resubmitted_relative_step_never_makes_a_duplicate(hall):
    authorizer, relative = hall.person("yichun"), hall.relative("yichun")
    application = hall.start(authorizer)
    first = hall.add(application, relative, "child", phone="13800000001")
    second = hall.add(application, relative, "child", phone="13800000002")
    assert first.binding.pk == second.binding.pk
    (binding,) = application.bindings.all()
    assert binding.relative_phone == "13800000002"


def test_the_relative_step_is_closed_after_submission(hall):
    authorizer = hall.person("yichun")
    application = hall.draft(authorizer, hall.relative("yichun"))
    hall.submit(application)
    with pytest.raises(BindingError, match="已提交") as refused:
        hall.add(application, hall.relative("yichun"))
    assert refused.value.code == "already_submitted"
    assert application.bindings.count() == 1


def test_xiangtan_needs_dates(hall):
    application = hall.start(hall.person("xiangtan"))
    result = hall.add(application, hall.relative("xiangtan"))
    assert result.binding is None
    assert result.verdict.codes == [ReasonCode.DATES_REQUIRED]


# --- submit ------------------------------------------------------------------------------------------------


def test_submit_needs_the_commitment(hall):
    application = hall.draft(hall.person("yichun"), hall.relative("yichun"))
    with pytest.raises(BindingError, match="个人郑重承诺") as refused:
        services.application_submit(
            application=application, actor=hall.account(application.authorizer), commitment=False
        )
    assert refused.value.code == "commitment_missing"
    nothing_happened(application)


def test_submit_needs_a_relative(hall):
    application = hall.start(hall.person("yichun"))
    with pytest.raises(BindingError, match="至少添加一位") as refused:
        hall.submit(application)
    assert refused.value.code == "empty_application"
    nothing_happened(application)


def test_submit_refuses_when_proof_is_missing(hall):
    authorizer, relative = hall.person("yichun"), hall.relative("yichun", name="张小明")
    application = hall.draft(authorizer, relative, prove=False)
    with pytest.raises(BindingError) as refused:
        hall.submit(application)
    assert refused.value.code == "proof_missing"
    assert refused.value.message == "张小明还缺少证明材料：户口簿。"
    nothing_happened(application)


def test_a_pledge_does_not_replace_proof_where_the_region_does_not_allow_it(hall):
    application = hall.draft(hall.person("yichun"), hall.relative("yichun"), prove=False)
    services.binding_set_pledge(binding=application.bindings.get(), pledge=True)
    with pytest.raises(BindingError) as refused:
        hall.submit(application)
    assert refused.value.code == "proof_missing"
    nothing_happened(application)


def test_a_pledge_replaces_the_household_register_in_guigang(hall):
    # seed 003, the counter: 携带…户口、出生医学证明或签署承诺书,到医保经办窗口现场办理
    application = hall.start(hall.person("guigang"), channel=ChannelKind.COUNTER)
    binding = hall.add(application, hall.relative("guigang", birth=datetime.date(2015, 1, 1))).binding
    with pytest.raises(BindingError) as refused:
        hall.submit(application)
    assert refused.value.code == "proof_missing"
    nothing_happened(application)

    services.binding_set_pledge(binding=binding, pledge=True)
    (submitted,) = hall.submit(application)
    submitted.refresh_from_db()
    assert submitted.status == Status.ACTIVE  # 广西 registers at once
    assert submitted.pledge is True and not submitted.documents.exists()


def test_registry_check_needs_no_upload_in_panzhihua(hall):
    """16 and over: the kinship is checked against registry data, so an adult child needs no upload."""
    application = hall.draft(hall.person("panzhihua"), hall.relative("panzhihua"), prove=False)
    (binding,) = hall.submit(application)
    assert binding.status == Status.SUBMITTED


def test_submit_is_all_or_nothing(hall):
    """One relative without proof holds back the whole application: the other stays a draft too."""
    authorizer = hall.person("yichun")
    proved, unproved = hall.relative("yichun"), hall.relative("yichun")
    application = hall.draft(authorizer, proved)
    assert hall.add(application, unproved).binding is not None
    with pytest.raises(BindingError) as refused:
        hall.submit(application)
    assert [r.code for r in refused.value.reasons] == ["proof_missing"]
    nothing_happened(application)
    assert application.bindings.filter(status=Status.DRAFT).count() == 2


def test_submit_returns_every_engine_reason_unchanged(hall):
    """The relative was suspended after the pre-check: the submit carries the engine's own reason."""
    authorizer, relative = hall.person("panzhihua"), hall.relative("panzhihua")
    application = hall.draft(authorizer, relative)
    services.registry_status_change(person=relative, status="suspended", actor=hall.clerk(), reason="停保")
    relative.refresh_from_db()
    direct = check_eligibility(
        authorizer=authorizer,
        relative=relative,
        relationship="child",
        on=timezone.localdate(),
        relative_phone=relative.phone,
    )
    with pytest.raises(BindingError) as refused:
        hall.submit(application)
    assert refused.value.reasons == direct.reasons
    assert refused.value.code == ReasonCode.RELATIVE_SUSPENDED
    assert refused.value.message == direct.reasons[0].message
    nothing_happened(application)


def test_submit_refuses_a_relative_someone_else_bound_meanwhile(hall):
    """Two authorizers pre-checked the same relative; the second to submit is refused with the reason."""
    relative = hall.relative("yichun")
    first = hall.draft(hall.person("yichun"), relative)
    second = hall.draft(hall.person("yichun"), relative)
    hall.submit(first)
    with pytest.raises(BindingError) as refused:
        hall.submit(second)
    assert refused.value.code == ReasonCode.ALREADY_BOUND_TO_OTHER
    nothing_happened(second)
    assert Binding.objects.filter(relative=relative, status__in=["submitted", "returned", "active"]).count() == 1


def test_a_double_submit_is_a_no_op(hall):
    application = hall.draft(hall.person("panzhihua"), hall.relative("panzhihua"))
    (binding,) = hall.submit(application)
    before = snapshot(binding)
    application.refresh_from_db()
    submitted_at = application.submitted_at
    again = hall.submit(application)
    assert [b.pk for b in again] == [binding.pk]
    assert snapshot(binding) == before
    application.refresh_from_db()
    assert application.submitted_at == submitted_at


def test_submit_counts_the_other_drafts_against_the_limit(hall):
    """4 active in 攀枝花, then one application with two drafts (added when there was room): refused whole."""
    authorizer, bindings = hall.authorizer_with(3, "panzhihua")
    application = hall.draft(authorizer, hall.relative("panzhihua"), hall.relative("panzhihua"))
    hall.bind(authorizer, hall.relative("panzhihua"))  # a fourth, through another application
    with pytest.raises(BindingError) as refused:
        hall.submit(application)
    assert [r.code for r in refused.value.reasons] == [ReasonCode.AT_ONCE_LIMIT_REACHED] * 2
    nothing_happened(application)


def test_submit_tells_both_parties_once(hall):
    authorizer, relative = hall.person("panzhihua"), hall.relative("panzhihua")
    hall.account(relative)
    (binding,) = hall.submit(hall.draft(authorizer, relative))
    assert sorted(Notice.objects.filter(binding=binding).values_list("person_id", flat=True)) == sorted(
        [authorizer.pk, relative.pk]
    )
    assert SmsMessage.objects.filter(phone=authorizer.phone).count() == 1
    assert SmsMessage.objects.filter(phone=relative.phone).count() == 1
