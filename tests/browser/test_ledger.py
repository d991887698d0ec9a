"""The settlement simulator, usage records, statement, caps and 代缴 in a 375 px browser, axe-checked, also in
关怀模式. People and bindings come from the real services; money moves only through the simulator or the ledger."""

import datetime

import pytest
from django.utils import timezone

from bindings.ledger import services as ledger
from bindings.models import EntryKind, LedgerEntry, Settlement
from policies.relationships import Relationship
from tests.bindings.ledger.conftest import Family, visit
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wang(policies):
    family = Family()
    son = family.authorizer(balance_yuan=1000, name="王建国")
    father = family.relative(
        resident=False, retired=True, birth=datetime.date(1950, 1, 15), balance_fen=0, name="王德福"
    )
    child = family.relative(birth=datetime.date(2015, 6, 1), name="王小宇")
    family.bind(son, father, Relationship.PARENT)
    family.bind(son, child, Relationship.CHILD)
    return family, son, father, child


def test_simulate_post_and_see_the_records(hall, wang):
    family, son, father, child = wang
    family.account(son)
    hall.sign_in(son.phone, TEST_PASSWORD)
    page = hall.page
    hall.click_and_wait(page.get_by_role("link", name="共济使用明细"))
    hall.click_and_wait(page.get_by_role("link", name="结算模拟"))
    page.get_by_label("就医患者").select_option(label="王德福（父母）")
    page.get_by_label("就医机构类别").select_option("level1")
    page.get_by_label("第1项 类别").select_option("drug")
    page.get_by_label("第1项 金额（元）").fill("800")
    page.get_by_label("第2项 类别").select_option("fitness")
    page.get_by_label("第2项 金额（元）").fill("120")
    hall.click_and_wait(page.get_by_role("button", name="开始试算"))
    result = page.locator("#sim-result")
    assert "本级起付线600.00元" in result.inner_text()
    assert page.locator("#split-shared").inner_text() == "670.00 元"  # 800 - (800 - 600) × 65 %
    assert page.locator("#split-cash").inner_text() == "120.00 元"  # the fitness item
    hall.screenshot("ledger-simulator-375")
    hall.click_and_wait(page.get_by_role("button", name="确认结算并记入个人账户"))
    assert page.get_by_text("已记账").is_visible()
    hall.screenshot("ledger-settlement-375")
    settlement = Settlement.objects.get()
    assert settlement.shared_fen == 67_000 and settlement.cash_fen == 12_000

    hall.click_and_wait(page.get_by_role("link", name="查看共济使用明细"))
    assert page.locator("#paid-list").get_by_text("王德福").is_visible()
    assert page.locator("#my-balance").inner_text() == "330.00"
    hall.screenshot("ledger-usage-authorizer-375")

    # A cap for the child, then the statement.
    hall.click_and_wait(page.locator("#caps li", has_text="王小宇").get_by_role("link", name="设置上限"))
    page.get_by_label("每月共济上限（元）").fill("200")
    hall.click_and_wait(page.get_by_role("button", name="保存"))
    assert page.get_by_text("每月上限 200.00 元").is_visible()
    hall.click_and_wait(page.get_by_role("link", name="月度对账单"))
    assert page.locator("#closing").inner_text() == "330.00 元"
    hall.screenshot("ledger-statement-375")


def test_bad_input_is_refused_in_plain_chinese(hall, wang):
    family, son, father, _child = wang
    family.account(son)
    hall.sign_in(son.phone, TEST_PASSWORD)
    page = hall.visit("/ledger/simulator/")
    page.get_by_label("就医患者").select_option(label="王德福（父母）")
    page.get_by_label("就医机构类别").select_option("level3")
    page.get_by_label("外省").check()
    page.get_by_label("第1项 类别").select_option("drug")
    page.get_by_label("第1项 金额（元）").fill("-5")
    hall.click_and_wait(page.get_by_role("button", name="开始试算"))
    assert page.get_by_text("金额不能为负数。").is_visible()
    page.get_by_label("第1项 金额（元）").fill("300")
    hall.click_and_wait(page.get_by_role("button", name="开始试算"))
    assert "就医地不在共济资金使用范围内" in page.locator("#post-refusal").inner_text()
    hall.screenshot("ledger-simulator-refused-375")
    assert not LedgerEntry.objects.exclude(kind=EntryKind.OPENING).exists()


def test_the_relative_sees_what_he_spent_and_from_whom_in_elder_mode(hall, wang):
    family, son, father, child = wang
    first = timezone.localdate().replace(day=1)
    for day in (first, first + datetime.timedelta(days=1)):
        ledger.settlement_post(patient=father, authorizer=son, visit=visit(120), actor=None, on=day)
    family.account(father)
    hall.sign_in(father.phone, TEST_PASSWORD)
    page = hall.visit("/ledger/usage/")
    received = page.locator("#received-list")
    assert received.get_by_text("由 王*国 支付").first.is_visible()
    assert "王建国" not in received.inner_text()
    hall.screenshot("ledger-usage-relative-375")
    hall.click_and_wait(page.get_by_role("button", name="关怀模式"))
    assert "elder-mode" in page.evaluate("document.body.className")
    hall.screenshot("ledger-usage-relative-elder-375")
    hall.visit("/ledger/simulator/")
    assert page.get_by_text("为您共济的授权人：王*国").is_visible()
    hall.screenshot("ledger-simulator-elder-375")


def test_premium_page_says_what_the_data_lacks(hall, wang):
    family, son, _father, _child = wang
    family.account(son)
    hall.sign_in(son.phone, TEST_PASSWORD)
    page = hall.visit("/ledger/premium/")
    quotes = page.locator("#quotes")
    assert quotes.get_by_text("王小宇").first.is_visible()
    assert "不需要代缴居民医保费" in quotes.inner_text()  # the father is in 职工医保 himself
    assert "未在来源中说明" in quotes.inner_text()  # 江西 states no premium amount
    hall.screenshot("ledger-premium-375")


# --- issue 15: 住院 and 代缴 without a binding (policy rows built by hand: tests/bindings/ledger/issue15_world.py) ---

WIDE = {"width": 1280, "height": 900}


def _screens(hall, name):
    """375 px and desktop, as the page stands."""
    hall.screenshot(f"{name}-375")
    hall.page.set_viewport_size(WIDE)
    hall.screenshot(f"{name}-desktop")
    hall.page.set_viewport_size({"width": 375, "height": 812})


def test_an_inpatient_stay_from_the_slip_end_to_end(hall):
    from policies.choices import SpendScope
    from tests.bindings.ledger import issue15_world as world

    world.version("719900", "宜春市", "江西省", spend_scope=SpendScope.PROVINCE, inpatient_allowed=True)
    son = world.person("719902", balance_yuan=3000, name="王建国")
    father = world.person("719902", resident=True, birth=datetime.date(1950, 1, 15), name="王德福")
    world.bound(son, father, Relationship.PARENT)
    world.UserFactory(person=son)
    hall.sign_in(son.phone, TEST_PASSWORD)
    page = hall.visit("/ledger/simulator/")
    assert not page.locator("#inpatient-slip").is_visible()  # 门诊 is chosen: the slip's fields are hidden
    page.get_by_label("就医患者").select_option(label="王德福（父母）")
    page.get_by_label("住院", exact=True).check()
    assert page.locator("#inpatient-slip").is_visible() and not page.locator("#outpatient-items").is_visible()
    page.get_by_label("就医机构类别").select_option("level2")
    page.get_by_label("住院总费用（元）").fill("10000")
    page.get_by_label("其中政策范围内费用（元）").fill("8000")
    page.get_by_label("统筹基金支付（元）").fill("5000")
    hall.click_and_wait(page.get_by_role("button", name="开始试算"))
    assert page.locator("#split-shared").inner_text() == "3,000.00 元"
    assert page.locator("#split-cash").inner_text() == "2,000.00 元"
    _screens(hall, "ledger-inpatient-simulator")
    hall.click_and_wait(page.get_by_role("button", name="确认结算并记入个人账户"))
    assert page.locator("#settlement-title").inner_text() == "住院结算单"
    _screens(hall, "ledger-inpatient-settlement")
    settlement = Settlement.objects.get()
    assert settlement.shared_fen == 300_000 and settlement.care == "inpatient"

    hall.click_and_wait(page.get_by_role("button", name="关怀模式"))
    assert "elder-mode" in page.evaluate("document.body.className")
    _screens(hall, "ledger-inpatient-settlement-elder")
    hall.click_and_wait(page.get_by_role("link", name="查看共济使用明细"))
    assert "住院" in page.locator("#paid-list").inner_text()
    page = hall.visit("/ledger/simulator/")
    page.get_by_label("住院", exact=True).check()
    _screens(hall, "ledger-inpatient-simulator-elder")


def test_premium_for_a_parent_in_law_without_a_binding_end_to_end(hall):
    from tests.bindings.ledger import issue15_world as world

    year = timezone.localdate().year + 1
    version = world.guigang_version()
    world.standard(version, year, "380", due_on=datetime.date(year - 1, 12, 31), is_demo=True)
    huang = world.person("729902", balance_yuan=4300, name="黄伟")
    in_law = world.person("729902", resident=True, birth=datetime.date(1953, 5, 5), name="韦秀芳")
    world.UserFactory(person=huang)
    hall.sign_in(huang.phone, TEST_PASSWORD)

    def look_up():
        page = hall.visit("/ledger/premium/")
        page.get_by_label("家人的居民身份证号码").fill(in_law.id_number)
        page.get_by_label("家人姓名").fill("韦秀芳")
        page.get_by_label("与您的关系").select_option("parent_in_law")
        page.get_by_label("缴费年度").select_option(str(year))
        hall.click_and_wait(page.get_by_role("button", name="查询应缴金额"))
        return page

    page = look_up()
    quote = page.locator("#unbound-quote")
    assert "380.00" in quote.inner_text() and "演示标准（非政策）" in quote.inner_text()
    _screens(hall, "ledger-premium-unbound-quote")
    page.get_by_label(f"我已核对：为韦秀芳缴纳{year}年度居民医保 380.00 元").check()
    hall.click_and_wait(page.get_by_role("button", name="从个人账户缴费"))
    hall.pass_step_up(huang.phone)  # the fresh identity check, then back to the page
    page = look_up()
    page.get_by_label(f"我已核对：为韦秀芳缴纳{year}年度居民医保 380.00 元").check()
    hall.click_and_wait(page.get_by_role("button", name="从个人账户缴费"))
    receipt = page.locator("#receipt").inner_text()
    assert "韦秀芳" in receipt and "配偶的父母" in receipt and "演示标准（非政策）" in receipt
    _screens(hall, "ledger-premium-unbound-receipt")
    hall.click_and_wait(page.get_by_role("button", name="关怀模式"))
    _screens(hall, "ledger-premium-unbound-receipt-elder")
    hall.visit("/ledger/premium/")
    _screens(hall, "ledger-premium-elder")
