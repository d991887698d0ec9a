from datetime import date

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from accounts.idnumbers import make_id_number
from accounts.models import Category, InsuranceStatus, InsuredPerson, Scheme

TEST_PASSWORD = "Hall-test-2026"


class InsuredPersonFactory(DjangoModelFactory):
    """A 职工医保 member in 宜春 by default; pass district/birth to move or age him."""

    class Meta:
        model = InsuredPerson
        skip_postgeneration_save = True

    class Params:
        district = "360902"
        birth = date(1975, 5, 5)
        resident = factory.Trait(scheme=Scheme.RESIDENT, category="", balance_fen=0)
        retired = factory.Trait(category=Category.RETIRED)
        flexible = factory.Trait(category=Category.FLEXIBLE)
        suspended = factory.Trait(status=InsuranceStatus.SUSPENDED)
        terminated = factory.Trait(status=InsuranceStatus.TERMINATED)

    id_number = factory.LazyAttributeSequence(lambda o, n: make_id_number(o.district, o.birth, (n % 999) + 1))
    name = factory.Faker("name", locale="zh_CN")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    scheme = Scheme.EMPLOYEE
    category = Category.EMPLOYED
    status = InsuranceStatus.NORMAL
    province_code = factory.LazyAttribute(lambda o: o.district[:2] + "0000")
    city_code = factory.LazyAttribute(lambda o: o.district[:4] + "00")
    balance_fen = 100_000


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    person = factory.SubFactory(InsuredPersonFactory)
    phone = factory.LazyAttribute(lambda o: o.person.phone if o.person else "")
    first_name = factory.LazyAttribute(lambda o: o.person.name if o.person else "")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    person = None
    is_staff = True
    username = factory.Sequence(lambda n: f"clerk{n}")
