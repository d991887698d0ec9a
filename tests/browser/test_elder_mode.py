"""关怀模式 on every resident page at 375 px: the `hall` driver measures each load in elder mode (tests/browser/
conftest.py elder_check: no visible text under 18 px, no sideways scroll). Each page is also photographed at 375 px
and on a desktop, in 关怀模式 and in the normal mode (screenshots/mode-*.png)."""

import datetime

import pytest

from policies.relationships import Relationship
from tests.bindings.ledger.conftest import Family
from tests.browser.conftest import PHONE, ElderModeViolation
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}

PUBLIC_PAGES = {
    "home": "/",
    "policy-index": "/policies/",
    "policy-city": "/policies/yichun/",
    "policy-compare": "/policies/compare/?cities=yichun,guigang,panzhihua",
    "policy-guide": "/policies/guide/?region=yichun",
    "login": "/accounts/login/",
    "login-sms": "/accounts/login/sms/",
    "login-face": "/accounts/login/face/",
    "register": "/accounts/register/",
}


@pytest.fixture
def wang(policies):
    """王建国 in 宜春 with an active binding for his father; a grandchild to take through the wizard."""
    family = Family()
    son = family.authorizer(balance_yuan=1000, name="王建国")
    father = family.relative(
        resident=False, retired=True, birth=datetime.date(1950, 1, 15), balance_fen=0, name="王德福"
    )
    binding = family.bind(son, father, Relationship.PARENT)
    family.account(son)
    return family, son, father, binding


def set_elder_mode(hall, enabled: bool) -> None:
    page = hall.page
    on = "elder-mode" in page.evaluate("document.body.className")
    if on != enabled:
        hall.click_and_wait(page.get_by_role("button", name="退出关怀模式" if on else "关怀模式", exact=True))
    assert ("elder-mode" in page.evaluate("document.body.className")) == enabled


def tour(hall, pages: dict[str, str]) -> None:
    """Every page in 关怀模式 (measured), then in the normal mode; each photographed at 375 px and on a desktop.
    All the pages are visited before the test fails, so one run names every element to fix."""
    problems = []
    for mode in ("elder", "normal"):
        set_elder_mode(hall, mode == "elder")
        for name, path in pages.items():
            try:
                hall.visit(path)
            except ElderModeViolation as violation:
                problems.append(str(violation))
                hall.checked = hall.loads  # axe-core did run: elder_check comes after it
            hall.screenshot(f"mode-{mode}-375-{name}")
            hall.page.set_viewport_size(DESKTOP)
            hall.screenshot(f"mode-{mode}-desktop-{name}")
            hall.page.set_viewport_size(PHONE)
    assert not problems, "\n".join(problems)


def test_public_pages_in_elder_mode(hall, policies):
    hall.visit("/")
    tour(hall, PUBLIC_PAGES)


def test_resident_pages_in_elder_mode(hall, wang):
    family, son, father, binding = wang
    hall.sign_in(son.phone, TEST_PASSWORD)
    pages = {
        "home-signed-in": "/",
        "profile": "/accounts/me/",
        "password": "/accounts/password/",
        "mine": "/bindings/mine/",
        "binding": f"/bindings/{binding.pk}/",
        "notices": "/bindings/notices/",
        "wizard-notice": "/bindings/apply/",
        "done": f"/bindings/applications/{binding.application.case_number}/done/",
        "usage": "/ledger/usage/",
        "statement": "/ledger/statement/",
        "simulator": "/ledger/simulator/",
        "premium": "/ledger/premium/",
        "family": "/family/",
        "guardian-add": "/family/guardians/add/",
        "proxies": "/family/proxies/",
        "proxy-add": "/family/proxies/add/",
    }
    tour(hall, pages)

    # The wizard's later steps, for a draft with a grandchild added and proved.
    grandchild = family.relative(birth=datetime.date(2016, 5, 1), name="王小宇")
    case = family.draft(son, grandchild, relationship=Relationship.GRANDCHILD).case_number
    tour(
        hall,
        {
            "wizard-relative": f"/bindings/applications/{case}/relative/",
            "wizard-proof": f"/bindings/applications/{case}/proof/",
            "wizard-summary": f"/bindings/applications/{case}/summary/",
        },
    )


def test_elder_check_names_small_text_and_overflow(hall, policies):
    """The measurement itself: a 12 px line and a 600 px box in 关怀模式 fail, naming the element and its text."""
    page = hall.visit("/")
    set_elder_mode(hall, True)
    page.evaluate(
        """() => {
        const p = document.createElement('p'); p.className = 'tiny-note'; p.style.fontSize = '12px';
        p.textContent = '很小的字'; document.querySelector('main').append(p);
        const wide = document.createElement('div'); wide.className = 'too-wide'; wide.style.width = '600px';
        wide.textContent = '太宽'; document.querySelector('main').append(wide);
    }"""
    )
    with pytest.raises(ElderModeViolation) as failure:
        hall.check()
    message = str(failure.value)
    assert "12px" in message and "p.tiny-note" in message and "很小的字" in message
    assert "div.too-wide" in message
    hall.checked = hall.loads


def test_elder_mode_headings_inputs_focus_and_hotline(hall, policies):
    """Headings keep their order above the body text, inputs have strong borders and a thick focus ring, and the
    hotline is one tap away (tel:12393) in the header."""
    page = hall.visit("/accounts/login/")
    set_elder_mode(hall, True)
    sizes = page.evaluate(
        """() => {
        const main = document.querySelector('main');
        const size = (tag, cls) => { const el = document.createElement(tag); if (cls) el.className = cls;
            el.textContent = '字'; main.append(el); const px = parseFloat(getComputedStyle(el).fontSize);
            el.remove(); return px; };
        return {h1: size('h1', 'h4'), h2: size('h2', 'h5'), h3: size('h3', 'h6'), body: size('p', ''),
                small: size('small', '')};
    }"""
    )
    assert sizes["h1"] > sizes["h2"] > sizes["h3"] > sizes["body"] >= 18, sizes
    assert sizes["small"] >= 18, sizes
    field = page.get_by_label("密码")
    assert field.evaluate("el => getComputedStyle(el).borderTopWidth") == "2px"
    field.focus()  # then back and forth with the keyboard, so the ring is the :focus-visible one
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.type") == "password"
    outline = page.evaluate("() => parseFloat(getComputedStyle(document.activeElement).outlineWidth)")
    assert outline >= 3, outline
    call = page.locator("header").get_by_role("link", name="拨打12393")
    assert call.is_visible() and call.get_attribute("href") == "tel:12393"
    hall.screenshot("mode-elder-375-login-focus")
