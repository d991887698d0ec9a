"""Builders shared by the acting tests (client and browser): a family with a live binding, made through the real
services, and the test client acting for someone through the real switch."""

from datetime import date

from django.urls import reverse

from bindings import services
from bindings.models import Status
from tests.factories import InsuredPersonFactory, UserFactory, clerk, jpeg_upload

YICHUN = "360902"  # 江西: immediate approval once the proof is uploaded


def active_binding(authorizer_user, relative, relationship="child"):
    """A binding made live the way a resident makes it: apply, pre-check, upload what is asked, submit."""
    application = services.application_start(authorizer=authorizer_user.person, actor=authorizer_user)
    data = services.RelativeInput("resident_id", relative.id_number, relative.name, relationship, phone=relative.phone)
    result = services.binding_add_relative(application=application, data=data, actor=authorizer_user)
    assert result.binding is not None, result.verdict.reasons
    for requirement in result.verdict.proof:
        if requirement.upload_required:
            services.document_add(
                binding=result.binding, kind=requirement.kind, upload=jpeg_upload(), actor=authorizer_user
            )
    services.application_submit(application=application, actor=authorizer_user, commitment=True)
    binding = result.binding
    binding.refresh_from_db()
    if binding.status == Status.SUBMITTED:  # a region with clerk review
        services.binding_approve(binding=binding, clerk=clerk(binding.application.city_code[:4] + "00", "审核员"))
        binding.refresh_from_db()
    assert binding.status == Status.ACTIVE
    return binding


def adult_user(name, district=YICHUN, birth=date(1980, 4, 4), **fields):
    return UserFactory(person=InsuredPersonFactory(district=district, name=name, birth=birth, **fields))


def switch_to(client, person, next_url="/"):
    """The 家庭成员 switcher's form, posted."""
    value = "self" if person is None else str(person.pk)
    return client.post(reverse("accounts:acting_switch"), {"person": value, "next": next_url})
