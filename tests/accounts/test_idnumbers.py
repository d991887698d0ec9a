from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from accounts.idnumbers import make_id_number, parse_id_number

VALID = "360426199101010071"  # python-stdnum's own example


def test_valid_number_gives_birth_date_sex_and_region():
    info = parse_id_number(VALID)
    assert info.birth_date == date(1991, 1, 1)
    assert info.sex == "M"
    assert info.region_code == "360426"
    assert info.region_known is True
    assert info.warning == ""


def test_lower_case_x_and_spaces_are_normalised():
    # find a sequence whose check digit is X to exercise the letter
    for seq in range(1, 999):
        candidate = make_id_number("360902", date(1980, 1, 1), seq)
        if candidate.endswith("X"):
            assert parse_id_number(" " + candidate.lower() + " ").number == candidate
            break
    else:  # pragma: no cover - there is always one in 999 tries
        pytest.fail("no X check digit found")


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        ("36042619910101007", "id_length", "18位"),
        ("3604261991010100711", "id_length", "18位"),
        ("36042619910101A071", "id_format", "数字"),
        ("360426199101010072", "id_checksum", "校验位"),
    ],
)
def test_malformed_numbers_are_refused_in_chinese(value, code, words):
    with pytest.raises(ValidationError) as exc:
        parse_id_number(value)
    assert exc.value.code == code
    assert words in exc.value.messages[0]


def test_impossible_birth_date_is_refused():
    body = "36090219910230001"  # 30 February
    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(ValidationError) as exc:
        parse_id_number(number)
    assert exc.value.code == "id_birth_date"


def test_birth_date_in_the_future_is_refused():
    tomorrow = date.today() + timedelta(days=2)
    with pytest.raises(ValidationError) as exc:
        parse_id_number(make_id_number("360902", tomorrow, 1))
    assert exc.value.code == "id_birth_future"
    assert "晚于今天" in exc.value.messages[0]


def test_region_code_missing_from_the_table_is_accepted_with_a_warning():
    # 360999 is not an assigned county code in stdnum's table (which stops in 2014).
    info = parse_id_number(make_id_number("360999", date(2016, 3, 3), 8))
    assert info.region_known is False
    assert "360999" in info.warning


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31)), st.integers(min_value=0, max_value=999))
def test_every_generated_number_is_valid(birth, seq):
    info = parse_id_number(make_id_number("430405", birth, seq))
    assert info.birth_date == birth
    assert info.sex == ("M" if seq % 2 else "F")
