import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import TEST_PASSWORD, InsuredPersonFactory, StaffFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real row locks and concurrent connections: skipped on SQLite."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def policies(db):
    """The real policy data, loaded by the real loader."""
    from django.core.management import call_command

    call_command("load_policies", verbosity=0)


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


def last_sms_code(phone: str) -> str:
    """Read the code out of the simulated gateway's outbox, as a resident reads his phone."""
    import re

    from accounts.models import SmsMessage

    message = SmsMessage.objects.filter(phone=phone).order_by("-id").first()
    assert message is not None, f"no SMS sent to {phone}"
    return re.search(r"(\d{6})", message.body).group(1)
