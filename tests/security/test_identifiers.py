"""Hole 3 (smaller): how typed identifiers are read (accounts.idnumbers.normalize_identifier), and region codes.

Full-width digits and letters (what Chinese input methods type) are the same number as ASCII ones, on every
path; Arabic-Indic and other non-ASCII digits are refused, though str.isdigit() and \\d accept them; and a
resident of 宜春's 袁州区 (360902) born before 2000 is not told his region is unknown.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.backends import user_for_identifier
from accounts.forms import FaceStartForm, PasswordLoginForm, RegisterForm, SmsLoginForm
from accounts.idnumbers import make_id_number, normalize_identifier, parse_id_number
from accounts.models import SmsCode
from tests.conftest import last_sms_code
from tests.factories import TEST_PASSWORD, InsuredPersonFactory

FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789Xx"}  # ０-９, Ｘ, ｘ
ARABIC_INDIC = {ord(str(d)): 0x0660 + d for d in range(10)}  # ٠-٩


def full_width(value: str) -> str:
    return value.translate(FULL_WIDTH)


def arabic_indic(value: str) -> str:
    return value.translate(ARABIC_INDIC)


def with_other_digits(value: str, digits=arabic_indic) -> str:
    """Other digits where str.isdigit() and \\d took them: after a phone's "13", in an ID number's first 17.
    (A leading "1" or a final check digit in other digits was refused anyway: [3-9] and the check digit are
    ASCII.)"""
    if len(value) == 11:
        return value[:2] + digits(value[2:])
    return digits(value[:17]) + value[17:]


ID_NUMBER = make_id_number("360902", date(1975, 5, 5), 1)


def test_the_normalisation():
    assert normalize_identifier(full_width("13911112222")) == "13911112222"
    assert normalize_identifier(" 139\u30001111 2222\t") == "13911112222"  # an ideographic space too
    assert normalize_identifier(full_width(ID_NUMBER[:17] + "x")) == ID_NUMBER[:17] + "X"
    assert normalize_identifier(arabic_indic("13911112222")) == arabic_indic("13911112222")  # left as typed
    assert arabic_indic("13911112222").isdigit()  # which is why nothing here asks isdigit()


def test_arabic_indic_digits_do_not_pass_the_id_validator():
    number = with_other_digits(ID_NUMBER)
    with pytest.raises(ValidationError) as exc:
        parse_id_number(number)
    assert exc.value.code == "id_format"


def devanagari(value: str) -> str:
    return value.translate({ord(str(d)): 0x0966 + d for d in range(10)})


@pytest.mark.parametrize("digits", [arabic_indic, devanagari])
def test_other_digits_are_refused_by_every_form(digits):
    phone, number = with_other_digits("13911112222", digits), with_other_digits(ID_NUMBER, digits)
    assert "phone" in SmsLoginForm({"phone": phone, "action": "send_code"}, sending_code=True).errors
    register = RegisterForm({"name": "王建国", "id_number": number, "phone": phone}, sending_code=True)
    assert {"id_number", "phone"} <= set(register.errors)
    assert "identifier" in FaceStartForm({"identifier": number, "consent": "on"}).errors


def test_full_width_input_is_accepted_and_stored_in_ascii():
    info = parse_id_number(full_width(ID_NUMBER))
    assert info.number == ID_NUMBER
    form = RegisterForm(
        {"name": "王建国", "id_number": full_width(ID_NUMBER), "phone": full_width("13911112222")}, sending_code=True
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["id_number"], form.cleaned_data["phone"]) == (ID_NUMBER, "13911112222")
    login = PasswordLoginForm({"identifier": full_width("139 1111 2222"), "password": "x"})
    assert login.is_valid() and login.cleaned_data["identifier"] == "13911112222"


@pytest.mark.django_db
def test_every_spelling_reaches_the_same_account_and_no_other_digits_do(resident):
    number = resident.person.id_number
    for spelling in (resident.phone, full_width(resident.phone), number, number.lower(), full_width(number)):
        assert user_for_identifier(spelling) == resident, spelling
    for spelling in (with_other_digits(resident.phone), with_other_digits(number)):
        assert user_for_identifier(spelling) is None, spelling


@pytest.mark.django_db
def test_sign_in_with_a_full_width_phone_number(client, resident):
    response = client.post("/accounts/login/", {"identifier": full_width(resident.phone), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)


@pytest.mark.django_db
def test_sign_in_with_arabic_indic_digits_is_refused(client, resident):
    response = client.post(
        "/accounts/login/", {"identifier": with_other_digits(resident.phone), "password": TEST_PASSWORD}
    )
    assert "账号或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_code_requested_with_full_width_digits_goes_to_the_ascii_number(client, resident):
    client.post("/accounts/login/sms/", {"phone": full_width(resident.phone), "action": "send_code"})
    assert SmsCode.objects.filter(phone=resident.phone).count() == 1


# --- region codes ---------------------------------------------------------------------------------------------

# Every county-level code of the six cities the hall serves (policies/data/*.yaml), as GB/T 2260 lists them
# (民政部 县级以上行政区划代码, 2023). Residents born long before a district got its code carry it all the same:
# the code is the household's county when the number was assigned (GB 11643-1999), not at birth.
HALL_COUNTIES = {
    "宜春": ["360902", "360921", "360922", "360923", "360924", "360925", "360926", "360981", "360982", "360983"],
    "攀枝花": ["510402", "510403", "510411", "510421", "510422"],
    "泸州": ["510502", "510503", "510504", "510521", "510522", "510524", "510525"],
    "贵港": ["450802", "450803", "450804", "450821", "450881"],
    "衡阳": [
        *("430405", "430406", "430407", "430408", "430412", "430421"),
        *("430422", "430423", "430424", "430426", "430481", "430482"),
    ],
    "湘潭": ["430302", "430304", "430321", "430381", "430382"],
}


def test_yichun_yuanzhou_360902_is_not_warned_as_unknown():
    info = parse_id_number(make_id_number("360902", date(1975, 5, 5), 1))
    assert info.region_known is True
    assert info.warning == ""


@pytest.mark.parametrize("code", [code for codes in HALL_COUNTIES.values() for code in codes])
def test_no_county_of_the_halls_cities_is_warned_for_an_older_resident(code):
    assert parse_id_number(make_id_number(code, date(1950, 1, 1), 7)).warning == ""


def test_unknown_and_abolished_codes_are_still_warned():
    assert not parse_id_number(make_id_number("360999", date(1975, 5, 5), 8)).region_known  # never assigned
    # 衡阳 江东区 (430402) was abolished in 2001: nobody born in 2010 can have been given it.
    assert not parse_id_number(make_id_number("430402", date(2010, 3, 3), 8)).region_known
    assert parse_id_number(make_id_number("430402", date(1980, 3, 3), 8)).region_known


@pytest.mark.django_db
def test_registration_of_a_yuanzhou_resident_born_in_1975_shows_no_region_warning(client):
    person = InsuredPersonFactory(name="袁州", district="360902", birth=date(1975, 5, 5), resident=True, phone="")
    response = client.post(
        "/accounts/register/",
        {"name": person.name, "id_number": person.id_number, "phone": "13700004444", "action": "send_code"},
    )
    page = response.content.decode()
    assert "验证码已发送" in page
    assert "不在本系统的行政区划表中" not in page


@pytest.mark.django_db
def test_an_sms_code_typed_in_full_width_digits_signs_in(client, resident):
    client.post("/accounts/login/sms/", {"phone": resident.phone, "action": "send_code"})
    code = full_width(last_sms_code(resident.phone))
    response = client.post("/accounts/login/sms/", {"phone": full_width(resident.phone), "sms_code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)
