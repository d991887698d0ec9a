"""Proxies (代办人) granted online: the fresh identity check, the rules on the agent, duplicates, revoking and
resigning, the notices, and the pages refusing to be used while acting for someone else."""

import datetime
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.utils import timezone

from accounts.acting import SESSION_KEY, acting_for
from accounts.models import AuditAction, AuditEntry, FaceChallenge, GrantChannel, ProxyGrant, SmsMessage
from bindings.delegation import proxies
from bindings.delegation.proxies import ProxyCode, ProxyError, proxy_grant_online, proxy_revoke
from bindings.delegation.stepup import StepUp, StepUpMethod
from bindings.models import Notice
from tests.conftest import last_sms_code
from tests.factories import InsuredPersonFactory, UserFactory, face_photo, proxy_grant

pytestmark = pytest.mark.django_db

ADD = "/family/proxies/add/"
CONFIRM = "/family/proxies/confirm/"
SMS = "/family/proxies/step-up/sms/"
FACE = "/family/proxies/step-up/face/"
CAPTURE = "/family/proxies/step-up/face/capture/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def elder():
    """The principal: a retired member who wants his son to act for him."""
    return UserFactory(person=InsuredPersonFactory(name="赵德明", birth=date(1948, 4, 4), phone="13900000001"))


@pytest.fixture
def son():
    """The agent, with an account of his own."""
    return UserFactory(person=InsuredPersonFactory(name="赵立新", birth=date(1976, 6, 6), phone="13900000002"))


@pytest.fixture
def elder_client(client, elder):
    client.force_login(elder)
    return client


def fresh(user) -> StepUp:
    return StepUp(user_id=user.pk, method=StepUpMethod.SMS, at=timezone.now())


def grant_online(principal_user, agent_person, step_up="fresh", **fields):
    values = {
        "agent_id_number": agent_person.id_number,
        "agent_name": agent_person.name,
        "may_apply": True,
        "may_pay": False,
        "ends_on": timezone.localdate() + timedelta(days=365),
        **fields,
    }
    proof = fresh(principal_user) if step_up == "fresh" else step_up
    return proxy_grant_online(principal_user=principal_user, step_up=proof, **values)


def fill_form(client, agent_person, **extra):
    data = {
        "agent_id_number": agent_person.id_number,
        "agent_name": agent_person.name,
        "may_apply": "on",
        "ends_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
        **extra,
    }
    return client.post(ADD, data)


def sms_step_up(client, user):
    client.post(SMS, {"action": "send_code"})
    return client.post(SMS, {"action": "check", "sms_code": last_sms_code(user.phone)})


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the fresh identity check -------------------------------------------------------------------------------


def test_online_grant_refused_without_a_fresh_check(elder, son):
    with pytest.raises(ProxyError) as refused:
        grant_online(elder, son.person, step_up=None)
    assert refused.value.code == ProxyCode.STEP_UP_MISSING
    assert not ProxyGrant.objects.exists()


def test_a_check_made_by_another_account_does_not_count(elder, son):
    with pytest.raises(ProxyError) as refused:
        grant_online(elder, son.person, step_up=fresh(son))
    assert refused.value.code == ProxyCode.STEP_UP_MISSING


def test_the_confirm_button_is_refused_without_a_fresh_check(elder_client, son):
    fill_form(elder_client, son.person)
    page = elder_client.get(CONFIRM).content.decode()
    assert "再次核验本人身份" in page and "grant-button" not in page
    response = elder_client.post(CONFIRM)
    assert "委托代办人前需要再次核验您本人的身份" in response.content.decode()
    assert not ProxyGrant.objects.exists()


def test_grant_after_sms_step_up(elder_client, elder, son):
    response = fill_form(elder_client, son.person)
    assert response.status_code == 302 and response["Location"] == CONFIRM
    response = sms_step_up(elder_client, elder)
    assert response.status_code == 302 and response["Location"] == CONFIRM
    assert "grant-button" in elder_client.get(CONFIRM).content.decode()
    response = elder_client.post(CONFIRM)
    assert response.status_code == 302 and response["Location"] == "/family/proxies/"
    grant = ProxyGrant.objects.get()
    assert (grant.principal, grant.agent, grant.granted_via) == (elder.person, son.person, GrantChannel.ONLINE)
    assert grant.may_apply and not grant.may_pay and grant.document_name == ""
    assert acting_for(son, elder.person.pk) is not None
    entry = AuditEntry.objects.get(action=AuditAction.PROXY_GRANT)
    assert entry.actor == elder and entry.region_code == elder.person.city_code
    assert "本人经短信验证码再次核验身份" in entry.detail and "赵*新" in entry.detail


def test_a_wrong_sms_code_is_no_check(elder_client, elder, son):
    fill_form(elder_client, son.person)
    elder_client.post(SMS, {"action": "send_code"})
    wrong = "000000" if last_sms_code(elder.phone) != "000000" else "111111"
    response = elder_client.post(SMS, {"action": "check", "sms_code": wrong})
    assert "验证码不正确" in response.content.decode()
    elder_client.post(CONFIRM)
    assert not ProxyGrant.objects.exists()


def test_grant_after_face_step_up(elder_client, elder, son):
    fill_form(elder_client, son.person)
    response = elder_client.post(FACE, {"consent": "on"})
    assert response.status_code == 302 and response["Location"] == CAPTURE
    challenge = elder_client.session["step_up_face_challenge"]
    assert FaceChallenge.objects.get(pk=challenge).get_prompt_display() in elder_client.get(CAPTURE).content.decode()
    response = elder_client.post(CAPTURE, {"challenge": challenge, "photo": face_photo()})
    assert response.status_code == 302 and response["Location"] == CONFIRM
    elder_client.post(CONFIRM)
    assert ProxyGrant.objects.get().agent == son.person
    assert "本人经人脸识别再次核验身份" in AuditEntry.objects.get(action=AuditAction.PROXY_GRANT).detail
    elder.refresh_from_db()
    assert elder.face_consent_at is not None


def test_face_step_up_needs_consent(elder_client, son):
    fill_form(elder_client, son.person)
    response = elder_client.post(FACE, {})
    assert "请先阅读并勾选同意《人脸识别信息处理告知书》" in response.content.decode()
    assert "step_up_face_challenge" not in elder_client.session


def test_step_up_expires(elder_client, elder, son, settings):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False) as clock:
        fill_form(elder_client, son.person)
        sms_step_up(elder_client, elder)
        clock.shift(settings.STEP_UP_MAX_AGE + timedelta(seconds=1))
        response = elder_client.post(CONFIRM)
    assert "委托代办人前需要再次核验您本人的身份" in response.content.decode()
    assert not ProxyGrant.objects.exists()


def test_step_up_is_good_until_its_last_second(elder_client, elder, son, settings):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(start, tick=False) as clock:
        fill_form(elder_client, son.person)
        sms_step_up(elder_client, elder)
        clock.shift(settings.STEP_UP_MAX_AGE)
        elder_client.post(CONFIRM)
    assert ProxyGrant.objects.count() == 1


def test_step_up_is_single_use(elder_client, elder, son):
    daughter = InsuredPersonFactory(name="赵立华", birth=date(1980, 8, 8))
    fill_form(elder_client, son.person)
    sms_step_up(elder_client, elder)
    elder_client.post(CONFIRM)
    fill_form(elder_client, daughter)
    response = elder_client.post(CONFIRM)
    assert "委托代办人前需要再次核验您本人的身份" in response.content.decode()
    assert list(ProxyGrant.objects.values_list("agent", flat=True)) == [son.person.pk]


# --- the rules on the agent and the principal ------------------------------------------------------------------


def test_a_minor_cannot_be_agent_until_his_18th_birthday(elder):
    teen = InsuredPersonFactory(name="赵小川", birth=date(2008, 5, 10))
    with time_machine.travel(datetime.datetime(2026, 5, 9, 12, 0, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(ProxyError) as refused:
            grant_online(elder, teen)
        assert refused.value.code == ProxyCode.AGENT_CAPACITY
    with time_machine.travel(datetime.datetime(2026, 5, 10, 12, 0, tzinfo=SHANGHAI), tick=False):
        assert grant_online(elder, teen).agent == teen


def test_a_self_supporting_16_year_old_has_full_capacity(elder):
    worker = InsuredPersonFactory(name="赵小工", birth=date(2009, 1, 1), self_supporting=True)
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI), tick=False):
        assert grant_online(elder, worker).agent == worker


def test_a_minor_cannot_name_a_proxy(son):
    minor = UserFactory(person=InsuredPersonFactory(birth=timezone.localdate().replace(year=2010)))
    with pytest.raises(ProxyError) as refused:
        grant_online(minor, son.person)
    assert refused.value.code == ProxyCode.PRINCIPAL_CAPACITY


@pytest.mark.parametrize("wrong", ["name", "number"])
def test_a_stranger_not_in_the_registry_is_refused(elder, son, wrong):
    other = InsuredPersonFactory.build(birth=date(1970, 1, 1))  # never saved: nobody in the registry has it
    fields = {"agent_name": "赵不对"} if wrong == "name" else {"agent_id_number": other.id_number}
    with pytest.raises(ProxyError) as refused:
        grant_online(elder, son.person, **fields)
    assert refused.value.code == ProxyCode.NOT_IN_REGISTRY
    assert "未查到与该姓名和身份证号码相符的参保登记信息" in refused.value.message


def test_nobody_is_his_own_proxy(elder):
    with pytest.raises(ProxyError) as refused:
        grant_online(elder, elder.person)
    assert refused.value.code == ProxyCode.SELF


def test_end_date_must_be_after_today(elder, son):
    with pytest.raises(ProxyError) as refused:
        grant_online(elder, son.person, ends_on=timezone.localdate())
    assert refused.value.code == ProxyCode.ENDS_ON


def test_no_longest_term_is_invented(elder, son):
    grant = grant_online(elder, son.person, ends_on=timezone.localdate() + timedelta(days=365 * 30))
    assert grant.pk


def test_the_form_offers_a_year_and_says_it_can_be_revoked(elder_client):
    page = elder_client.get(ADD).content.decode()
    today = timezone.localdate()
    assert f'value="{today.replace(year=today.year + 1):%Y-%m-%d}"' in page
    assert "随时撤销" in page and "始终包含" in page


def test_an_agent_without_an_account_is_named_and_acts_once_he_registers(elder_client, elder):
    nephew = InsuredPersonFactory(name="钱志强", birth=date(1985, 2, 2))
    fill_form(elder_client, nephew)
    sms_step_up(elder_client, elder)
    response = elder_client.post(CONFIRM)
    assert any("还没有注册网上服务大厅账户" in text for text in texts(response))
    grant = ProxyGrant.objects.get()
    assert "请先用本人身份证号码和手机号实名注册" in Notice.objects.get(person=nephew).body
    account = UserFactory(person=nephew)
    assert acting_for(account, elder.person.pk).grant == grant


def test_a_second_open_grant_for_the_pair_is_refused_with_an_offer_to_revoke(elder_client, elder, son):
    first = grant_online(elder, son.person)
    with pytest.raises(ProxyError) as refused:
        grant_online(elder, son.person, may_pay=True)
    assert refused.value.code == ProxyCode.DUPLICATE and refused.value.grant == first
    response = fill_form(elder_client, son.person)
    assert "请先撤销原授权" in response.content.decode()
    assert f"/family/proxies/{first.pk}/revoke/" in response.content.decode()


def test_the_database_constraint_is_turned_into_a_plain_message(elder, son, monkeypatch):
    """Two grants racing past the pre-check: the constraint decides, the resident reads a sentence."""
    first = grant_online(elder, son.person)
    monkeypatch.setattr(proxies, "proxy_precheck", lambda **kwargs: son.person)
    with pytest.raises(ProxyError) as refused:
        grant_online(elder, son.person)
    assert refused.value.code == ProxyCode.DUPLICATE and refused.value.grant == first
    assert ProxyGrant.objects.count() == 1


def test_an_expired_grant_does_not_block_a_new_one(elder, son):
    old = proxy_grant(
        elder.person, son.person, starts_on=date(2024, 1, 1), ends_on=timezone.localdate() - timedelta(days=1)
    )
    new = grant_online(elder, son.person)
    old.refresh_from_db()
    assert old.revoked_at is not None and new.revoked_at is None


# --- revoking and resigning -------------------------------------------------------------------------------


def test_revoke_ends_access_at_once(client, elder, son):
    grant = proxy_grant(elder.person, son.person)
    client.force_login(son)
    session = client.session
    session[SESSION_KEY] = elder.person.pk
    session.save()
    assert client.get("/").wsgi_request.acting.person == elder.person
    proxy_revoke(grant=grant, actor=elder)
    assert acting_for(son, elder.person.pk) is None
    response = client.get("/")
    assert response.wsgi_request.acting.person == son.person
    assert response.wsgi_request.user.person == son.person
    assert any("授权已结束" in text for text in texts(response))
    assert SESSION_KEY not in client.session


def test_the_principal_revokes_from_his_page_after_a_confirmation_naming_the_agent(elder_client, elder, son):
    grant = proxy_grant(elder.person, son.person)
    url = f"/family/proxies/{grant.pk}/revoke/"
    page = elder_client.get(url).content.decode()
    assert "确定撤销赵立新的代办授权吗" in page
    grant.refresh_from_db()
    assert grant.revoked_at is None  # a GET changes nothing
    response = elder_client.post(url)
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == elder
    assert AuditEntry.objects.get(action=AuditAction.PROXY_REVOKE).actor == elder


def test_nobody_else_can_revoke(client, elder, son):
    grant = proxy_grant(elder.person, son.person)
    stranger = UserFactory()
    with pytest.raises(ProxyError) as refused:
        proxy_revoke(grant=grant, actor=stranger)
    assert refused.value.code == ProxyCode.NOT_A_PARTY
    client.force_login(stranger)
    assert client.post(f"/family/proxies/{grant.pk}/revoke/").status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_a_revoked_grant_cannot_be_revoked_again(elder, son):
    grant = proxy_grant(elder.person, son.person)
    proxy_revoke(grant=grant, actor=elder)
    with pytest.raises(ProxyError) as refused:
        proxy_revoke(grant=grant, actor=elder)
    assert refused.value.code == ProxyCode.ALREADY_ENDED


def test_a_proxy_may_resign_and_the_principal_is_told(client, elder, son):
    grant = proxy_grant(elder.person, son.person)
    client.force_login(son)
    assert "确定不再做赵德明的代办人吗" in client.get(f"/family/proxies/{grant.pk}/resign/").content.decode()
    client.post(f"/family/proxies/{grant.pk}/resign/")
    grant.refresh_from_db()
    assert grant.revoked_by == son
    notice = Notice.objects.get(person=elder.person, title="代办授权已撤销")
    assert "代办人本人申请结束" in notice.body


# --- notices ----------------------------------------------------------------------------------------------


def test_grant_and_revoke_notices_reach_principal_and_agent(elder, son):
    grant = grant_online(elder, son.person)
    to_elder = Notice.objects.get(person=elder.person)
    to_son = Notice.objects.get(person=son.person)
    assert to_elder.title == "代办授权已生效" and "赵*新" in to_elder.body and "如非您本人办理" in to_elder.body
    assert to_son.title == "您已被委托为代办人" and "赵*明" in to_son.body
    assert SmsMessage.objects.filter(phone=elder.phone).exists() and SmsMessage.objects.filter(phone=son.phone).exists()
    proxy_revoke(grant=grant, actor=elder)
    assert Notice.objects.filter(person=elder.person, title="代办授权已撤销").exists()
    assert Notice.objects.filter(person=son.person, title="代办授权已结束").exists()


# --- the pages are the resident's own business -----------------------------------------------------------------


def test_the_pages_say_switch_back_while_acting_for_someone_else(client, elder, son):
    grant = proxy_grant(elder.person, son.person)
    client.force_login(son)
    session = client.session
    session[SESSION_KEY] = elder.person.pk
    session.save()
    page = client.get(ADD).content.decode()
    assert "请先切换回本人" in page and "agent_id_number" not in page
    # The POST views declare no acting scope: the middleware refuses them while acting for someone else.
    response = client.post(f"/family/proxies/{grant.pk}/revoke/")
    assert response.status_code == 403
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_the_list_shows_my_proxies_and_whom_i_act_for(client, elder, son):
    proxy_grant(elder.person, son.person)
    client.force_login(son)
    page = client.get("/family/proxies/").content.decode()
    assert "赵德明" in page and "不再代办" in page
    client.force_login(elder)
    page = client.get("/family/proxies/").content.decode()
    assert "赵立新" in page and "撤销赵立新的授权" in page
