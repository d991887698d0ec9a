"""Issue 13, point 2: maker-checker in view. The case page says before any decision that two clerks are needed
and why, names the first clerk after the first approval, and the queue filters and marks cases awaiting review."""

from datetime import date

import pytest

from bindings import services
from bindings.makerchecker import second_approval_reason
from tests.factories import clerk, submitted_binding

pytestmark = pytest.mark.django_db
QUEUE = "/admin/bindings/binding/"


def sensitive_case():
    """An adult sibling in 贵港 with only a pledge: two clerks."""
    return submitted_binding(district="450802", relationship="sibling", birth=date(1990, 1, 1), pledge=True)


@pytest.fixture
def maker(policies):
    return clerk("450800", "审核员", first_name="李", last_name="")


def test_the_reason_comes_from_the_rule(maker):
    assert second_approval_reason(sensitive_case(), maker) == "成年兄弟姐妹仅凭承诺书，未上传关系证明材料"
    assert second_approval_reason(submitted_binding(district="450802"), maker) == ""


def test_a_party_clerk_is_told_why(maker):
    binding = submitted_binding(district="450802")
    maker.person = binding.relative  # the relative has no account of his own here
    maker.save()
    assert "当事人" in second_approval_reason(binding, maker)


def test_the_case_page_announces_the_second_clerk_before_any_decision(client, maker):
    binding = sensitive_case()
    client.force_login(maker)
    html = client.get(f"{QUEUE}{binding.pk}/change/").content.decode()
    assert "此案需两名经办人员审核：成年兄弟姐妹仅凭承诺书" in html


def test_an_ordinary_case_says_nothing_about_two_clerks(client, maker):
    binding = submitted_binding(district="450802")
    client.force_login(maker)
    assert "两人审核" not in client.get(f"{QUEUE}{binding.pk}/change/").content.decode()


def test_the_confirmation_says_the_approval_is_only_the_first(client, maker):
    binding = sensitive_case()
    client.force_login(maker)
    html = client.post(f"{QUEUE}{binding.pk}/decide/", {"decision": "approve"}).content.decode()
    assert "确认初审通过" in html and "待另一名经办人员复核" in html


def test_after_the_first_approval_the_page_names_the_first_clerk_and_the_time(client, maker):
    binding = sensitive_case()
    maker.first_name, maker.last_name = "", "李经办"
    maker.save()
    services.binding_approve(binding=binding, clerk=maker)
    event = binding.events.get(reason_code="first_approval")
    client.force_login(clerk("450800", "审核员"))
    html = client.get(f"{QUEUE}{binding.pk}/change/").content.decode()
    when = event.created_at.astimezone().strftime("%Y-%m-%d")
    assert "已由李经办于" in html and when in html and "须另一名经办人员复核后生效" in html
    timeline = html.split("办理记录</h2>")[1].split("</table>")[0]
    assert "李经办" in timeline and maker.username not in timeline  # the display name, not the user name
    audit_log = html.split("经办审计日志</h2>")[1].split("</table>")[0]
    assert "李经办" in audit_log and maker.username not in audit_log


def test_a_clerk_without_a_full_name_is_named_by_username(client, policies):
    binding = sensitive_case()
    first = clerk("450800", "审核员", first_name="", last_name="")
    services.binding_approve(binding=binding, clerk=first)
    client.force_login(clerk("450800", "审核员"))
    assert f"已由{first.username}于" in client.get(f"{QUEUE}{binding.pk}/change/").content.decode()


def test_the_second_review_filter_lists_exactly_the_cases_awaiting_it(client, maker):
    waiting, fresh, ordinary = sensitive_case(), sensitive_case(), submitted_binding(district="450802")
    services.binding_approve(binding=waiting, clerk=maker)
    client.force_login(clerk("450800", "审核员"))
    html = client.get(QUEUE, {"review": "second"}).content.decode()
    assert waiting.application.case_number in html
    assert fresh.application.case_number not in html and ordinary.application.case_number not in html
    everything = client.get(QUEUE).content.decode()
    assert "待复核（已初审）" in everything  # the filter is offered
    assert everything.count("awaiting-second") == 1  # and the row is marked


def test_a_residents_name_never_shows_in_full_in_the_clerks_timeline(client, maker):
    binding = sensitive_case()
    client.force_login(maker)
    html = client.get(f"{QUEUE}{binding.pk}/change/").content.decode()
    timeline = html.split("办理记录</h2>")[1].split("</table>")[0]
    assert binding.authorizer.name not in timeline and binding.authorizer.account.username not in timeline
    assert "授权人" in timeline
