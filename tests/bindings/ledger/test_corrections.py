"""Balance corrections: one ADJUSTMENT entry with a reason and an audit row, by a 主管 of the region, only."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import AuditAction, AuditEntry
from bindings.ledger.corrections import ledger_correct_balance
from bindings.ledger.errors import LedgerError
from bindings.ledger.services import settlement_post
from bindings.models import EntryKind, LedgerEntry, Notice
from policies.relationships import Relationship
from tests.bindings.ledger.conftest import assert_books_balance, balance, visit
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def staff(region: str = "360900", *, roles=(), perms=()):
    user = StaffFactory(region_code=region)
    user.groups.add(*Group.objects.filter(name__in=roles))
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="bindings", codename__in=perms))
    return user


@pytest.fixture
def supervisor(policies):
    return staff(roles=["主管"])


def written(person) -> tuple[int, int, int]:
    """What a refused correction must leave as it was: balance, entries, audit rows."""
    return balance(person), LedgerEntry.objects.filter(person=person).count(), AuditEntry.objects.count()


def correct(person, amount_fen, actor, reason="补记2024年12月个人账户计入", **kwargs):
    return ledger_correct_balance(person=person, amount_fen=amount_fen, reason=reason, actor=actor, **kwargs)


# --- the service ----------------------------------------------------------------------------------------------


def test_a_correction_is_one_adjustment_entry_with_an_audit_row(family, supervisor):
    person = family.authorizer(balance_yuan=1000)
    entry = correct(person, 10_050, supervisor, ip="10.0.0.8")
    assert entry.kind == EntryKind.ADJUSTMENT and entry.amount_fen == 10_050
    assert entry.balance_after_fen == 110_050 == balance(person) == person.balance_fen
    assert entry.actor == supervisor and "补记2024年12月个人账户计入" in entry.description
    audit = AuditEntry.objects.get(action=AuditAction.BALANCE_CORRECT)
    assert audit.actor == supervisor and audit.target == f"person:{person.pk}" and audit.ip_address == "10.0.0.8"
    assert "增加100.50元" in audit.detail and "1,000.00元→1,100.50元" in audit.detail and "补记" in audit.detail
    notice = Notice.objects.get(person=person)
    assert "1,100.50元" in notice.body and "补记2024年12月个人账户计入" in notice.body
    assert_books_balance(person)


def test_balance_stays_the_sum_of_entries_through_corrections_and_payments(family, supervisor):
    son = family.authorizer(balance_yuan=1000)
    father = family.relative(resident=False, retired=True, birth=datetime.date(1950, 1, 1), balance_fen=0)
    family.bind(son, father, Relationship.PARENT)
    correct(son, -30_000, supervisor, reason="冲回重复计入")
    settlement = settlement_post(patient=father, authorizer=son, visit=visit(1000), actor=None)
    assert settlement.shared_fen > 0
    correct(son, 29, supervisor, reason="补记尾差")
    correct(son, -balance(son), supervisor, reason="核对后清零")
    assert balance(son) == 0
    assert_books_balance(son, father)


def test_reason_is_kept_on_one_line(family, supervisor):
    person = family.authorizer()
    entry = correct(person, 100, supervisor, reason="  核对单号 HD-001\n补记  ")
    assert entry.description == "余额更正：核对单号 HD-001 补记"


@pytest.mark.parametrize(
    ("amount_fen", "reason", "code", "says"),
    [
        (0, "补记", "zero_amount", "不能为0元"),
        (100, "", "reason_missing", "请填写更正原因"),
        (100, " \n ", "reason_missing", "请填写更正原因"),
        (100, "长" * 151, "reason_too_long", "150"),
        (1.5, "补记", "not_a_number", "整数"),
        (True, "补记", "not_a_number", "整数"),
        (-100_001, "冲回", "below_zero", "最多只能减少1,000.00元"),
    ],
)
def test_refused_corrections_write_nothing(family, supervisor, amount_fen, reason, code, says):
    person = family.authorizer(balance_yuan=1000)
    before = written(person)
    with pytest.raises(LedgerError) as caught:
        correct(person, amount_fen, supervisor, reason=reason)
    assert caught.value.code == code and says in caught.value.message
    assert written(person) == before
    assert_books_balance(person)


def test_a_movement_beyond_the_ledger_limit_is_refused(family, supervisor):
    person = family.authorizer()
    with pytest.raises(LedgerError, match="1,000,000.00元"):
        correct(person, 100_000_001, supervisor)


def test_no_personal_account_no_correction(family, supervisor):
    relative = family.relative()
    with pytest.raises(LedgerError) as caught:
        correct(relative, 100, supervisor)
    assert caught.value.code == "no_account" and "居民医保" in caught.value.message


@pytest.mark.parametrize("role", ["审核员", "窗口经办员"])
def test_only_the_correction_permission_may(family, role):
    person = family.authorizer()
    before = written(person)
    with pytest.raises(LedgerError) as caught:
        correct(person, 100, staff(roles=[role]))
    assert caught.value.code == "no_permission" and "主管" in caught.value.message
    assert written(person) == before


def test_a_clerk_corrects_only_in_his_region(family):
    person = family.authorizer("yichun")
    sichuan = staff("510400", perms=["correct_balance"])
    with pytest.raises(LedgerError) as caught:
        correct(person, 100, sichuan)
    assert caught.value.code == "outside_region" and "经办区域" in caught.value.message
    jiangxi = staff("360000", perms=["correct_balance"])  # a province code covers its cities
    assert correct(person, 100, jiangxi).balance_after_fen == 100_100


def test_nobody_corrects_his_own_account(family):
    person = family.authorizer()
    own = staff(roles=["主管"])
    own.person = person
    own.save()
    with pytest.raises(LedgerError) as caught:
        correct(person, 100, own)
    assert caught.value.code == "own_account"


def test_a_balance_moved_since_the_confirmation_is_not_corrected(family, supervisor):
    person = family.authorizer(balance_yuan=1000)
    correct(person, -100, supervisor, reason="第一次更正")
    before = written(person)
    with pytest.raises(LedgerError) as caught:
        correct(person, -100, supervisor, expected_balance_fen=100_000)
    assert caught.value.code == "balance_changed" and "999.00元" in caught.value.message
    assert written(person) == before
    assert correct(person, -100, supervisor, expected_balance_fen=99_900).balance_after_fen == 99_800


# --- the admin page -------------------------------------------------------------------------------------------


def url(person) -> str:
    return reverse("admin:bindings_ledgerentry_correct", args=[person.pk])


def test_the_url_name_other_pages_link_to():
    assert reverse("admin:bindings_ledgerentry_correct", args=[7]) == "/admin/bindings/ledgerentry/correct/7/"


def test_admin_flow_form_confirmation_then_service(client, family, supervisor):
    person = family.authorizer(balance_yuan=1000, name="王建国")
    client.force_login(supervisor)
    page = client.get(url(person)).content.decode()
    assert "王*国" in page and "王建国" not in page and "1,000.00" in page

    data = {"direction": "decrease", "amount": "０．２９元", "reason": "冲回多计入的尾差"}
    confirm = client.post(url(person), data).content.decode()
    assert "请核对后确认" in confirm and "王*国" in confirm and person.id_number not in confirm
    assert "减少0.29元" in confirm and "1,000.00 元 → <strong>999.71</strong> 元" in confirm
    assert written(person)[1:] == (1, 0)  # only the opening entry: nothing written before the confirmation

    done = client.post(url(person), {**data, "expected_balance": "100000", "confirm": "确认更正"})
    assert done.status_code == 302
    assert done["Location"] == f"/admin/bindings/ledgerentry/?person__id__exact={person.pk}"
    assert balance(person) == 99_971
    listing = client.get(done["Location"]).content.decode()
    assert "余额1,000.00元→999.71元" in listing  # the success message states the new balance
    assert "-0.29" in listing and "999.71" in listing  # the entry, in 元, without float rounding
    entry = LedgerEntry.objects.get(person=person, kind=EntryKind.ADJUSTMENT)
    assert entry.amount_fen == -29 and entry.description == "余额更正：冲回多计入的尾差"
    assert AuditEntry.objects.filter(action=AuditAction.BALANCE_CORRECT, actor=supervisor).count() == 1
    assert_books_balance(person)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"direction": "increase", "amount": "12,50", "reason": "补记"}, "小数点"),
        ({"direction": "increase", "amount": "100", "reason": ""}, "请填写更正原因"),
        ({"amount": "100", "reason": "补记"}, "请选择增加还是减少余额"),
        ({"direction": "decrease", "amount": "1000.01", "reason": "冲回"}, "最多只能减少1,000.00元"),
    ],
)
def test_admin_form_refuses_in_plain_words_and_keeps_the_input(client, family, supervisor, data, says):
    person = family.authorizer(balance_yuan=1000)
    client.force_login(supervisor)
    page = client.post(url(person), data).content.decode()
    assert says in page and "请核对后确认" not in page
    assert data.get("amount", "") in page  # what was typed is still there
    assert written(person)[1:] == (1, 0)


def test_admin_confirmation_refused_when_the_balance_moved(client, family, supervisor):
    person = family.authorizer(balance_yuan=1000)
    client.force_login(supervisor)
    data = {"direction": "increase", "amount": "10", "reason": "补记", "confirm": "1"}
    correct(person, 500, supervisor, reason="另一位主管先更正")
    page = client.post(url(person), {**data, "expected_balance": "100000"}).content.decode()
    assert "确认前余额已变动（现为1,005.00元）" in page
    assert balance(person) == 100_500


def test_admin_back_returns_to_the_form_with_the_input(client, family, supervisor):
    person = family.authorizer()
    client.force_login(supervisor)
    data = {"direction": "increase", "amount": "88.8", "reason": "补记", "back": "1"}
    page = client.post(url(person), data).content.decode()
    assert "下一步：核对" in page and 'value="88.8"' in page and "请核对后确认" not in page


@pytest.mark.parametrize("role", ["审核员", "窗口经办员"])
def test_admin_page_is_403_without_the_permission(client, family, role):
    person = family.authorizer()
    client.force_login(staff(roles=[role]))
    assert client.get(url(person)).status_code == 403
    data = {"direction": "increase", "amount": "10", "reason": "补记", "confirm": "1"}
    assert client.post(url(person), data).status_code == 403
    assert written(person)[1:] == (1, 0)


def test_admin_page_outside_the_region_is_refused_and_logged(client, family):
    person = family.authorizer("yichun")
    clerk = staff("510400", roles=["审核员"], perms=["correct_balance"])
    client.force_login(clerk)
    response = client.post(url(person), {"direction": "increase", "amount": "10", "reason": "补记", "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == "/admin/bindings/ledgerentry/"
    assert "不在您的经办区域内" in client.get(response["Location"]).content.decode()
    refused = AuditEntry.objects.get(action=AuditAction.REFUSED)
    assert refused.actor == clerk and refused.target == f"person:{person.pk}"
    assert balance(person) == 100_000


def test_admin_page_for_someone_unknown_is_404(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("admin:bindings_ledgerentry_correct", args=[999_999])).status_code == 404
