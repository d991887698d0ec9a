import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import InsuredPersonFactory

# District codes (for ID numbers and insured city) per city in the data files.
DISTRICTS = {
    "yichun": "360902",
    "panzhihua": "510402",
    "luzhou": "510502",
    "guigang": "450802",
    "hengyang": "430405",
    "xiangtan": "430302",
}


@pytest.fixture
def policies(db):
    """The real data files, through the real loader."""
    call_command("load_policies", stdout=StringIO(), stderr=StringIO())


@pytest.fixture
def person():
    """Make a registry person in a city: person("panzhihua", birth=date(...), resident=True, ...)."""

    def make(city="yichun", **kwargs):
        kwargs.setdefault("birth", datetime.date(1975, 5, 5))
        return InsuredPersonFactory(district=DISTRICTS.get(city, city), **kwargs)

    return make
