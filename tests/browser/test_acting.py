"""Acting for someone else in the browser (issue 12): a guardian unbinds for his ward; a proxy's act shows with
both names in the timeline, the audit log and the principal's notices; revoking ends his access at once; a
view-only proxy cannot change anything."""

from datetime import date

import pytest

from accounts.models import AuditAction, AuditEntry
from bindings.delegation.proxies import proxy_revoke
from bindings.models import Status
from tests.browser.conftest import Hall
from tests.delegation.acting_helpers import YICHUN, active_binding, adult_user
from tests.factories import TEST_PASSWORD, InsuredPersonFactory, clerk, guardianship, proxy_grant

pytestmark = pytest.mark.django_db(transaction=True)

BANNER = "#acting-banner"


def switch_to(hall, label):
    page = hall.page
    page.get_by_label("家庭成员").select_option(label=label)
    hall.click_and_wait(page.get_by_role("button", name="切换", exact=True))


def banner_says(page, text):
    banner = page.locator(BANNER)
    assert banner.is_visible(), page.url
    assert text in banner.inner_text(), banner.inner_text()


def other_browser(browser, hall):
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", bypass_csp=True)
    return context, Hall(context.new_page(), hall.base_url)


@pytest.fixture
def ward_family(policies):
    guardian = adult_user("王建国")
    mother = adult_user("李秀英")
    ward = InsuredPersonFactory(district=YICHUN, name="王小宇", birth=date(2015, 6, 1), resident=True)
    guardianship(guardian.person, ward)
    return guardian, mother, ward, active_binding(mother, ward)


@pytest.fixture
def elder_family(policies):
    principal = adult_user("张老汉", birth=date(1945, 3, 3), retired=True)
    son = adult_user("张伟")
    daughter = InsuredPersonFactory(district=YICHUN, name="张秀兰", birth=date(1972, 2, 2), resident=True)
    grant = proxy_grant(principal.person, son.person, ends_on=date(2099, 12, 1))
    return principal, son, grant, active_binding(principal, daughter)


def test_a_guardian_unbinds_for_his_ward(hall, ward_family):
    guardian, _mother, ward, binding = ward_family
    page = hall.page
    hall.sign_in(guardian.phone, TEST_PASSWORD)
    assert page.locator(BANNER).count() == 0
    hall.screenshot("acting-switcher-375")
    switch_to(hall, "王小宇（被监护人）")
    banner_says(page, "正在为 王小宇 办理")
    banner_says(page, "监护人")
    hall.screenshot("acting-guardian-home-375")

    hall.click_and_wait(page.get_by_role("link", name="我的共济关系"))
    banner_says(page, "正在为 王小宇 办理")
    assert page.get_by_text("李*英").is_visible()  # who authorizes the ward
    hall.click_and_wait(page.get_by_role("link", name="李*英"))
    banner_says(page, "正在为 王小宇 办理")
    page.once("dialog", lambda dialog: dialog.accept())
    hall.click_and_wait(page.get_by_role("button", name="解除共济关系"))
    assert page.get_by_text("共济关系已解除").is_visible()
    banner_says(page, "正在为 王小宇 办理")
    assert page.get_by_text("王建国（监护人）代 王小宇").is_visible()
    hall.screenshot("acting-guardian-dissolved-375")
    binding.refresh_from_db()
    assert binding.status == Status.DISSOLVED

    # 关怀模式 while acting: the banner stays, bigger; switching back works from the banner.
    hall.click_and_wait(page.get_by_role("button", name="关怀模式"))
    banner_says(page, "正在为 王小宇 办理")
    hall.screenshot("acting-guardian-elder-375")
    hall.click_and_wait(page.get_by_role("button", name="切换回本人"))
    assert page.locator(BANNER).count() == 0
    assert page.get_by_text("已切换回本人").is_visible()


def test_a_proxys_act_shows_with_both_names_everywhere(hall, elder_family, browser):
    principal, son, grant, binding = elder_family
    page = hall.page
    hall.sign_in(son.phone, TEST_PASSWORD)
    switch_to(hall, "张老汉（委托人）")
    banner_says(page, "代办人，授权至2099年12月1日，可办理：查看、申请和解除共济")
    hall.screenshot("acting-proxy-home-375")
    hall.visit(f"/bindings/{binding.pk}/")
    banner_says(page, "正在为 张老汉 办理")
    page.once("dialog", lambda dialog: dialog.accept())
    hall.click_and_wait(page.get_by_role("button", name="解除共济关系"))
    assert page.get_by_text("共济关系已解除").is_visible()
    assert page.get_by_text("张伟（代办人）代 张老汉").is_visible()
    hall.screenshot("acting-proxy-timeline-375")

    # The principal, in his own browser, reads it in his notices and on the timeline.
    context, own = other_browser(browser, hall)
    own.sign_in(principal.phone, TEST_PASSWORD)
    own.visit("/bindings/notices/")
    assert own.page.get_by_text("此项由代办人张*代张*汉办理").first.is_visible()
    own.screenshot("acting-principal-notices-375")
    own.visit(f"/bindings/{binding.pk}/")
    assert own.page.get_by_text("张伟（代办人）代 张老汉").is_visible()
    context.close()

    # A clerk of the region reads it in the audit log, names masked.
    clerk("360900", "审核员", username="reviewer_yc")
    context, desk = other_browser(browser, hall)
    desk.page.set_viewport_size({"width": 1280, "height": 900})
    desk.visit("/admin/")
    desk.page.get_by_label("用户名").fill("reviewer_yc")
    desk.page.get_by_label("密码").fill(TEST_PASSWORD)
    desk.click_and_wait(desk.page.get_by_role("button", name="登录"))
    desk.visit(f"/admin/accounts/auditentry/?action={AuditAction.ACT_FOR}")
    entry = AuditEntry.objects.get(action=AuditAction.ACT_FOR)
    assert "张*以代办人身份为张*汉办理" in entry.detail
    assert desk.page.get_by_text(entry.detail).is_visible()
    desk.screenshot("acting-audit-log")
    context.close()


def test_revoking_ends_the_proxys_access_at_his_next_click(hall, elder_family):
    principal, son, grant, binding = elder_family
    page = hall.page
    hall.sign_in(son.phone, TEST_PASSWORD)
    switch_to(hall, "张老汉（委托人）")
    banner_says(page, "正在为 张老汉 办理")
    proxy_revoke(grant=grant, actor=principal)
    hall.click_and_wait(page.get_by_role("link", name="我的共济关系"))
    assert page.locator(BANNER).count() == 0
    assert page.get_by_text("您为家人办理的授权已结束").is_visible()
    assert page.get_by_label("家庭成员").count() == 0  # nobody left to act for
    hall.screenshot("acting-proxy-revoked-375")


def test_a_view_only_proxy_sees_no_dissolve_button_and_is_refused(hall, elder_family):
    principal, son, grant, binding = elder_family
    page = hall.page
    hall.sign_in(son.phone, TEST_PASSWORD)
    switch_to(hall, "张老汉（委托人）")
    hall.visit(f"/bindings/{binding.pk}/")
    dissolve = page.get_by_role("button", name="解除共济关系")
    assert dissolve.is_visible()

    # The principal narrows the grant to viewing while the page is open: the button left on it is refused.
    grant.may_apply = False
    grant.save(update_fields=["may_apply"])
    page.once("dialog", lambda dialog: dialog.accept())
    hall.click_and_wait(dissolve)
    assert page.get_by_text("张*汉给您的代办授权不包括“申请和解除共济”").is_visible()
    hall.screenshot("acting-proxy-refused-375")
    binding.refresh_from_db()
    assert binding.status == Status.ACTIVE

    hall.visit(f"/bindings/{binding.pk}/")
    banner_says(page, "可办理：查看）")
    assert page.get_by_role("button", name="解除共济关系").count() == 0
    hall.visit("/bindings/mine/")
    assert page.get_by_role("link", name="添加家人").count() == 0
