"""Cases made straight in the database for the dashboard and export tests: any region, status, channel and age."""

import datetime
import itertools

from django.utils import timezone

from bindings.makerchecker import FIRST_APPROVAL
from bindings.models import ActorRole, Application, Binding, BindingEvent, Status
from bindings.selectors import working_days_between
from tests.factories import DISTRICTS, UserFactory, person_in

_numbers = itertools.count(1)


def case(city="yichun", status=Status.SUBMITTED, submitted=None, channel="app", decided=None):
    """A binding in `city` submitted at `submitted` (a date or datetime, default now); `decided` adds the
    approval or rejection event at that moment."""
    user = UserFactory(person=person_in(city))
    relative = person_in(city)
    submitted = submitted or timezone.now()
    if isinstance(submitted, datetime.date) and not isinstance(submitted, datetime.datetime):
        submitted = timezone.make_aware(datetime.datetime.combine(submitted, datetime.time(10)))
    application = Application.objects.create(
        case_number=f"GJ20260101{next(_numbers):06d}",
        authorizer=user.person,
        created_by=user,
        channel=channel,
        city_code=DISTRICTS[city][:4] + "00",
        submitted_at=submitted,
    )
    binding = Binding.objects.create(
        application=application,
        authorizer=user.person,
        relative=relative,
        relationship="child",
        status=status,
        submitted_at=submitted,
    )
    BindingEvent.objects.create(
        binding=binding,
        actor=user,
        actor_role=ActorRole.AUTHORIZER,
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        channel=channel,
        created_at=submitted,
    )
    if decided:
        BindingEvent.objects.create(
            binding=binding,
            actor_role=ActorRole.CLERK,
            from_status=Status.SUBMITTED,
            to_status=status,
            channel=channel,
            created_at=decided,
        )
    return binding


def first_approval(binding, clerk):
    BindingEvent.objects.create(
        binding=binding,
        actor=clerk,
        actor_role=ActorRole.CLERK,
        from_status=Status.SUBMITTED,
        to_status=Status.SUBMITTED,
        reason_code=FIRST_APPROVAL,
        channel=binding.application.channel,
    )


def oldest_on_time(today, limit):
    """The earliest submission date not yet overdue today (waited exactly `limit` working days); the day
    before it is overdue."""
    day = today
    while working_days_between(day - datetime.timedelta(days=1), today) <= limit:
        day -= datetime.timedelta(days=1)
    return day
