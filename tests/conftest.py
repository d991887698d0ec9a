import pytest
from django.core.cache import cache

from tests.factories import TEST_PASSWORD, InsuredPersonFactory, StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return TEST_PASSWORD


@pytest.fixture
def resident(db):
    """A signed-up 职工医保 member in 宜春 with a personal-account balance."""
    return UserFactory(person=InsuredPersonFactory(name="王建国", phone="13911112222"))


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def clerk(db):
    return StaffFactory(region_code="360900")


@pytest.fixture
def superuser(django_user_model, db):
    return django_user_model.objects.create_superuser("root", "root@example.invalid", TEST_PASSWORD)
