"""Rows for the query-count tests, written directly rather than through the services.

These tests are about reads: a page must run the same queries for 1 row as for 12. Twelve live bindings for
one authorizer exceed several cities' limits, which the services rightly refuse, so the rows are made here
(the benchmark seeds its 50,000 the same way). The state machine itself is tested in tests/bindings.
"""

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bindings.models import Application, Binding, BindingEvent, Document, Status
from policies.choices import ChannelKind
from tests.factories import InsuredPersonFactory, UserFactory

YICHUN = "360902"  # 江西: no limit on the number of relatives, review "immediate"
_case = itertools.count(1)


@dataclass
class Rows:
    """Build bindings of every kind around one authorizer and one relative."""

    authorizer_user: object

    @property
    def authorizer(self):
        return self.authorizer_user.person

    def binding(self, *, status=Status.ACTIVE, relative=None, authorizer=None, channel=ChannelKind.ONLINE_HALL):
        authorizer = authorizer or self.authorizer
        now = timezone.now()
        relative = relative or InsuredPersonFactory(district=authorizer.city_code[:4] + "02", resident=True)
        application = Application.objects.create(
            case_number=f"GJ{date.today():%Y%m%d}{next(_case):06d}",
            authorizer=authorizer,
            created_by=self.authorizer_user,
            channel=channel,
            city_code=authorizer.city_code,
            notice_agreed_at=now,
            commitment_agreed_at=None if status == Status.DRAFT else now,
            submitted_at=None if status == Status.DRAFT else now,
        )
        binding = Binding.objects.create(
            application=application,
            authorizer=authorizer,
            relative=relative,
            relationship="child",
            status=status,
            submitted_at=application.submitted_at,
            activated_at=now if status in (Status.ACTIVE, Status.DISSOLVED) else None,
            ended_at=now - timedelta(days=1) if status == Status.DISSOLVED else None,
        )
        if status != Status.DRAFT:
            BindingEvent.objects.create(
                binding=binding,
                actor=self.authorizer_user,
                actor_role="authorizer",
                from_status=Status.DRAFT,
                to_status=Status.SUBMITTED,
                channel=channel,
            )
        if status not in (Status.DRAFT, Status.SUBMITTED):
            BindingEvent.objects.create(
                binding=binding, actor=None, actor_role="system", from_status=Status.SUBMITTED, to_status=status,
                channel=channel,
            )  # fmt: skip
        return binding

    def document(self, binding, n):
        return Document.objects.create(
            binding=binding,
            kind="household_register",
            storage_name=f"documents/2026/01/{binding.pk:08x}{n:024x}.jpg",
            content_type="image/jpeg",
            size=100,
            sha256=f"{binding.pk:032x}{n:032x}",
            width=400,
            height=300,
            uploaded_by=self.authorizer_user,
        )

    def mix(self, n):
        """n bindings of the authorizer in the states a resident accumulates."""
        states = itertools.cycle([Status.ACTIVE, Status.SUBMITTED, Status.DISSOLVED, Status.REJECTED, Status.RETURNED])
        return [self.binding(status=next(states)) for _ in range(n)]


@pytest.fixture
def rows(policies):
    user = UserFactory(person=InsuredPersonFactory(district=YICHUN, birth=date(1970, 1, 1)))
    return Rows(user)


@pytest.fixture
def count_queries():
    """Run a request and return (response, number of queries)."""

    def count(call):
        with CaptureQueriesContext(connection) as queries:
            response = call()
        assert response.status_code in (200, 302), response.status_code
        return len(queries)

    return count
