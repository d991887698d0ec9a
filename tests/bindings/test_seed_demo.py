import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.demo import CITY_NAMES, DEMO_PASSWORD, PEOPLE
from accounts.idnumbers import parse_id_number
from accounts.models import InsuranceStatus, InsuredPerson, Scheme

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_seed_demo_is_idempotent_and_covers_every_case():
    call_command("seed_demo")
    counts = (InsuredPerson.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (InsuredPerson.objects.count(), User.objects.count()) == counts == (len(PEOPLE), counts[1])

    people = InsuredPerson.objects.all()
    for person in people:
        parse_id_number(person.id_number)
    assert {p.category for p in people if p.scheme == Scheme.EMPLOYEE} >= {"employed", "retired", "flexible"}
    assert people.filter(scheme=Scheme.RESIDENT).exists()
    assert people.filter(status=InsuranceStatus.SUSPENDED).exists()
    assert people.filter(status=InsuranceStatus.TERMINATED).exists()
    assert any(p.age_on(__import__("datetime").date.today()) < 16 for p in people)
    assert people.exclude(province_code__in=["360000", "510000", "450000", "430000"]).exists()  # insured elsewhere
    cities = set(people.values_list("city_code", flat=True))
    assert {"360900", "510400", "510500", "450800", "430400", "430300"} <= cities

    assert User.objects.filter(is_superuser=True).exists()
    clerks = User.objects.filter(is_staff=True, is_superuser=False, groups__name="审核员").distinct()
    assert {c.region_code for c in clerks} == {"360900", "510400", "510500", "450800", "430400", "430300"}
    assert len(CITY_NAMES) == clerks.count()
    assert User.objects.get(username="supervisor").has_perm("bindings.view_all_regions")
    demo = User.objects.get(username="demo_wang_jianguo")
    assert demo.check_password(DEMO_PASSWORD)


def test_demo_sign_in_works(client):
    call_command("seed_demo")
    response = client.post("/accounts/login/", {"identifier": "13900000001", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_the_ids_quoted_in_the_readme_exist_in_the_demo_registry():
    import re
    from pathlib import Path

    call_command("seed_demo")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    quoted = set(re.findall(r"`(\d{17}[\dX])`", readme))
    assert quoted, "the counter demo quotes ID numbers"
    assert quoted <= set(InsuredPerson.objects.values_list("id_number", flat=True))


def test_rerunning_the_seed_never_resets_a_balance_that_has_moved():
    call_command("seed_demo")
    person = InsuredPerson.objects.get(name="王建国")
    InsuredPerson.objects.filter(pk=person.pk).update(balance_fen=123)  # as if the ledger had moved it
    call_command("seed_demo")
    person.refresh_from_db()
    assert person.balance_fen == 123


def test_the_demo_has_a_guardian_and_a_proxy_family(policies):
    """Issue 12: a parent who manages his child, and an elderly parent who has named that son as proxy."""
    from accounts.acting import household
    from accounts.models import ActingKind
    from bindings.models import Binding, Status

    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    father = User.objects.get(username="demo_wang_jianguo")
    people = {(a.person.name, a.kind) for a in household(father)}
    assert people == {("王建国", ActingKind.SELF), ("王小宇", ActingKind.GUARDIAN), ("王德福", ActingKind.PROXY)}
    binding = Binding.objects.get(authorizer__name="王德福", relative__name="王小宇")
    assert binding.status == Status.ACTIVE
