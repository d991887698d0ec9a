import pytest
from django.template import Context, Template

from accounts.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [("360902197503120115", "360902********0115"), ("36090219750312011X", "360902********011X"), ("", ""), (None, "")],
)
def test_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(("value", "masked"), [("13812345678", "138****5678"), ("", ""), ("123", "***")])
def test_phone(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"), [("王建国", "王*国"), ("李芳", "李*"), ("欧阳娜娜", "欧**娜"), ("王", "王")]
)
def test_name(value, masked):
    assert mask_name(value) == masked


def test_template_filters_use_the_same_helper():
    out = Template("{% load hall %}{{ i|mask_id }} {{ p|mask_phone }} {{ n|mask_name }} {{ f|fen_yuan }}").render(
        Context({"i": "360902197503120115", "p": "13812345678", "n": "王建国", "f": 356000})
    )
    assert out == "360902********0115 138****5678 王*国 3,560.00"
