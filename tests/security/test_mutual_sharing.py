"""Hole 6 (smaller), consciously refused: "A→B pending while B→A passes the pre-check (a cycle)".

Two members who are each other's close relatives may share both ways: source 004 says 家庭成员 may 相互共济使用
个人账户, and no source forbids it. One authorizer per relative still holds in each direction, and each
direction spends only its own authorizer's balance with his consent, so no money moves that its owner did not
authorize. These tests pin the decision (docs/threat-model.md): a change that refuses mutual sharing must
change them and name its source.
"""

import pytest

from bindings import services
from bindings.models import Status
from tests.factories import UserFactory, jpeg_upload, person_in

pytestmark = pytest.mark.django_db


def _apply(user, relative, relationship="spouse"):
    application = services.application_start(authorizer=user.person, actor=user)
    data = services.RelativeInput("resident_id", relative.id_number, relative.name, relationship, phone=relative.phone)
    return application, services.binding_add_relative(application=application, data=data, actor=user)


def _submit(user, relative, relationship="spouse"):
    application, result = _apply(user, relative, relationship)
    assert result.binding is not None, [r.code for r in result.verdict.reasons]
    for requirement in result.verdict.proof:
        if requirement.upload_required:
            services.document_add(binding=result.binding, kind=requirement.kind, upload=jpeg_upload(), actor=user)
    services.application_submit(application=application, actor=user, commitment=True)
    result.binding.refresh_from_db()
    return result.binding


@pytest.mark.parametrize(("city", "status"), [("hengyang", Status.SUBMITTED), ("yichun", Status.ACTIVE)])
def test_each_spouse_may_share_with_the_other(city, status):
    husband = UserFactory(person=person_in(city))
    wife = UserFactory(person=person_in(city))
    first = _submit(husband, wife.person)
    assert first.status == status

    _application, second = _apply(wife, husband.person)
    assert second.binding is not None, [r.code for r in second.verdict.reasons]
    assert second.binding.authorizer == wife.person and second.binding.relative == husband.person


def test_mutual_sharing_still_allows_one_authorizer_per_relative():
    husband = UserFactory(person=person_in("yichun"))
    wife = UserFactory(person=person_in("yichun"))
    son = UserFactory(person=person_in("yichun"))
    _submit(husband, wife.person)
    _application, other = _apply(son, wife.person, relationship="parent")
    assert other.binding is None
    assert "already_bound_to_other" in [r.code for r in other.verdict.reasons]
