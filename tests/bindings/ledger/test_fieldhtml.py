"""The ledger forms' fields written out in Python (bindings.ledger.fieldhtml) give crispy's markup: same elements,
classes, ids, labels, required marks, errors, help texts and aria attributes, for every field, valid and not."""

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.template import engines

from bindings.ledger import fieldhtml
from bindings.ledger.forms import CounterPatientForm, ItemFormSet, SimulatorForm, UnboundPremiumForm

PATIENTS = [("self", "本人（王<建国>）", None), ("7", "李秀英（配偶）", None)]
SIMULATOR_POSTS = [
    None,
    {},
    {"patient": "7", "care": "outpatient", "level": "level1", "location": "province", "filed": "on"},
    {"patient": "x", "care": "inpatient", "level": "pharmacy", "location": "nowhere", "inpatient_total": "a&b"},
    {"care": "inpatient", "inpatient_total": "10", "inpatient_in_scope": "20", "inpatient_fund": "1",
     "declared_fund": "-"},
    {"care": "dental", "level": "level2", "location": "other_province", "declared_fund": '"5"'},
]  # fmt: skip
UNBOUND_POSTS = [
    None,
    {},
    {"unbound-id_number": "1", "unbound-name": "<b>", "unbound-relationship": "nope", "unbound-year": "1999"},
    {"unbound-id_number": "", "unbound-name": "张三", "unbound-relationship": "spouse_parent", "unbound-year": "2027"},
]


def normal(html: str) -> str:
    """Whitespace is not markup: runs become one space, none next to a tag's brackets."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*([<>])\s*", r"\1", html).strip()


def both_ways(make_form, name):
    # Two form instances: crispy sets the widget's class on the instance it renders.
    mine, theirs = make_form(), make_form()
    theirs.is_valid(), mine.is_valid()
    return normal(fieldhtml.field(mine[name])), normal(as_crispy_field(theirs[name]))


@pytest.mark.parametrize("data", SIMULATOR_POSTS)
@pytest.mark.parametrize("name", list(SimulatorForm.base_fields))
def test_simulator_fields_are_crispys_markup(name, data):
    mine, theirs = both_ways(lambda: SimulatorForm(data, patients=PATIENTS), name)
    assert mine == theirs


@pytest.mark.parametrize("data", UNBOUND_POSTS)
@pytest.mark.parametrize("name", ["id_number", "name", "relationship", "year"])
def test_unbound_premium_fields_are_crispys_markup(name, data):
    relationships = [("spouse_parent", "配偶父母")]

    def make():
        return UnboundPremiumForm(data, relationships=relationships, years=[2026, 2027], prefix="unbound")

    mine, theirs = both_ways(make, name)
    assert mine == theirs


@pytest.mark.parametrize("data", [None, {"id_number": ""}, {"id_number": "110101199003070011"}])
def test_the_counter_id_number_is_crispys_markup(data):
    mine, theirs = both_ways(lambda: CounterPatientForm(data), "id_number")
    assert mine == theirs


OLD_ITEM_ROWS = """{% load i18n %}{% for f in items %}
    <div class="row g-2 mb-2 item-row">
      <div class="col-7">
        <label class="form-label small mb-0" for="{{ f.kind.id_for_label }}">{% blocktranslate with n=forloop.counter %}第{{ n }}项 类别{% endblocktranslate %}</label>
        <select name="{{ f.kind.html_name }}" id="{{ f.kind.id_for_label }}" class="form-select{% if f.kind.errors %} is-invalid{% endif %}"{% if f.kind.errors %} aria-describedby="{{ f.kind.id_for_label }}-error"{% endif %}>
          {% for value, label in f.fields.kind.choices %}<option value="{{ value }}"{% if f.kind.value|stringformat:"s" == value|stringformat:"s" %} selected{% endif %}>{{ label }}</option>{% endfor %}
        </select>
        {% if f.kind.errors %}<div class="invalid-feedback d-block" id="{{ f.kind.id_for_label }}-error">{{ f.kind.errors|join:" " }}</div>{% endif %}
      </div>
      <div class="col-5">
        <label class="form-label small mb-0" for="{{ f.amount.id_for_label }}">{% blocktranslate with n=forloop.counter %}第{{ n }}项 金额（元）{% endblocktranslate %}</label>
        <input type="text" name="{{ f.amount.html_name }}" id="{{ f.amount.id_for_label }}" value="{{ f.amount.value|default_if_none:'' }}" inputmode="decimal" autocomplete="off" class="form-control{% if f.amount.errors %} is-invalid{% endif %}"{% if f.amount.errors %} aria-describedby="{{ f.amount.id_for_label }}-error"{% endif %}>
        {% if f.amount.errors %}<div class="invalid-feedback d-block" id="{{ f.amount.id_for_label }}-error">{{ f.amount.errors|join:" " }}</div>{% endif %}
      </div>
    </div>
    {% endfor %}"""  # noqa: E501 - simulator.html's loop before the rows were written in Python

ITEM_POSTS = [
    None,
    {"items-TOTAL_FORMS": "4", "items-INITIAL_FORMS": "0", "items-0-kind": "drug", "items-0-amount": "12.5"},
    {"items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0", "items-0-amount": "<1>", "items-1-kind": "device"},
    {"items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-0-kind": "bogus", "items-1-amount": "9"},
]


@pytest.mark.parametrize("data", ITEM_POSTS)
def test_item_rows_are_the_templates_markup(data):
    items = ItemFormSet(data, prefix="items")
    items.is_valid()
    old = engines["django"].from_string(OLD_ITEM_ROWS).render({"items": items})
    assert normal(fieldhtml.item_rows(items)) == normal(old)


@pytest.mark.parametrize("data", [*ITEM_POSTS, {"items-INITIAL_FORMS": "0"}])
def test_the_management_form_is_djangos_markup(data):
    items = ItemFormSet(data, prefix="items")
    assert normal(fieldhtml.hidden_inputs(items.management_form)) == normal(items.management_form)
