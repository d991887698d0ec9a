"""代缴 (issue 15): the year's standard from the data with its late-payment rule (seed 002, 湖南: 400 元 in the
period, 400 + 670 元 after 12月31日), 代缴 without a binding where the source allows it (seed 003, 贵港: 配偶父母),
the 演示标准 label, and the supervisor's page for next year's standard. Policy rows are built by hand."""

import datetime

import pytest
from django.urls import reverse

from accounts.stepup import StepUpMethod, step_up_record
from bindings.ledger import premiums
from bindings.ledger import services as ledger
from bindings.ledger.errors import LedgerError
from bindings.models import EntryKind, LedgerEntry, PremiumPayment
from bindings.roles import ensure_roles
from policies.models import PolicyRevision, PremiumAmount
from policies.relationships import Relationship
from tests.factories import UserFactory, clerk

from . import issue15_world as world
from .conftest import assert_books_balance, balance

pytestmark = pytest.mark.django_db
Y = 100
IN_PERIOD = datetime.date(2024, 11, 1)
LATE = datetime.date(2025, 2, 1)


@pytest.fixture
def hengyang():
    version = world.version("739900", "衡阳市", "湖南省", premium_allowed=True, premium_scheme="resident")
    liu = world.person("739902", balance_yuan=6600)
    mother = world.person("739902", resident=True, birth=datetime.date(1950, 2, 14))
    world.bound(liu, mother, Relationship.PARENT)
    return version, liu, mother


def test_in_the_period_the_standard_after_it_the_late_extra_too(hengyang):
    version, liu, mother = hengyang
    world.standard(version, 2025, "400", due_on=datetime.date(2024, 12, 31), late_extra_yuan="670")
    on_time = ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=None, on=IN_PERIOD)
    assert (on_time.amount_fen, on_time.late_fen) == (400 * Y, 0)
    sister = world.person("739902", resident=True)
    world.bound(liu, sister, Relationship.SIBLING)
    late = ledger.premium_pay(payer=liu, beneficiary=sister, year=2025, actor=None, on=LATE)
    assert (late.amount_fen, late.late_fen) == (1070 * Y, 670 * Y)
    assert "逾期另缴670.00元" in LedgerEntry.objects.get(premium=late).description
    assert balance(liu) == (6600 - 400 - 1070) * Y
    assert_books_balance(liu)


def test_late_without_a_stated_late_amount_and_no_standard_are_refused(hengyang):
    version, liu, mother = hengyang
    world.standard(version, 2025, "400", due_on=datetime.date(2024, 12, 31))
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=None, on=LATE)
    assert info.value.code == "late_unstated" and "未在来源中说明" in info.value.message
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(payer=liu, beneficiary=mother, year=2026, actor=None, on=LATE)
    assert info.value.code == "amount_unstated" and "未在来源中说明" in info.value.message
    assert not PremiumPayment.objects.exists() and balance(liu) == 6600 * Y


def test_a_demo_standard_is_labelled_wherever_it_is_used(hengyang, client):
    version, liu, mother = hengyang
    world.standard(version, 2025, "300", is_demo=True)
    quote = premiums.premium_quote(payer=liu, binding=mother.bindings_as_relative.get(), year=2025, on=IN_PERIOD)
    assert quote.demo and quote.authority == "演示标准（非政策）"
    payment = ledger.premium_pay(payer=liu, beneficiary=mother, year=2025, actor=None, on=IN_PERIOD)
    assert "演示标准" in LedgerEntry.objects.get(premium=payment).description
    client.force_login(UserFactory(person=liu))
    page = client.get(reverse("ledger:premium_receipt", args=[payment.pk])).content.decode()
    assert "演示标准（非政策）" in page


@pytest.fixture
def guigang():
    version = world.guigang_version()
    world.standard(version, 2025, "380")
    huang = world.person("729902", balance_yuan=4300)
    return version, huang


def test_a_parent_in_law_is_paid_for_without_a_binding(guigang):
    _v, huang = guigang
    in_law = world.person("729902", resident=True, birth=datetime.date(1953, 5, 5))
    payment = ledger.premium_pay(
        payer=huang, beneficiary=in_law, relationship=Relationship.PARENT_IN_LAW, year=2025, actor=None, on=IN_PERIOD
    )
    assert payment.binding is None and payment.relationship == "parent_in_law" and payment.amount_fen == 380 * Y
    entry = LedgerEntry.objects.get(kind=EntryKind.PREMIUM)
    assert entry.beneficiary == in_law and "配偶的父母" in entry.description
    assert_books_balance(huang)
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(
            payer=huang, beneficiary=in_law, relationship="parent_in_law", year=2025, actor=None, on=IN_PERIOD
        )
    assert info.value.code == "already_paid"


def test_without_a_source_asking_for_a_binding_a_named_relative_is_paid_for_unbound(guigang):
    """Issue 15: paying a relative's premium needs no binding where the source does not say so."""
    _v, huang = guigang
    father = world.person("729902", resident=True, birth=datetime.date(1950, 5, 5))
    payment = ledger.premium_pay(
        payer=huang, beneficiary=father, relationship=Relationship.PARENT, year=2025, actor=None, on=IN_PERIOD
    )
    assert payment.binding is None and payment.relationship == Relationship.PARENT
    outside = world.person("739902", resident=True)
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(
            payer=huang, beneficiary=outside, relationship="parent_in_law", year=2025, actor=None, on=IN_PERIOD
        )
    assert info.value.code == "outside_premium_scope"
    assert PremiumPayment.objects.count() == 1 and balance(huang) == (4300 - 380) * Y


def test_where_the_source_asks_for_a_binding_first_an_unbound_relative_is_refused(guigang):
    version, huang = guigang
    version.premium_needs_binding = True
    version.save()
    world.policies_changed()
    father = world.person("729902", resident=True, birth=datetime.date(1950, 5, 5))
    with pytest.raises(LedgerError) as info:
        ledger.premium_pay(
            payer=huang, beneficiary=father, relationship=Relationship.PARENT, year=2025, actor=None, on=IN_PERIOD
        )
    assert info.value.code == "binding_required" and "须先为父母办理家庭共济绑定" in info.value.message
    assert not PremiumPayment.objects.exists() and balance(huang) == 4300 * Y


def test_the_page_looks_the_relative_up_quotes_and_pays(guigang, client, time_machine):
    time_machine.move_to(datetime.datetime(2024, 11, 1, 10, 0), tick=False)
    _v, huang = guigang
    in_law = world.person("729902", resident=True, birth=datetime.date(1953, 5, 5))
    client.session_user = UserFactory(person=huang)
    client.force_login(client.session_user)
    url = reverse("ledger:premium")
    page = client.get(url).content.decode()
    assert "为未绑定共济的家人代缴" in page and "配偶的父母" in page
    data = {
        "mode": "unbound",
        "action": "quote",
        "unbound-id_number": in_law.id_number,
        "unbound-name": in_law.name,
        "unbound-relationship": "parent_in_law",
        "unbound-year": "2025",
    }
    lookup = reverse("ledger:premium_lookup")
    wrong = client.post(lookup, {**data, "unbound-name": "张三丰"}).content.decode()
    assert "未在参保登记信息中找到该家人" in wrong
    quoted = client.post(lookup, data).content.decode()
    assert "380.00" in quoted and not PremiumPayment.objects.exists()
    _fresh_check(client)
    unconfirmed = client.post(url, {**data, "action": "pay"}).content.decode()
    assert "请勾选" in unconfirmed and not PremiumPayment.objects.exists()
    _fresh_check(client)
    response = client.post(url, {**data, "action": "pay", "unbound-confirm": "1"})
    payment = PremiumPayment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ledger:premium_receipt", args=[payment.pk])
    receipt = client.get(response["Location"]).content.decode()
    assert "配偶的父母" in receipt and "未绑定家庭共济" in receipt


def _fresh_check(client):
    """A passed identity check (accounts.stepup), as the 代缴 POST asks for one."""
    session = client.session
    step_up_record(session, user=client.session_user, method=StepUpMethod.SMS)
    session.save()


def test_the_page_offers_代缴_without_a_binding_unless_the_source_asks_for_one(hengyang, client):
    version, liu, _m = hengyang
    client.force_login(UserFactory(person=liu))
    page = client.get(reverse("ledger:premium")).content.decode()
    assert 'id="unbound-form"' in page and "不必先绑定家庭共济" in page and 'id="unbound-silent"' not in page
    version.premium_needs_binding = True
    version.save()
    world.policies_changed()
    page = client.get(reverse("ledger:premium")).content.decode()
    assert 'id="unbound-silent"' in page and "须先为家人办理家庭共济绑定" in page and 'id="unbound-form"' not in page


# --- the supervisor's page -----------------------------------------------------------------------------------


def _standard_form(version, **extra):
    return {"version": version.pk, "year": 2027, "amount_yuan": "420", "due_on": "2026-12-31", "quote": "", **extra}


def test_a_supervisor_enters_next_years_standard_with_its_source(hengyang, client):
    version, _liu, _m = hengyang
    ensure_roles()
    boss = clerk("", "主管")
    client.force_login(boss)
    url = reverse("admin:policies_premiumamount_add")
    refused = client.post(url, _standard_form(version))
    assert refused.status_code == 200 and "请选择该缴费标准的来源文件" in refused.content.decode()
    assert not PremiumAmount.objects.filter(year=2027).exists()
    source = world.source()
    response = client.post(
        url, _standard_form(version, source=source.pk, quote="2027年度个人缴费标准为每人每年420元。")
    )
    assert response.status_code == 302
    made = PremiumAmount.objects.get(year=2027)
    assert made.entered_by == boss and made.entered_at is not None and not made.is_demo
    assert PolicyRevision.objects.filter(version=version, changed_by=boss).exists()


def test_other_clerks_may_not_enter_a_standard(hengyang, client):
    ensure_roles()
    client.force_login(clerk("739900", "审核员", "窗口经办员"))
    assert client.get(reverse("admin:policies_premiumamount_add")).status_code == 403


def test_the_demo_carries_a_labelled_standard_for_wang_jianguo(policies):
    from bindings.demo import DEMO_PREMIUM_CITY, demo_premium_standard
    from policies.selectors import resolved_policy

    today = datetime.date(2026, 12, 1)
    assert resolved_policy(DEMO_PREMIUM_CITY, today).premium_for(2027) is None
    assert "演示标准" in demo_premium_standard(today)
    assert demo_premium_standard(today) == ""  # idempotent
    made = resolved_policy(DEMO_PREMIUM_CITY, today).premium_for(2027)
    assert made.is_demo and made.due_on == datetime.date(2026, 12, 31) and "演示标准（非政策）" in made.note
