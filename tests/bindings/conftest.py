"""Helpers for the binding tests: people, accounts and bindings in every state, made through the services.

Nothing here writes a status directly: an active binding is one that was applied for, proved and approved,
so a bug in any step shows up in every test that relies on it.
"""

import datetime
from dataclasses import dataclass

import pytest

from accounts.models import InsuranceStatus, SmsMessage, User
from bindings import services
from bindings.models import Application, Binding, BindingEvent, Notice, RejectReason, Status
from policies.relationships import Relationship
from tests.factories import UserFactory, clerk, jpeg_upload, person_in, relative_face_pass

ADULT = datetime.date(2000, 1, 1)
CHILD = datetime.date(2020, 6, 1)  # under 16 for years to come: needs the household register


@dataclass(frozen=True)
class Snapshot:
    """What a refused action must leave exactly as it was."""

    status: str
    events: int
    notices: int
    sms: int
    reason_code: str
    ended_at: datetime.datetime | None


def snapshot(binding: Binding) -> Snapshot:
    fresh = Binding.objects.get(pk=binding.pk)
    return Snapshot(
        status=fresh.status,
        events=BindingEvent.objects.filter(binding=binding).count(),
        notices=Notice.objects.count(),
        sms=SmsMessage.objects.count(),
        reason_code=fresh.reason_code,
        ended_at=fresh.ended_at,
    )


class Hall:
    """Builds registry people and walks them through the real services."""

    def person(self, city: str = "yichun", **kwargs):
        return person_in(city, **kwargs)

    def relative(self, city: str = "yichun", **kwargs):
        """A resident-scheme adult (no personal account of his own) in a city."""
        kwargs.setdefault("birth", ADULT)
        kwargs.setdefault("resident", True)
        return self.person(city, **kwargs)

    def account(self, person):
        """The person's sign-in account, created on first use."""
        return User.objects.filter(person=person).first() or UserFactory(person=person)

    def clerk(self, region_code: str = "510400"):
        return clerk(region_code)

    def start(self, authorizer, **kwargs) -> Application:
        return services.application_start(authorizer=authorizer, actor=self.account(authorizer), **kwargs)

    def add(self, application, relative, relationship=Relationship.CHILD, *, on=None, name=None, **kwargs):
        data = services.RelativeInput(
            id_type="resident_id",
            id_number=relative.id_number,
            name=name or relative.name,
            relationship=relationship,
            phone=kwargs.pop("phone", relative.phone),  # filled in, as where the city asks for it
            **kwargs,
        )
        result = services.binding_add_relative(
            application=application, data=data, actor=self.account(application.authorizer), on=on
        )
        if result.binding is not None and result.verdict.face_check_age is not None:
            relative_face_pass(result.binding, actor=self.account(application.authorizer))  # where the city asks
        return result

    def prove(self, binding: Binding) -> None:
        """Upload every document the engine asks of this binding (a distinct photo per kind)."""
        verdict = services.binding_verdict(binding=binding)
        assert verdict.eligible, verdict.reasons
        colours = iter(["white", "gray", "black", "yellow"])
        for requirement in verdict.proof:
            if requirement.upload_required:
                services.document_add(
                    binding=binding,
                    kind=requirement.kind,
                    upload=jpeg_upload(next(colours)),
                    actor=self.account(binding.authorizer),
                )

    def draft(self, authorizer, *relatives, relationship=Relationship.CHILD, prove=True, **details) -> Application:
        """An application with one eligible draft per relative, proved unless told otherwise."""
        application = self.start(authorizer)
        for relative in relatives:
            result = self.add(application, relative, relationship, **details)
            assert result.binding is not None, (result.verdict.reasons, result.problems)
            if prove:
                self.prove(result.binding)
        return application

    def submit(self, application) -> list[Binding]:
        return services.application_submit(
            application=application, actor=self.account(application.authorizer), commitment=True
        )

    def apply(self, authorizer, relative, relationship=Relationship.CHILD, **details) -> Binding:
        """Submitted (review regions) or already active (immediate regions)."""
        (binding,) = self.submit(self.draft(authorizer, relative, relationship=relationship, **details))
        return Binding.objects.get(pk=binding.pk)

    def approve(self, binding: Binding) -> Binding:
        clerk = self.clerk(binding.application.city_code)
        services.binding_approve(binding=binding, clerk=clerk, note="材料齐全")
        return Binding.objects.get(pk=binding.pk)

    def bind(self, authorizer, relative, relationship=Relationship.CHILD, **details) -> Binding:
        """An active binding, approved by a clerk of the region where the region reviews."""
        binding = self.apply(authorizer, relative, relationship, **details)
        if binding.status == Status.SUBMITTED:
            binding = self.approve(binding)
        assert binding.status == Status.ACTIVE
        return binding

    def authorizer_with(self, n: int, city: str = "yichun", **kwargs):
        """An authorizer with n active bindings (children of his), and those bindings."""
        authorizer = self.person(city, **kwargs)
        bindings = [self.bind(authorizer, self.relative(city)) for _ in range(n)]
        return authorizer, bindings

    def in_state(self, status: str, city: str = "panzhihua") -> Binding:
        """A binding brought to `status` by the transitions that lead there (review region by default)."""
        authorizer, relative = self.person(city), self.relative(city)
        if status == Status.DRAFT:
            application = self.draft(authorizer, relative)
            return application.bindings.get()
        binding = self.apply(authorizer, relative)
        clerk = self.clerk(binding.application.city_code)
        if status == Status.RETURNED:
            services.binding_request_more(binding=binding, clerk=clerk, missing_note="户口簿照片不清晰")
        elif status == Status.REJECTED:
            services.binding_reject(
                binding=binding,
                clerk=clerk,
                reason_code=RejectReason.UNCLEAR_PROOF,
                reason_text="证明材料照片模糊，请重新上传清晰照片",
            )
        elif status == Status.WITHDRAWN:
            services.binding_withdraw(binding=binding, actor=self.account(authorizer))
        elif status == Status.TERMINATED:
            services.registry_status_change(
                person=relative, status=InsuranceStatus.SUSPENDED, actor=clerk, reason="单位停止缴费"
            )
        elif status in (Status.ACTIVE, Status.DISSOLVED):
            services.binding_approve(binding=binding, clerk=clerk)
            if status == Status.DISSOLVED:
                services.binding_dissolve_by_party(binding=binding, user=self.account(authorizer))
        binding = Binding.objects.get(pk=binding.pk)
        assert binding.status == status
        return binding


@pytest.fixture
def hall(policies):
    """The real policy data loaded, and a Hall to build people and bindings with."""
    return Hall()
