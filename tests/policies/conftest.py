import pytest

from tests.factories import person_in


@pytest.fixture
def person():
    """Make a registry person in a city: person("panzhihua", birth=date(...), resident=True, ...)."""
    return person_in
