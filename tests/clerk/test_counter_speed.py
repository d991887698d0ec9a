"""The counter built for speed: focus where the card reader types, the city's relationships only, a status change
that says what it ends, and a receipt that tells the truth about the case."""

import re
from datetime import date
from types import SimpleNamespace

import pytest
import time_machine

from bindings.counter.receipt import next_step, office_name
from bindings.models import Application, Binding, Status
from policies.selectors import Stated, resolved_policy
from tests.factories import InsuredPersonFactory, counter_clerk, jpeg_upload

pytestmark = pytest.mark.django_db

ALL_CLOSE = ["spouse", "parent", "child", "sibling", "grandparent", "maternal_grandparent", "grandchild"]
ALL_CLOSE.append("maternal_grandchild")


def login(client, region="510400", *roles, **fields):
    clerk = counter_clerk(region, *roles, **fields)
    client.force_login(clerk)
    client.clerk = clerk
    return client


def autofocused(html: str) -> list[str]:
    """The name of every element carrying autofocus."""
    return re.findall(r'<(?:input|select|textarea|button)[^>]*\bautofocus\b[^>]*name="([^"]+)"', html) + re.findall(
        r'<(?:input|select|textarea|button)[^>]*name="([^"]+)"[^>]*\bautofocus\b', html
    )


def start_case(client, authorizer) -> str:
    client.post("/counter/", {"action": "ticket"})
    client.post(f"/counter/person/{authorizer.pk}/", {"action": "start", "id_card_checked": "on"})
    return Application.objects.get(authorizer=authorizer).case_number


def relationship_options(html: str) -> list[str]:
    select = re.search(r'<select name="relationship".*?</select>', html, re.S).group(0)
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def submit_child(client, authorizer, child) -> str:
    case = start_case(client, authorizer)
    data = {"action": "relative", "id_type": "resident_id", "id_number": child.id_number, "name": child.name}
    data["phone"] = child.phone  # asked where the city's rules say so
    client.post(f"/counter/applications/{case}/", {**data, "relationship": "child"})
    binding = Binding.objects.get(relative=child)
    client.post(
        f"/counter/applications/{case}/",
        {"action": "upload", "binding": binding.pk, "kind": "household_register", "file": jpeg_upload()},
    )
    client.post(f"/counter/applications/{case}/", {"action": "submit", "paper_pledge": "1"})
    return case


@pytest.fixture
def pzh_family():
    authorizer = InsuredPersonFactory(district="510402", name="陈国栋", retired=True)
    child = InsuredPersonFactory(district="510402", birth=date(2016, 2, 2), name="陈小花", resident=True)
    return authorizer, child


# -- focus ---------------------------------------------------------------------------------------------------


def test_desk_focuses_the_id_field_on_load_and_after_taking_a_ticket(client, policies):
    login(client)
    assert autofocused(client.get("/counter/").content.decode()) == ["id_number"]
    after = client.post("/counter/", {"action": "ticket"}, follow=True).content.decode()
    assert "A001" in after
    assert autofocused(after) == ["id_number"]


def test_desk_keeps_focus_on_the_id_field_after_a_wrong_number(client, policies):
    login(client)
    page = client.post("/counter/", {"action": "lookup", "id_number": "123"}).content.decode()
    assert autofocused(page) == ["id_number"]


def test_person_page_focuses_its_first_field(client, policies, pzh_family):
    login(client)
    authorizer, _ = pzh_family
    assert autofocused(client.get(f"/counter/person/{authorizer.pk}/").content.decode()) == ["id_card_checked"]


def test_application_page_focuses_the_relatives_id_number(client, policies, pzh_family):
    login(client)
    case = start_case(client, pzh_family[0])
    assert autofocused(client.get(f"/counter/applications/{case}/").content.decode()) == ["id_number"]


def test_application_page_focuses_the_first_field_in_error(client, policies, pzh_family):
    login(client)
    authorizer, child = pzh_family
    case = start_case(client, authorizer)
    data = {"action": "relative", "id_type": "resident_id", "id_number": child.id_number, "name": child.name}
    data["phone"] = child.phone  # asked where the city's rules say so
    page = client.post(f"/counter/applications/{case}/", data).content.decode()  # no relationship chosen
    assert autofocused(page) == ["relationship"]


# -- relationships from the policy engine ---------------------------------------------------------------------


def test_panzhihua_offers_only_spouse_parents_children(client, policies, pzh_family):
    login(client)
    case = start_case(client, pzh_family[0])
    page = client.get(f"/counter/applications/{case}/").content.decode()
    assert relationship_options(page) == ["spouse", "parent", "child"]


def test_yichun_offers_every_close_relative(client, policies):
    login(client, "360900")
    case = start_case(client, InsuredPersonFactory(district="360902"))
    page = client.get(f"/counter/applications/{case}/").content.decode()
    assert relationship_options(page) == ALL_CLOSE


@time_machine.travel(date(2024, 6, 1), tick=False)
def test_yichun_before_2025_offers_only_what_was_allowed_that_day(client, policies):
    login(client, "360900")
    case = start_case(client, InsuredPersonFactory(district="360902"))
    page = client.get(f"/counter/applications/{case}/").content.decode()
    assert relationship_options(page) == ["spouse", "parent", "child"]


def test_a_relationship_the_city_does_not_allow_is_refused_with_a_reason(client, policies, pzh_family):
    login(client)
    authorizer, child = pzh_family
    case = start_case(client, authorizer)
    data = {"action": "relative", "id_type": "resident_id", "id_number": child.id_number, "name": child.name}
    data["phone"] = child.phone  # asked where the city's rules say so
    page = client.post(f"/counter/applications/{case}/", {**data, "relationship": "grandchild"}).content.decode()
    assert "本地政策可办理家庭共济的亲属为：配偶、父母、子女" in page
    assert not Binding.objects.filter(relative=child).exists()


# -- status change confirmation ---------------------------------------------------------------------------------


def test_status_change_confirmation_states_how_many_bindings_end(client, policies, pzh_family):
    login(client, "510400", "窗口经办员", "审核员")  # may decide: the binding is in force at once
    authorizer, child = pzh_family
    submit_child(client, authorizer, child)
    assert Binding.objects.get(relative=child).status == Status.ACTIVE
    data = {"status": "suspended", "reason": "单位停止缴费", "expected": authorizer.status}
    page = client.post(f"/counter/person/{authorizer.pk}/status/", data).content.decode()
    assert re.search(r'id="confirm-bindings">\s*1 项', page)
    assert "确认变更为" in page
    authorizer.refresh_from_db()
    assert authorizer.status == "normal"  # nothing changed before the confirm button


def test_a_status_change_without_a_reason_is_refused_and_focuses_the_reason(client, policies, pzh_family):
    login(client)
    authorizer, _ = pzh_family
    data = {"status": "suspended", "reason": "", "expected": authorizer.status}
    page = client.post(f"/counter/person/{authorizer.pk}/status/", data).content.decode()
    assert "请填写变更参保状态的原因" in page and "确认变更为" not in page
    assert autofocused(page) == ["reason"]


# -- receipt ---------------------------------------------------------------------------------------------------


def test_receipt_of_a_binding_in_force(client, policies, pzh_family):
    login(client, "510400", "窗口经办员", "审核员", first_name="李窗口")
    case = submit_child(client, *pzh_family)
    receipt = client.get(f"/counter/applications/{case}/receipt/").content.decode()
    assert 'data-status="active"' in receipt
    assert "共济已生效，无需等待审核" in receipt
    assert "工作日" not in receipt
    assert re.search(r'id="receipt-ticket">A001', receipt)
    assert re.search(r'id="receipt-office">攀枝花市医疗保障经办窗口<', receipt)
    assert f"李窗口（工号 {client.clerk.pk:05d}）" in receipt
    assert "申请人签字" in receipt and "盖章" in receipt


def test_receipt_of_a_case_waiting_for_review(client, policies, pzh_family):
    login(client)  # a counter-only clerk cannot decide
    case = submit_child(client, *pzh_family)
    receipt = client.get(f"/counter/applications/{case}/receipt/?layout=thermal").content.decode()
    assert 'data-status="submitted"' in receipt
    assert "待经办机构审核" in receipt and "以经办机构通知为准" in receipt  # 攀枝花 states no processing time
    assert "3个工作日" not in receipt and "共济已生效" not in receipt


def test_next_step_uses_the_processing_time_the_policy_states():
    binding = Binding(status=Status.SUBMITTED)
    policy = SimpleNamespace(review_working_days=Stated(5))
    assert "一般在5个工作日内办结" in next_step(binding, policy, today=date(2026, 1, 5))
    assert "以经办机构通知为准" in next_step(binding, SimpleNamespace(review_working_days=Stated(None)))


def test_office_is_the_counter_the_city_names_else_the_city_name(policies):
    assert office_name(resolved_policy("450800", date(2026, 6, 1))) == "贵港市医保经办窗口"
    # 江西's counter is the province's hall: a 宜春 receipt does not name it as the office.
    assert office_name(resolved_policy("360900", date(2026, 6, 1))) == "宜春市医疗保障经办窗口"
