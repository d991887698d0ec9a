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


class Hall:
    """A thin driver: every navigation it makes is followed by the axe check."""

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
