"""Browser tests: Playwright for Python driving Debian's Chromium, with axe-core on every page visited.

Every page load is counted; the `hall` fixture fails a test at teardown if any loaded page was not
checked with axe-core, so a new test cannot forget the accessibility check.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "screenshots"))
PHONE = {"width": 375, "height": 812}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps`.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            # A synthetic camera, so the face sign-in's getUserMedia path runs for real.
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--lang=zh-CN",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # bypass_csp: the hall's Content Security Policy forbids inline scripts, and axe-core is injected as one.
    return {
        **browser_context_args,
        "viewport": PHONE,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "bypass_csp": True,
    }


@pytest.fixture
def context(context):
    """axe-core is defined in every page of the test's context before the page's own scripts run. Sending the
    650 kB script through Playwright and injecting it after each load was about a third of each axe check."""
    context.add_init_script(AXE_SOURCE)
    return context


class AxeViolations(AssertionError):
    pass


def axe_check(page) -> None:
    """Run axe-core on the current page; serious or critical violations fail the test."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):  # a page of a context made by the test itself
        page.add_script_tag(content=AXE_SOURCE)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    if bad:
        summary = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in bad
        ]
        raise AxeViolations(f"axe-core on {page.url}:\n{json.dumps(summary, ensure_ascii=False, indent=1)}")


class ElderModeViolation(AssertionError):
    pass


ELDER_MIN_FONT_PX = 18

# The smallest rendered font of the visible text (text nodes, and the text inside form controls), and what makes
# the page wider than the viewport. Hidden text does not count: display:none or closed <details> (no box),
# visibility:hidden, aria-hidden, .visually-hidden (screen-reader-only), zero-size boxes.
ELDER_MEASURE = """() => {
  const hiddenBy = '[aria-hidden="true"], .visually-hidden, .sr-only, script, style, noscript, template';
  const hidden = (el) => {
    const focusable = el.closest('.visually-hidden-focusable');
    return !!el.closest(hiddenBy) || (!!focusable && !focusable.matches(':focus, :focus-within'));
  };
  const name = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
      let part = e.tagName.toLowerCase();
      if (e.id) { part += '#' + e.id; parts.unshift(part); break; }
      const classes = typeof e.className === 'string' ? e.className.trim() : '';
      if (classes) part += '.' + classes.split(/\\s+/).join('.');
      parts.unshift(part);
    }
    return parts.join(' > ');
  };
  const shown = (el) => {
    const style = getComputedStyle(el);
    return style.visibility === 'visible' && parseFloat(style.opacity) > 0;
  };
  let smallest = null;
  const consider = (el, text, rect) => {
    if (rect.width < 1 || rect.height < 1 || hidden(el) || !shown(el)) return;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (smallest === null || size < smallest.size) smallest = {size, element: name(el), text: text.slice(0, 40)};
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text || !node.parentElement || node.parentElement.closest('select, option')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    consider(node.parentElement, text, range.getBoundingClientRect());
  }
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'checkbox', 'radio', 'file'].includes(el.type)) continue;
    const option = el.selectedOptions && el.selectedOptions[0];
    consider(el, el.value || el.placeholder || (option ? option.text : ''), el.getBoundingClientRect());
  }
  const viewport = document.documentElement.clientWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  let widest = null;
  if (scrollWidth > viewport) {
    // The deepest element sticking out to the right that no scrolling box of its own contains.
    for (const el of document.body.querySelectorAll('*')) {
      const rect = el.getBoundingClientRect();
      if (rect.right <= viewport + 0.5 || rect.width === 0) continue;
      let scroller = false;
      for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
        const overflow = getComputedStyle(e).overflowX;
        if (overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden') { scroller = true; break; }
      }
      if (!scroller) widest = {element: name(el), text: (el.innerText || '').trim().slice(0, 40), right: rect.right};
    }
  }
  return {smallest, viewport, scrollWidth, widest};
}"""


def elder_check(page) -> None:
    """In 关怀模式 no visible text is smaller than 18 px and nothing scrolls sideways; the message names the element."""
    if not page.evaluate("document.body.classList.contains('elder-mode')"):
        return
    found = page.evaluate(ELDER_MEASURE)
    problems = []
    smallest = found["smallest"]
    if smallest and smallest["size"] < ELDER_MIN_FONT_PX:
        problems.append(
            f"text at {smallest['size']:g}px (< {ELDER_MIN_FONT_PX}px): {smallest['element']} “{smallest['text']}”"
        )
    if found["scrollWidth"] > found["viewport"]:
        widest = found["widest"] or {}
        problems.append(
            f"page is {found['scrollWidth']}px wide in a {found['viewport']}px viewport: "
            f"{widest.get('element')} “{widest.get('text')}” ends at {widest.get('right')}px"
        )
    if problems:
        raise ElderModeViolation(f"关怀模式 on {page.url}:\n" + "\n".join(problems))


class Hall:
    """A thin driver: every navigation it makes is followed by the axe check, and in 关怀模式 by elder_check."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.loads = 0
        self.checked = 0
        page.on("load", self._on_load)

    def _on_load(self, _page):
        self.loads += 1

    def check(self):
        self.page.wait_for_load_state("load")
        axe_check(self.page)
        elder_check(self.page)
        self.checked = self.loads

    def visit(self, path):
        self.page.goto(self.base_url + path)
        self.check()
        return self.page

    def click_and_wait(self, locator):
        """Click something that navigates (a link or a submit button), wait for the new page, check it."""
        with self.page.expect_navigation():
            locator.click()
        self.check()
        return self.page

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def pass_step_up(self, phone):
        """On the fresh identity check page (/accounts/verify/): the SMS code to the signed-in resident's own phone,
        read from the demo outbox; the page then goes back to where it was asked for."""
        from tests.conftest import last_sms_code

        self.click_and_wait(self.page.get_by_role("button", name="获取验证码"))
        self.page.get_by_label("短信验证码").fill(last_sms_code(phone))
        self.click_and_wait(self.page.get_by_role("button", name="提交验证码"))

    def sign_in(self, identifier, password):
        self.visit("/accounts/login/")
        self.page.get_by_label("身份证号码或手机号码").fill(identifier)
        self.page.get_by_label("密码").fill(password)
        self.click_and_wait(self.page.get_by_role("button", name="登录", exact=True))


@pytest.fixture
def hall(page, live_server):
    # The groups and policy data an earlier test's flush removed are back: see tests/baseline.py.
    driver = Hall(page, live_server.url)
    yield driver
    assert driver.checked == driver.loads, (
        f"{driver.loads - driver.checked} page load(s) were not checked with axe-core; use hall.visit/click_and_wait"
    )
