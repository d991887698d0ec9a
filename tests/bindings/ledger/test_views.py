"""The ledger pages through the test client: login, bad input in plain Chinese, 404s, CSV, constant queries."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse

from accounts.models import SmsMessage
from bindings import services
from bindings.ledger import services as ledger
from bindings.models import EntryKind, LedgerEntry, PremiumPayment, Settlement, SpendingCap
from policies.relationships import Relationship
from tests.factories import clerk, step_up

from .conftest import assert_books_balance, balance, visit

Y = 100


@pytest.fixture
def wang(family):
    """宜春: 王 (1000 元) shares with his retired father (own account empty) and his child (居民医保)."""
    son = family.authorizer(balance_yuan=1000)
    father = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
    child = family.relative(birth=datetime.date(2015, 6, 1))
    b_father = family.bind(son, father, Relationship.PARENT)
    b_child = family.bind(son, child, Relationship.CHILD)
    return {"son": son, "father": father, "child": child, "b_father": b_father, "b_child": b_child, "family": family}


def login(client, family, person):
    client.force_login(family.account(person))
    return client


def sim_data(patient, *items, level="level1", location="insured_city", action="simulate", declared="", filed=False):
    data = {
        "patient": patient,
        "level": level,
        "location": location,
        "declared_fund": declared,
        "action": action,
        "items-TOTAL_FORMS": "4",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "8",
    }
    if filed:
        data["filed"] = "on"
    for i, (kind, amount) in enumerate(items):
        data[f"items-{i}-kind"] = kind
        data[f"items-{i}-amount"] = amount
    return data


def test_every_ledger_page_needs_sign_in(client, db):
    resolver = get_resolver()
    patterns = [p for p in resolver.url_patterns if str(p.pattern) == "ledger/"][0].url_patterns
    assert len(patterns) >= 9
    for pattern in patterns:
        assert isinstance(pattern, URLPattern)
        kwargs = {"pk": 1} if "<int:pk>" in str(pattern.pattern) else {}
        url = reverse(f"ledger:{pattern.name}", kwargs=kwargs)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and "/login/" in response["Location"], url


def test_simulator_offers_oneself_and_the_relatives_one_authorizes(client, wang):
    page = login(client, wang["family"], wang["son"]).get(reverse("ledger:simulator")).content.decode()
    assert wang["father"].name in page and wang["child"].name in page and "本人" in page


def test_simulate_shows_the_steps_and_writes_nothing(client, wang):
    login(client, wang["family"], wang["son"])
    response = client.post(reverse("ledger:simulator"), sim_data(wang["b_father"].pk, ("drug", "1000")))
    page = response.content.decode()
    assert "起付线" in page and "600.00" in page and "65%" in page and "260.00" in page  # (1000 - 600) × 65 %
    assert "确认结算并记入个人账户" in page
    assert not Settlement.objects.exists()


def test_post_settles_redirects_to_the_slip_and_notifies(client, wang):
    login(client, wang["family"], wang["son"])
    sms_before = SmsMessage.objects.count()
    response = client.post(reverse("ledger:simulator"), sim_data(wang["b_father"].pk, ("drug", "1000"), action="post"))
    settlement = Settlement.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ledger:settlement", args=[settlement.pk])
    assert settlement.shared_fen == 740 * Y and balance(wang["son"]) == 260 * Y
    assert SmsMessage.objects.count() == sms_before + 1
    slip = client.get(response["Location"]).content.decode()
    assert settlement.serial in slip and "740.00" in slip
    assert_books_balance(wang["son"])


@pytest.mark.parametrize(
    "amount, message",
    [
        ("-5", "金额不能为负数"),
        ("0", "金额须大于0元"),
        ("abc", "请输入数字金额"),
        ("1e5", "请输入数字金额"),
        ("12.345", "最多保留两位小数"),
        ("99999999", "金额不能超过100,000.00元"),
    ],
)
def test_bad_amounts_are_explained_and_nothing_is_written(client, wang, amount, message):
    login(client, wang["family"], wang["son"])
    response = client.post(reverse("ledger:simulator"), sim_data(wang["b_father"].pk, ("drug", amount), action="post"))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Settlement.objects.exists() and not LedgerEntry.objects.exclude(kind=EntryKind.OPENING).exists()


def test_full_width_digits_and_yuan_are_understood(client, wang):
    login(client, wang["family"], wang["son"])
    client.post(reverse("ledger:simulator"), sim_data(wang["b_father"].pk, ("drug", "１２０．５０元"), action="post"))
    assert Settlement.objects.get().in_scope_fen == 12050


def test_no_items_and_kindless_amounts(client, wang):
    login(client, wang["family"], wang["son"])
    page = client.post(reverse("ledger:simulator"), sim_data(wang["b_father"].pk)).content.decode()
    assert "请至少填写一项费用及金额" in page
    page = client.post(reverse("ledger:simulator"), sim_data(wang["b_father"].pk, ("", "10"))).content.decode()
    assert "请选择这笔费用的类别" in page


def test_a_patient_not_bound_to_the_payer(client, wang, family):
    other = family.authorizer()
    stranger = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
    theirs = family.bind(other, stranger, Relationship.PARENT)
    login(client, family, wang["son"])
    page = client.post(reverse("ledger:simulator"), sim_data(theirs.pk, ("drug", "100"), action="post")).content
    assert "没有家庭共济关系" in page.decode() and not Settlement.objects.exists()


def test_an_ended_binding(client, wang):
    services.binding_dissolve_by_party(binding=wang["b_father"], user=wang["family"].account(wang["father"]))
    login(client, wang["family"], wang["son"])
    page = client.post(reverse("ledger:simulator"), sim_data(wang["b_father"].pk, ("drug", "100"), action="post"))
    assert "已结束" in page.content.decode() and not Settlement.objects.exists()


def test_outside_the_scope_is_refused_with_the_reason(client, wang):
    login(client, wang["family"], wang["son"])
    data = sim_data(wang["b_father"].pk, ("drug", "100"), location="other_province", filed=True, action="post")
    page = client.post(reverse("ledger:simulator"), data).content.decode()
    assert "就医地不在共济资金使用范围内" in page and not Settlement.objects.exists()


def test_unstated_pooling_is_shown_and_needs_the_slip(client, wang):
    login(client, wang["family"], wang["son"])
    page = client.post(reverse("ledger:simulator"), sim_data(wang["b_child"].pk, ("drug", "100"))).content.decode()
    assert "未在来源中说明" in page and "不能记账" in page
    response = client.post(
        reverse("ledger:simulator"), sim_data(wang["b_child"].pk, ("drug", "100"), declared="30", action="post")
    )
    assert response.status_code == 302 and Settlement.objects.get().shared_fen == 70 * Y


def test_the_relative_simulates_for_himself_with_his_authorizer(client, wang):
    login(client, wang["family"], wang["father"])
    page = client.get(reverse("ledger:simulator")).content.decode()
    assert "为您共济的授权人" in page
    client.post(reverse("ledger:simulator"), sim_data("self", ("drug", "100"), action="post"))
    assert Settlement.objects.get().shared_fen == 100 * Y


# --- usage records ------------------------------------------------------------------------------------------


def _debits(wang, n, on=datetime.date(2025, 5, 10)):
    for i in range(n):
        patient = wang["father"] if i % 2 == 0 else wang["child"]
        ledger.settlement_post(
            patient=patient, authorizer=wang["son"], visit=visit(10), actor=None, on=on, declared_fund_fen=0
        )


def test_usage_page_by_relative_and_month_for_both_sides(client, wang):
    _debits(wang, 3)
    page = login(client, wang["family"], wang["son"]).get(reverse("ledger:usage"), {"year": 2025}).content.decode()
    assert "2025-05" in page and wang["father"].name in page and wang["child"].name in page
    assert "20.00" in page and "10.00" in page  # father twice, child once
    client.logout()
    page = login(client, wang["family"], wang["child"]).get(reverse("ledger:usage"), {"year": 2025}).content.decode()
    assert "我使用的共济余额" in page and "家人使用我的共济余额" not in page
    assert "10.00" in page and wang["son"].name not in page  # the authorizer's name is masked for the relative


def test_usage_filter_by_relative(client, wang):
    _debits(wang, 3)
    login(client, wang["family"], wang["son"])
    response = client.get(reverse("ledger:usage"), {"year": 2025, "relative": wang["child"].pk})
    assert len(response.context["paid_page"].object_list) == 1


@pytest.mark.parametrize("who", ["son", "father"])
@pytest.mark.usefixtures("uncached_pages")  # what building the page costs
def test_usage_queries_do_not_grow_with_the_data(client, wang, who):
    login(client, wang["family"], wang[who])
    _debits(wang, 1)
    client.get(reverse("ledger:usage"), {"year": 2025})  # warm: the switcher's answer is cached after one page
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("ledger:usage"), {"year": 2025})
    _debits(wang, 8, on=datetime.date(2025, 6, 3))
    ledger.spending_cap_set(
        binding=wang["b_child"], monthly_limit_fen=500 * Y, actor=wang["family"].account(wang["son"])
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("ledger:usage"), {"year": 2025})
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.usefixtures("uncached_pages")  # what building the page costs
def test_statement_queries_do_not_grow_with_the_data(client, wang):
    login(client, wang["family"], wang["son"])
    _debits(wang, 1)
    client.get(reverse("ledger:statement"), {"month": "2025-05"})  # warm: the switcher's answer is cached
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("ledger:statement"), {"month": "2025-05"})
    _debits(wang, 8)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("ledger:statement"), {"month": "2025-05"})
    assert len(many) == len(few)


def test_csv_export_for_the_authorizer_and_the_relative(client, wang):
    _debits(wang, 2)
    login(client, wang["family"], wang["son"])
    response = client.get(reverse("ledger:usage_csv"), {"role": "paid", "year": 2025})
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["日期", "使用人", "关系", "就医机构", "就医地", "共济支付（元）", "结算单号", "就医类型"]
    assert sorted(r[1] for r in rows[1:]) == sorted([wang["father"].name, wang["child"].name])
    serials = set(Settlement.objects.values_list("serial", flat=True))
    assert {r[6] for r in rows[1:]} == serials and {r[5] for r in rows[1:]} == {"10.00"}
    assert {r[3] for r in rows[1:]} == {"一级定点医疗机构"} and {r[4] for r in rows[1:]} == {"参保地（本市）"}
    client.logout()
    login(client, wang["family"], wang["child"])
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("ledger:usage_csv"), {"role": "received", "year": 2025})
                .content.decode()
                .lstrip("\ufeff")
            )
        )
    )
    assert len(rows) == 2 and rows[1][1] != wang["son"].name and "*" in rows[1][1] and rows[1][2] == "子女"


def test_a_relative_cannot_export_as_an_authorizer(client, wang):
    login(client, wang["family"], wang["child"])
    assert client.get(reverse("ledger:usage_csv"), {"role": "paid"}).status_code == 404


def test_statement_adds_up(client, wang):
    _debits(wang, 2)
    login(client, wang["family"], wang["son"])
    stmt = client.get(reverse("ledger:statement"), {"month": "2025-05"}).context["stmt"]
    assert stmt.opening_fen == 1000 * Y and stmt.debits_fen == 20 * Y and stmt.closing_fen == 980 * Y
    assert [line.balance_fen for line in stmt.lines] == [990 * Y, 980 * Y]


def test_someone_elses_settlement_is_404(client, wang, family):
    _debits(wang, 1)
    settlement = Settlement.objects.get()
    login(client, family, family.authorizer())
    assert client.get(reverse("ledger:settlement", args=[settlement.pk])).status_code == 404


# --- caps and premiums --------------------------------------------------------------------------------------


def test_cap_page_sets_the_cap_and_the_relative_sees_it(client, wang):
    login(client, wang["family"], wang["son"])
    url = reverse("ledger:cap", args=[wang["b_child"].pk])
    page = client.post(url, {"monthly_limit": "abc"}).content.decode()
    assert "请输入数字金额" in page and not SpendingCap.objects.exists()
    assert client.post(url, {"monthly_limit": "200"}).status_code == 302
    assert SpendingCap.objects.get().monthly_limit_fen == 200 * Y
    assert "每月上限 200.00 元" in client.get(reverse("ledger:usage")).content.decode()
    client.logout()
    login(client, wang["family"], wang["child"])
    assert "还可使用 200.00 元" in client.get(reverse("ledger:usage")).content.decode()
    # Issue 12: an 11-year-old changes nothing himself (his guardian acts for him) ...
    assert client.post(url, {"monthly_limit": "1"}).status_code == 403
    client.logout()
    login(client, wang["family"], wang["father"])
    assert client.post(url, {"monthly_limit": "1"}).status_code == 404  # ... and an adult relative: not his to set


def test_premium_page_and_payment(client, family, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: datetime.date(2024, 11, 1))
    liu = family.authorizer("hengyang", balance_yuan=6600)
    mother = family.relative("hengyang", birth=datetime.date(1950, 2, 14))
    binding = family.bind(liu, mother, Relationship.PARENT)
    login(client, family, liu)
    page = client.get(reverse("ledger:premium")).content.decode()
    assert "400.00" in page and "2025年度" in page and "未在来源中说明" not in page.split("2025年度")[1][:400]
    assert "未在来源中说明" in page  # 2024's amount is not in the data
    step_up(client, family.account(liu))  # paying from the account needs a fresh identity check, once per payment
    refused = client.post(reverse("ledger:premium"), {"binding": binding.pk, "year": 2025})
    assert refused.status_code == 302 and not PremiumPayment.objects.exists()
    step_up(client, family.account(liu))
    response = client.post(reverse("ledger:premium"), {"binding": binding.pk, "year": 2025, "confirm": "1"})
    payment = PremiumPayment.objects.get()
    assert response["Location"] == reverse("ledger:premium_receipt", args=[payment.pk])
    receipt = client.get(response["Location"]).content.decode()
    assert payment.serial in receipt and "400.00" in receipt and mother.name in receipt
    step_up(client, family.account(liu))
    again = client.post(reverse("ledger:premium"), {"binding": binding.pk, "year": 2025, "confirm": "1"}, follow=True)
    assert "不能重复缴纳" in again.content.decode() and PremiumPayment.objects.count() == 1


# --- the counter desk ---------------------------------------------------------------------------------------


def test_counter_clerk_settles_for_a_walk_in_patient_of_his_region(client, wang):
    client.force_login(clerk("360900", permissions=["use_counter"]))
    data = {**sim_data("self", ("drug", "1000"), action="post"), "id_number": wang["father"].id_number}
    response = client.post(reverse("ledger:counter"), data)
    settlement = Settlement.objects.get()
    assert response.status_code == 302 and settlement.channel == "counter" and settlement.shared_fen == 740 * Y
    assert client.get(response["Location"]).status_code == 200


def test_counter_refuses_other_regions_and_residents(client, wang):
    client.force_login(clerk("510400", permissions=["use_counter"]))
    data = {**sim_data("self", ("drug", "100"), action="post"), "id_number": wang["father"].id_number}
    assert "不在本窗口的经办区域" in client.post(reverse("ledger:counter"), data).content.decode()
    assert not Settlement.objects.exists()
    client.force_login(wang["family"].account(wang["son"]))
    assert client.get(reverse("ledger:counter")).status_code == 403
