"""Issue 13, point 1: decisions that cannot misfire (reason and explanation required, a confirmation step), and
the resident's page after a rejection or a return (the clerk's words, the next step, where to ask)."""

import pytest

from accounts.models import AuditAction, AuditEntry
from bindings import services
from bindings.admin.decide import MoreForm, ReasonForm
from bindings.models import Status
from bindings.services.decisions import MIN_EXPLANATION
from tests.factories import clerk, submitted_binding

pytestmark = pytest.mark.django_db
QUEUE = "/admin/bindings/binding/"
EXPLANATION = "户口簿照片模糊看不清姓名，请重新拍摄清晰的户口簿首页和本人页后再提交。"


@pytest.fixture
def reviewer(policies):
    return clerk("510400", "审核员")


def post(client, binding, **data):
    return client.post(f"{QUEUE}{binding.pk}/decide/", data)


# --- the forms ---------------------------------------------------------------------------------------------


def test_the_reason_list_starts_empty_and_nothing_is_preselected():
    field = ReasonForm().fields["reason_code"]
    assert field.choices[0] == ("", "请选择驳回原因")
    assert not ReasonForm().initial and field.initial is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"reason_code": "", "reason_text": EXPLANATION}, "reason_code"),
        ({"reason_code": "unclear_proof", "reason_text": ""}, "reason_text"),
        ({"reason_code": "unclear_proof", "reason_text": "照片模糊"}, "reason_text"),
    ],
)
def test_reject_form_needs_a_reason_and_an_explanation(data, field):
    form = ReasonForm(data)
    assert not form.is_valid() and field in form.errors


def test_return_form_needs_an_explanation_too():
    assert not MoreForm({"missing_note": "户口簿"}).is_valid()
    assert MoreForm({"missing_note": "请补充上传户口簿户主页和使用人本人页"}).is_valid()


# --- the service: one rule, whoever calls it ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "x" * (MIN_EXPLANATION - 1)])
def test_the_service_refuses_a_rejection_without_an_explanation(reviewer, text):
    binding = submitted_binding()
    with pytest.raises(services.BindingError) as refused:
        services.binding_reject(binding=binding, clerk=reviewer, reason_code="unclear_proof", reason_text=text)
    assert refused.value.code == "reason_missing" and "下一步" in refused.value.message
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED


def test_the_service_requires_the_explanation_argument(reviewer):
    binding = submitted_binding()
    with pytest.raises(TypeError):
        services.binding_reject(binding=binding, clerk=reviewer, reason_code="unclear_proof")


# --- the case page and the confirmation step -------------------------------------------------------------------


def test_a_reject_without_a_reason_is_refused_on_the_case_page(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    response = post(client, binding, decision="reject", reason_code="", reason_text="", confirm="1")
    page = response.content.decode()
    assert response.status_code == 200 and "请选择驳回原因。" in page and "请填写给申请人的说明" in page
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    assert AuditEntry.objects.filter(action=AuditAction.REFUSED, actor=reviewer).count() == 1


def test_a_valid_reject_shows_the_confirmation_and_changes_nothing(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    page = post(client, binding, decision="reject", reason_code="unclear_proof", reason_text=EXPLANATION)
    html = page.content.decode()
    assert page.status_code == 200 and "确认驳回" in html and "返回修改" in html
    assert binding.application.case_number in html and "证明材料不清晰" in html and EXPLANATION in html
    assert binding.relative.name not in html  # the relative is named masked
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED  # no one-click reject


def test_confirming_rejects_with_the_clerks_words(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    post(client, binding, decision="reject", reason_code="unclear_proof", reason_text=EXPLANATION, confirm="1")
    binding.refresh_from_db()
    assert (binding.status, binding.reason_code, binding.reason_text) == ("rejected", "unclear_proof", EXPLANATION)


def test_back_to_edit_keeps_what_the_clerk_typed(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    page = post(client, binding, decision="reject", reason_code="unclear_proof", reason_text=EXPLANATION, edit="1")
    html = page.content.decode()
    assert EXPLANATION in html and 'value="unclear_proof" selected' in html
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED


def test_approve_and_return_also_go_through_a_confirmation(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    html = post(client, binding, decision="approve", note="").content.decode()
    assert "确认审核通过" in html and binding.application.case_number in html and "共济关系生效" in html
    html = post(client, binding, decision="request_more", missing_note="请补充上传户口簿户主页照片").content.decode()
    assert "确认退回" in html and binding.application.case_number in html
    binding.refresh_from_db()
    assert binding.status == Status.SUBMITTED
    post(client, binding, decision="approve", note="", confirm="1")
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE


def test_the_three_decisions_look_different(client, reviewer):
    binding = submitted_binding()
    client.force_login(reviewer)
    html = client.get(f"{QUEUE}{binding.pk}/change/").content.decode()
    assert "btn-approve" in html and "btn-reject" in html and "btn-more" in html
    assert "style=" not in html.split('id="content-main"')[1]


# --- the resident's page -----------------------------------------------------------------------------------


def test_the_resident_reads_the_reason_the_next_step_and_where_to_ask(client, reviewer):
    binding = submitted_binding()
    services.binding_reject(binding=binding, clerk=reviewer, reason_code="unclear_proof", reason_text=EXPLANATION)
    client.force_login(binding.authorizer.account)
    html = client.get(f"/bindings/{binding.pk}/").content.decode()
    assert "证明材料不清晰" in html and EXPLANATION in html and "unclear_proof" not in html
    assert "重新申请" in html and 'href="/bindings/apply/"' in html
    assert "12393" in html and "医保经办窗口" in html


def test_a_returned_case_offers_to_add_the_proof(client, reviewer):
    binding = submitted_binding()
    note = "请补充上传户口簿户主页照片"
    services.binding_request_more(binding=binding, clerk=reviewer, missing_note=note)
    client.force_login(binding.authorizer.account)
    html = client.get(f"/bindings/{binding.pk}/").content.decode()
    assert "需要补充的材料" in html and note in html and "补充材料" in html and "12393" in html


# --- point 4: a search finds a case in any status ------------------------------------------------------------


def test_a_search_finds_an_active_case_although_the_queue_opens_on_pending(client, reviewer):
    binding = submitted_binding()
    services.binding_approve(binding=binding, clerk=reviewer)
    client.force_login(reviewer)
    case, row = binding.application.case_number, f"{QUEUE}{binding.pk}/change/"  # the row's link, not the term
    assert row not in client.get(QUEUE).content.decode()  # the queue still opens on what waits
    assert row in client.get(QUEUE, {"q": case}).content.decode()
    assert row not in client.get(QUEUE, {"q": case, "status": "submitted"}).content.decode()  # a chosen status holds
