import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_home_shows_every_service_tile(client):
    page = client.get("/").content.decode()
    for title in ["家庭账户共济授权登记", "我的共济关系", "共济使用明细", "代缴居民医保", "政策查询", "办事指南"]:
        assert title in page


def test_a_tile_whose_service_is_not_built_says_so(client, monkeypatch):
    from config import tiles

    monkeypatch.setattr(tiles, "TILES", [tiles.Tile("测试服务", "说明", "no-such:url", "x")])
    monkeypatch.setattr("config.views.TILES", tiles.TILES)
    page = client.get("/").content.decode()
    assert "该服务暂未开通" in page


def test_header_shows_the_resident_his_own_name_in_full(resident_client):
    """Masking is for other people's names (accounts.masking); to himself he is 王建国, not 王*国."""
    page = resident_client.get("/").content.decode()
    assert '<a class="hall-user text-white" href="/accounts/me/" title="个人中心">王建国</a>' in page
    assert "王*国" not in page


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_healthz_reports_a_database_that_cannot_be_reached(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("down")


def test_elder_mode_is_remembered_in_the_session_before_sign_in(client):
    assert 'class="elder-mode"' not in client.get("/").content.decode()
    response = client.post("/accounts/elder-mode/", {"enabled": "1", "next": "/policies/"})
    assert response["Location"] == "/policies/"
    assert 'class="elder-mode"' in client.get("/").content.decode()


def test_elder_mode_is_remembered_on_the_account(resident_client, resident, client):
    resident_client.post("/accounts/elder-mode/", {"enabled": "1"})
    resident.refresh_from_db()
    assert resident.elder_mode is True
    client.logout()
    client.force_login(resident)
    assert 'class="elder-mode"' in client.get("/").content.decode()
    resident_client.post("/accounts/elder-mode/", {"enabled": "0"})
    resident.refresh_from_db()
    assert resident.elder_mode is False


def test_elder_mode_chosen_before_sign_in_follows_the_resident(client, resident, password):
    client.post("/accounts/elder-mode/", {"enabled": "1"})
    client.post("/accounts/login/", {"identifier": resident.phone, "password": password})
    resident.refresh_from_db()
    assert resident.elder_mode is True


def test_elder_mode_toggle_refuses_get(client):
    assert client.get("/accounts/elder-mode/").status_code == 405


def test_unknown_page_is_a_404_in_the_halls_style(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "没有找到您要的页面" in response.content.decode()


def test_sms_outbox_is_the_simulated_phone_or_for_clerks_with_the_permission(client, resident, clerk, settings):
    from accounts.sms import sms_send

    sms_send(phone=resident.phone, body="测试：给本人的短信")
    assert "给本人的短信" not in client.get("/accounts/sms-outbox/").content.decode()  # not this browser's phone
    client.force_login(resident)
    assert "给本人的短信" in client.get("/accounts/sms-outbox/").content.decode()
    client.force_login(clerk)
    assert client.get("/accounts/sms-outbox/").status_code == 403  # no accounts.view_sms_outbox
    settings.HALL_DEMO_DEVICES = False
    assert client.get("/accounts/sms-outbox/").status_code == 404  # no demo outbox: no page


def test_sms_outbox_masks_phones(superuser, client):
    from accounts.sms import sms_send

    sms_send(phone="13812345678", body="测试")
    client.force_login(superuser)
    page = client.get("/accounts/sms-outbox/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
