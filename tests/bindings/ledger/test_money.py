"""Money in one module: one way to read 元, one formatter of fen, one template filter, admin columns through it."""

from decimal import Decimal
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.contrib.admin.sites import site
from django.template import Context, Template, engines
from django.template.loader import get_template

from bindings.ledger.money import MAX_ITEM_FEN, fen_text, parse_yuan, yuan_to_fen
from bindings.models import LedgerEntry, PremiumPayment, Settlement
from tests.factories import InsuredPersonFactory

# --- parsing what people type ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("128.5", 12850),
        ("128.50", 12850),
        ("0.29", 29),
        ("007", 700),
        ("１２８．５", 12850),  # full-width digits and point, as phone keyboards type them
        ("128。5", 12850),  # a Chinese keyboard's '.'
        ("128.5元", 12850),
        (" 128 元 ", 12800),
        ("１２８元", 12800),
        ("+5", 500),
        ("1,234.50", 123450),
        ("１，２３４．５", 123450),
        ("12,345,678", 1_234_567_800),
    ],
)
def test_parse_yuan_accepts_what_people_type(typed, fen):
    assert parse_yuan(typed, limit=10**12) == fen


@pytest.mark.parametrize(
    ("typed", "code", "says"),
    [
        ("", "required", "请填写金额"),
        ("元", "required", "请填写金额"),
        ("-5", "negative", "不能为负数"),
        ("－５", "negative", "不能为负数"),
        ("\u22125", "negative", "不能为负数"),  # the typographic minus sign
        ("1.234", "precision", "两位小数"),
        ("0.001", "precision", "两位小数"),
        ("abc", "not_a_number", "128.50"),
        ("1e3", "not_a_number", "128.50"),
        ("1.2.3", "not_a_number", "128.50"),
        ("0", "zero", "大于0元"),
        ("0.00", "zero", "大于0元"),
        ("100000.01", "too_large", "100,000.00元"),
    ],
)
def test_parse_yuan_refuses_with_a_plain_reason(typed, code, says):
    with pytest.raises(forms.ValidationError) as caught:
        parse_yuan(typed)
    assert caught.value.code == code
    assert says in caught.value.messages[0]


@pytest.mark.parametrize("typed", ["12,50", "1,23", "1,2345.00", ",100"])
def test_parse_yuan_refuses_a_decimal_comma(typed):
    """Regression: '12,50' (someone's 12.50) was read as 1250 元, a hundred times the amount."""
    with pytest.raises(forms.ValidationError) as caught:
        parse_yuan(typed)
    assert caught.value.code == "separator"
    assert "小数点" in caught.value.messages[0]


def test_parse_yuan_limits_and_zero():
    assert parse_yuan("100000") == MAX_ITEM_FEN  # the limit itself is allowed
    assert parse_yuan("0", allow_zero=True) == 0
    assert parse_yuan("5000", limit=500_000) == 500_000
    with pytest.raises(forms.ValidationError, match="5,000.00元"):
        parse_yuan("5000.01", limit=500_000)
    with pytest.raises(forms.ValidationError):
        parse_yuan("9" * 40)  # no overflow, just too large


# --- formatting fen -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00"), (5, "0.05"), (29, "0.29"), (-29, "-0.29"), (12345, "123.45"), (123450, "1,234.50")],
)
def test_fen_text(fen, text):
    assert fen_text(fen) == text


def test_fen_text_is_exact_beyond_float_precision():
    assert fen_text(2**53 + 1) == "90,071,992,547,409.93"  # the float division printed ...409.94


def test_fen_text_variants():
    assert fen_text(123450, grouped=False) == "1234.50"
    assert fen_text(180000, trim=True) == "1,800"
    assert fen_text(1250, trim=True) == "12.50"
    assert fen_text(-100, trim=True) == "-1"


@pytest.mark.parametrize("value", [1.5, Decimal("1.50"), "150", True, None])
def test_fen_text_takes_only_integer_fen(value):
    with pytest.raises(TypeError):
        fen_text(value)


def test_yuan_to_fen():
    assert yuan_to_fen(Decimal("600.00")) == 60000
    assert yuan_to_fen("3560.00") == 356000
    assert yuan_to_fen(400) == 40000
    assert yuan_to_fen(Decimal("0.005")) == 1  # half up
    assert yuan_to_fen(None) is None
    with pytest.raises(TypeError):
        yuan_to_fen(0.29)


# --- the template filter --------------------------------------------------------------------------------------


def test_one_money_filter_name():
    """Regression: `yuan` meant fen in the hall library and Decimal 元 in the policies library."""
    money_filters = {
        (name, filter_name)
        for name, library in engines["django"].engine.template_libraries.items()
        for filter_name in library.filters
        if "yuan" in filter_name or "fen" in filter_name
    }
    assert money_filters == {("hall", "fen_yuan")}


@pytest.mark.parametrize(("value", "shown"), [(356000, "3,560.00"), (29, "0.29"), (-29, "-0.29"), (None, ""), ("", "")])
def test_fen_yuan_filter(value, shown):
    assert Template("{% load hall %}{{ f|fen_yuan }}").render(Context({"f": value})) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(Decimal("600.00"), ">600<"), (Decimal("12.50"), ">12.50<"), (Decimal("1800"), ">1,800<")]
)
def test_policy_numbers_go_through_the_same_formatter(value, shown):
    html = Template('{% load policies %}{% number v "deductible_yuan" %}').render(Context({"v": value}))
    assert shown in html and f'value="{value}"' in html


def test_every_template_compiles():
    """A template still using a removed filter name fails here, not in front of a resident."""
    root = Path(settings.BASE_DIR) / "templates"
    names = [str(p.relative_to(root)) for p in root.rglob("*.html")]
    assert names
    for name in names:
        get_template(name)


# --- admin columns --------------------------------------------------------------------------------------------


def column(model, header_field: str):
    model_admin = site.get_model_admin(model)
    (found,) = [c for c in model_admin.list_display if callable(c) and c.__name__ == header_field]
    return found


def test_ledger_admin_columns_are_exact():
    """Regression: the ledger admin divided by 100 as a float."""
    entry = LedgerEntry(amount_fen=-29, balance_after_fen=2**53 + 1)
    assert column(LedgerEntry, "amount_yuan")(entry) == "-0.29"
    assert column(LedgerEntry, "balance_after_yuan")(entry) == "90,071,992,547,409.93"


def test_settlement_and_premium_columns_show_yuan():
    """Regression: these lists showed raw fen (40000 for a 400 元 premium)."""
    assert column(PremiumPayment, "amount_yuan")(PremiumPayment(amount_fen=40000)) == "400.00"
    settlement = Settlement(fund_fen=12345, own_account_fen=29, shared_fen=0)
    assert column(Settlement, "fund_yuan")(settlement) == "123.45"
    assert column(Settlement, "own_account_yuan")(settlement) == "0.29"
    assert column(Settlement, "shared_yuan")(settlement) == "0.00"


@pytest.mark.django_db
def test_registry_list_shows_the_balance_through_the_one_formatter(client, superuser):
    InsuredPersonFactory(balance_fen=123_429)
    client.force_login(superuser)
    assert "1,234.29" in client.get("/admin/accounts/insuredperson/").content.decode()
