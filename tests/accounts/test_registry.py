from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.idnumbers import make_id_number
from accounts.models import InsuredPerson, Scheme
from accounts.regions import region_name
from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.django_db


def test_sex_and_birth_date_come_from_the_id_number():
    person = InsuredPersonFactory(district="510402", birth=date(1984, 7, 7))
    assert person.birth_date == date(1984, 7, 7)
    assert person.sex == ("M" if int(person.id_number[16]) % 2 else "F")
    assert person.age_on(date(2026, 7, 6)) == 41
    assert person.age_on(date(2026, 7, 7)) == 42


def test_negative_balance_is_refused_by_the_database():
    person = InsuredPersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InsuredPerson.objects.filter(pk=person.pk).update(balance_fen=-1)


def test_resident_scheme_cannot_hold_a_balance_or_category():
    person = InsuredPersonFactory(resident=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        InsuredPerson.objects.filter(pk=person.pk).update(balance_fen=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        InsuredPerson.objects.filter(pk=person.pk).update(category="employed")


def test_full_clean_explains_each_problem_in_chinese():
    person = InsuredPerson(
        id_number="360902197503120116",
        name="测试",
        scheme=Scheme.RESIDENT,
        category="employed",
        province_code="360000",
        city_code="510400",
        balance_fen=-5,
    )
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    errors = exc.value.message_dict
    assert "校验位" in errors["id_number"][0]
    assert "category" in errors and "balance_fen" in errors and "city_code" in errors


def test_full_clean_derives_fields_for_admin_entry():
    person = InsuredPerson(
        id_number=make_id_number("450802", date(1990, 1, 2), 2).lower(),
        name="覃测",
        scheme=Scheme.RESIDENT,
        province_code="450000",
        city_code="450800",
    )
    person.full_clean()
    assert person.birth_date == date(1990, 1, 2) and person.sex == "F"


def test_region_names():
    assert region_name("360900") == "江西省宜春市"
    assert region_name("510400") == "四川省攀枝花市"
    assert region_name("450800") == "广西壮族自治区贵港市"
    assert region_name("999999") == "999999"


def test_admin_registry_pages_mask_numbers(client, superuser):
    person = InsuredPersonFactory(name="王建国", phone="13955556666")
    client.force_login(superuser)
    page = client.get("/admin/accounts/insuredperson/").content.decode()
    assert person.id_number not in page
    assert person.id_number[:6] + "********" + person.id_number[-4:] in page
    assert "王*国" in page
    assert client.get(f"/admin/accounts/insuredperson/{person.pk}/change/").status_code == 200
