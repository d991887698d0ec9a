"""Every read of unmasked personal data and every write that moves money or changes the registry leaves one audit
row, naming the region of the person or case concerned, written in the same transaction as what it records."""

import datetime

import pytest
from django.urls import reverse

from accounts.masking import mask_id_number, mask_phone
from accounts.models import AuditAction, AuditEntry, InsuredPerson
from bindings import services
from bindings.counter.services import person_lookup
from bindings.ledger.corrections import ledger_correct_balance
from bindings.ledger.services import ledger_open_balance
from bindings.models import Settlement
from tests.factories import StaffFactory, UserFactory, clerk, counter_clerk, person_in, submitted_binding

pytestmark = pytest.mark.django_db

YICHUN, PANZHIHUA = "360900", "510400"


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def only(action) -> AuditEntry:
    rows = entries(action)
    assert len(rows) == 1, [(row.target, row.detail) for row in rows]
    return rows[0]


def failing_audit(monkeypatch):
    """Every audit write fails from now on (a full disk, a lost connection)."""

    def broken(**kwargs):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(AuditEntry.objects, "create", broken)


@pytest.fixture
def member(policies):
    """A 攀枝花 member with a phone, his balance backed by the ledger."""
    person = person_in("panzhihua", name="陈国栋", phone="13900001234")
    ledger_open_balance(person=person)
    return person


def change_url(person):
    return f"/admin/accounts/insuredperson/{person.pk}/change/"


# --- reads of full numbers in admin ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["窗口经办员", "审核员"])  # may change the registry / may only view it
def test_opening_a_persons_change_form_is_one_reveal_under_his_region(client, member, role):
    client.force_login(clerk(PANZHIHUA, role))
    page = client.get(change_url(member)).content.decode()
    assert member.id_number in page  # kept whole for identity checks: that is why it is audited
    entry = only(AuditAction.REVEAL)
    assert (entry.target, entry.region_code) == (f"person:{member.pk}", PANZHIHUA)
    assert member.id_number not in entry.detail and member.phone not in entry.detail


def test_no_change_form_without_its_audit_row(client, member, monkeypatch):
    client.force_login(clerk(PANZHIHUA, "窗口经办员"))
    failing_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        client.get(change_url(member))


def test_opening_a_users_change_form_is_one_reveal_under_his_region(client, superuser, member):
    user = UserFactory(person=member)
    client.force_login(superuser)
    assert client.get(f"/admin/accounts/user/{user.pk}/change/").status_code == 200
    entry = only(AuditAction.REVEAL)
    assert (entry.target, entry.region_code) == (f"user:{user.pk}", PANZHIHUA)


# --- searches by ID number or phone ---------------------------------------------------------------------------


def test_an_id_search_in_the_registry_is_one_search_row_with_the_number_masked(client, member):
    client.force_login(clerk(PANZHIHUA, "审核员"))
    assert client.get("/admin/accounts/insuredperson/", {"q": member.id_number.lower()}).status_code == 200
    entry = only(AuditAction.SEARCH)
    assert entry.region_code == PANZHIHUA and entry.target == "insuredperson:search"
    assert member.id_number not in entry.detail and mask_id_number(member.id_number) in entry.detail
    assert "1条" in entry.detail


def test_an_id_search_in_the_queue_and_the_ledger_is_logged(client, policies):
    binding = submitted_binding()
    number = binding.relative.id_number
    client.force_login(clerk(PANZHIHUA, "审核员"))
    client.get("/admin/bindings/binding/", {"q": number})
    client.get("/admin/bindings/ledgerentry/", {"q": binding.authorizer.id_number})
    rows = entries(AuditAction.SEARCH)
    assert [row.target for row in rows] == ["binding:search", "ledgerentry:search"]
    assert all(row.region_code == PANZHIHUA and number not in row.detail for row in rows)


def test_a_phone_search_for_accounts_is_logged_masked(client, superuser, member):
    UserFactory(person=member)
    client.force_login(superuser)
    client.get("/admin/accounts/user/", {"q": member.phone})
    entry = only(AuditAction.SEARCH)
    assert member.phone not in entry.detail and mask_phone(member.phone) in entry.detail
    assert entry.region_code == PANZHIHUA


def test_a_search_that_finds_nobody_is_logged_under_the_clerks_region(client, policies):
    client.force_login(clerk(YICHUN, "审核员"))
    client.get("/admin/accounts/insuredperson/", {"q": "13700000000"})
    entry = only(AuditAction.SEARCH)
    assert entry.region_code == YICHUN and "0条" in entry.detail


def test_a_case_number_search_is_not_personal_and_not_logged(client, policies):
    binding = submitted_binding()
    client.force_login(clerk(PANZHIHUA, "审核员"))
    page = client.get("/admin/bindings/binding/", {"q": binding.application.case_number}).content.decode()
    assert binding.application.case_number in page
    assert not entries(AuditAction.SEARCH)


# --- the counter desk -------------------------------------------------------------------------------------------


def test_a_counter_lookup_that_finds_the_resident_is_one_row(client, member):
    desk = counter_clerk(PANZHIHUA)
    client.force_login(desk)
    response = client.post("/counter/", {"action": "lookup", "id_number": member.id_number})
    assert response["Location"] == f"/counter/person/{member.pk}/"
    entry = only(AuditAction.COUNTER_LOOKUP)
    assert (entry.actor, entry.target, entry.region_code) == (desk, f"person:{member.pk}", PANZHIHUA)
    assert member.id_number not in entry.detail


def test_no_lookup_without_its_audit_row(member, monkeypatch):
    failing_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        person_lookup(clerk=counter_clerk(PANZHIHUA), id_number=member.id_number)


def settle_data(**extra):
    return {
        "patient": "self",
        "level": "level1",
        "location": "insured_city",
        "declared_fund": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "8",
        "items-0-kind": "drug",
        "items-0-amount": "100",
        "action": "post",
        **extra,
    }


def test_a_counter_settlement_is_one_settlement_row_with_the_amounts_in_yuan(client, member):
    client.force_login(counter_clerk(PANZHIHUA))
    response = client.post(reverse("ledger:counter"), settle_data(id_number=member.id_number))
    assert response.status_code == 302, response.content.decode()[:1000]
    settlement = Settlement.objects.get()
    assert settlement.own_account_fen > 0
    entry = only(AuditAction.SETTLEMENT)
    assert (entry.target, entry.region_code) == (f"settlement:{settlement.pk}", PANZHIHUA)
    assert (
        f"本人个人账户支付{settlement.own_account_fen // 100}.{settlement.own_account_fen % 100:02d}元" in entry.detail
    )
    assert settlement.serial in entry.detail and member.id_number not in entry.detail


def test_a_counter_settlement_and_its_row_land_together(client, member, monkeypatch):
    client.force_login(counter_clerk(PANZHIHUA))
    person_lookup(clerk=counter_clerk(PANZHIHUA), id_number=member.id_number)  # the look-up itself is fine
    failing_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        client.post(reverse("ledger:counter"), settle_data(id_number=member.id_number))
    assert not Settlement.objects.exists()
    assert InsuredPerson.objects.get(pk=member.pk).balance_fen == member.balance_fen


def test_a_residents_own_settlement_is_not_a_clerk_action(client, member):
    client.force_login(UserFactory(person=member))
    assert client.post(reverse("ledger:simulator"), settle_data()).status_code == 302
    assert Settlement.objects.exists() and not entries(AuditAction.SETTLEMENT)


# --- registry and balance edits ----------------------------------------------------------------------------------


def edit(client, person, **changes):
    form = client.get(change_url(person)).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    return client.post(change_url(person), {**data, **changes})


def test_a_registry_edit_is_one_row_naming_the_fields_not_the_values(client, member):
    client.force_login(clerk(PANZHIHUA, "窗口经办员"))
    response = edit(client, member, phone="13900005678")
    assert response.status_code == 302
    assert InsuredPerson.objects.get(pk=member.pk).phone == "13900005678"
    entry = only(AuditAction.REGISTRY_EDIT)
    assert (entry.target, entry.region_code) == (f"person:{member.pk}", PANZHIHUA)
    assert "预留手机号" in entry.detail and "5678" not in entry.detail and "1234" not in entry.detail
    assert len(entries(AuditAction.REVEAL)) == 1  # the GET showed the form; the saved POST redirected


def test_a_registry_edit_and_its_row_land_together(client, member, monkeypatch):
    client.force_login(clerk(PANZHIHUA, "窗口经办员"))
    form = client.get(change_url(member)).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    failing_audit(monkeypatch)
    with pytest.raises(RuntimeError):
        client.post(change_url(member), {**data, "phone": "13900005678"})
    assert InsuredPerson.objects.get(pk=member.pk).phone == "13900001234"


def test_saving_an_unchanged_form_writes_no_edit_row(client, member):
    client.force_login(clerk(PANZHIHUA, "窗口经办员"))
    assert edit(client, member).status_code == 302
    assert not entries(AuditAction.REGISTRY_EDIT)


def test_a_balance_correction_and_a_status_change_name_the_region(member):
    supervisor = StaffFactory(region_code=PANZHIHUA, roles=["主管"])
    ledger_correct_balance(person=member, amount_fen=500, reason="补记个人账户计入", actor=supervisor)
    assert only(AuditAction.BALANCE_CORRECT).region_code == PANZHIHUA
    services.registry_status_change(person=member, status="suspended", actor=supervisor, reason="单位停止缴费")
    assert only(AuditAction.STATUS_CHANGE).region_code == PANZHIHUA


def test_decisions_and_document_views_name_the_cases_region(client, policies):
    binding = submitted_binding()
    reviewer = clerk(PANZHIHUA, "审核员")
    services.binding_approve(binding=binding, clerk=reviewer, note="材料齐全")
    assert {row.region_code for row in AuditEntry.objects.all()} == {PANZHIHUA}
    document = binding.documents.first()
    client.force_login(reviewer)
    assert client.get(f"/bindings/documents/{document.pk}/").status_code == 200
    assert only(AuditAction.DOCUMENT_VIEW).region_code == PANZHIHUA


def test_a_refused_lookup_of_an_unknown_number_is_kept_under_the_counters_region(policies):
    from accounts.idnumbers import make_id_number

    with pytest.raises(Exception, match="未查到"):
        person_lookup(clerk=counter_clerk(PANZHIHUA), id_number=make_id_number("510402", datetime.date(1960, 1, 1), 7))
    assert only(AuditAction.REFUSED).region_code == PANZHIHUA


def test_a_clerk_reading_a_settlement_slip_is_one_reveal_its_patient_is_not(client, member):
    client.force_login(counter_clerk(PANZHIHUA))
    response = client.post(reverse("ledger:counter"), settle_data(id_number=member.id_number))
    slip = response["Location"]
    assert member.name in client.get(slip).content.decode()
    settlement = Settlement.objects.get()
    entry = only(AuditAction.REVEAL)
    assert (entry.target, entry.region_code) == (f"settlement:{settlement.pk}", PANZHIHUA)
    client.force_login(UserFactory(person=member))
    assert client.get(slip).status_code == 200
    assert len(entries(AuditAction.REVEAL)) == 1
