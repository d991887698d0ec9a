"""The registry in admin: identity and money read-only for every role; a status change has its own page with a
reason and a confirmation, on the same service as the counter desk."""

from datetime import date

import pytest
from django.contrib.messages import get_messages

from accounts.idnumbers import make_id_number
from accounts.models import AuditAction, AuditEntry, InsuranceStatus, InsuredPerson
from bindings.ledger.selectors import ledger_sum_fen
from bindings.ledger.services import ledger_open_balance
from bindings.models import LedgerEntry, Status
from tests.factories import clerk

pytestmark = pytest.mark.django_db


def change_url(person):
    return f"/admin/accounts/insuredperson/{person.pk}/change/"


def status_url(person):
    return f"/admin/accounts/insuredperson/{person.pk}/status/"


@pytest.fixture
def member(hall):
    """A 攀枝花 member whose balance is backed by the ledger (balance == sum of entries)."""
    person = hall.person("panzhihua", name="陈国栋")
    ledger_open_balance(person=person)
    assert person.balance_fen == ledger_sum_fen(person) == 100_000
    return person


@pytest.fixture(params=["counter_clerk", "superuser"])
def editor(request, client, policies):
    user = clerk("510400", "窗口经办员") if request.param == "counter_clerk" else request.getfixturevalue("superuser")
    client.force_login(user)
    return client


FORGED = {
    # Each payload on its own would pass the model's validation: only read-only fields stop it.
    "identity_and_money": {
        "balance_fen": "999999",
        "category": "retired",
        "city_code": "510500",
        "province_code": "510000",
        "id_number": make_id_number("510502", date(1980, 1, 1), 5),
    },
    "scheme": {"scheme": "resident", "category": "", "balance_fen": "0"},
    "status": {"status": "terminated"},
}


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_identity_money_and_status_cannot_be_changed_in_the_change_form(editor, member, forged):
    """Regression: a clerk could change balance_fen, scheme, city and ID number here, outside the ledger."""
    form = editor.get(change_url(member)).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    entries = LedgerEntry.objects.count()
    response = editor.post(change_url(member), {**data, **forged, "name": "陈国栋", "phone": "13900001111"})
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = InsuredPerson.objects.get(pk=member.pk)
    assert fresh.phone == "13900001111"  # what the form may change, it changes
    for field in forged:
        assert getattr(fresh, field) == getattr(member, field), field
    assert LedgerEntry.objects.count() == entries
    assert fresh.balance_fen == ledger_sum_fen(fresh)
    assert not AuditEntry.objects.filter(action=AuditAction.STATUS_CHANGE).exists()


def test_the_change_form_shows_them_read_only_and_links_the_status_page(editor, member):
    page = editor.get(change_url(member)).content.decode()
    for name in ("id_number", "balance_fen", "scheme", "category", "city_code", "province_code", "status"):
        assert f'name="{name}"' not in page, name
    assert "个人账户余额（元）" in page and "登记时间" in page and "Created at" not in page
    assert f'href="{status_url(member)}"' in page
    assert editor.get("/admin/accounts/insuredperson/add/").status_code == 403


def test_a_status_change_in_admin_asks_a_reason_then_a_confirmation(client, hall, member):
    active = hall.bind(member, hall.relative("panzhihua"))
    pending = hall.apply(member, hall.relative("panzhihua"))
    counter = clerk("510400", "窗口经办员")
    client.force_login(counter)
    assert client.get(status_url(member)).status_code == 200

    page = client.post(status_url(member), {"status": "suspended", "reason": "", "expected": "normal"})
    assert "请填写变更参保状态的原因" in page.content.decode()

    page = client.post(status_url(member), {"status": "suspended", "reason": "单位停止缴费", "expected": "normal"})
    text = page.content.decode()
    assert "正常 → 暂停" in text and member.id_number not in text and member.id_number[-4:] in text
    assert 'id="confirm-bindings">1 项' in text and 'id="confirm-cases">1 件' in text
    assert InsuredPerson.objects.get(pk=member.pk).status == InsuranceStatus.NORMAL

    data = {"status": "suspended", "reason": "单位停止缴费", "expected": "normal", "confirm": "1"}
    response = client.post(status_url(member), data)
    assert response["Location"] == change_url(member)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "参保状态已改为“暂停”，已自动结束2项共济关系或待审核申请。"
    ]
    active.refresh_from_db()
    pending.refresh_from_db()
    assert (active.status, active.reason_code) == (Status.DISSOLVED, "insurance_suspended")
    assert pending.status == Status.TERMINATED
    entry = AuditEntry.objects.get(action=AuditAction.STATUS_CHANGE)
    assert (entry.actor, entry.detail) == (counter, "正常 → 暂停；原因：单位停止缴费")


def test_the_status_page_needs_the_change_permission_and_the_region(client, member):
    client.force_login(clerk("510400", "审核员"))  # may view the registry, not change it
    assert client.get(status_url(member)).status_code == 403
    assert "status-change-link" not in client.get(change_url(member)).content.decode()
    outsider = clerk("360900", "窗口经办员")
    client.force_login(outsider)
    data = {"status": "suspended", "reason": "x", "expected": "normal", "confirm": "1"}
    assert client.post(status_url(member), data).status_code == 404
    assert InsuredPerson.objects.get(pk=member.pk).status == InsuranceStatus.NORMAL
    assert AuditEntry.objects.filter(actor=outsider, action=AuditAction.REFUSED).exists()


def test_the_balance_correction_is_linked_for_supervisors_only(client, member, hall):
    url = f"/admin/bindings/ledgerentry/correct/{member.pk}/"
    client.force_login(clerk("", "主管"))
    assert f'href="{url}"' in client.get(change_url(member)).content.decode()
    resident_scheme = hall.relative("panzhihua")  # no personal account: nothing to correct
    assert "balance-correct-link" not in client.get(change_url(resident_scheme)).content.decode()
    client.force_login(clerk("510400", "窗口经办员"))
    assert f'href="{url}"' not in client.get(change_url(member)).content.decode()
