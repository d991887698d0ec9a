"""The Content Security Policy allows no inline style (issue 11, smaller item): not in the header, not in a
template, not in Python-made HTML, not in the pages as rendered, and the browser reports no violation on them.

The browser tests elsewhere run with bypass_csp (axe-core is injected as an inline script); this one does not.
"""

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib import admin
from django.test import Client

from bindings.models import Application
from policies.choices import ChannelKind
from tests.factories import clerk, counter_clerk, submitted_binding

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEMPLATES = ROOT / "templates"
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["'{]""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


def directives(csp: str) -> dict[str, list[str]]:
    parts = (part.split() for part in csp.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/policies/", "/admin/login/", "/healthz"])
def test_no_page_allows_inline_styles(client, url):
    policy = directives(client.get(url)["Content-Security-Policy"])
    assert policy["style-src"] == ["'self'"]
    assert not any("'unsafe-inline'" in values or "'unsafe-eval'" in values for values in policy.values())


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")), ids=str)
def test_no_template_has_inline_style(template):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not STYLE_ATTRIBUTE.search(text), "use a class and static/css/"
    assert not STYLE_ELEMENT.search(text), "move the rules into static/css/"


def test_no_python_code_writes_a_style_attribute():
    """format_html in admin columns and widgets: a style="" there is refused by the browser as well."""
    offenders = [
        f"{source.relative_to(ROOT)}:{number}"
        for package in ("accounts", "bindings", "policies", "config")
        for source in (ROOT / package).rglob("*.py")
        if "migrations" not in source.parts
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1)
        if not line.lstrip().startswith("#") and (STYLE_ATTRIBUTE.search(line) or STYLE_ELEMENT.search(line))
    ]
    assert offenders == [], "move the style into static/css/ (admin.css for the admin)"


def test_no_model_admin_makes_django_emit_its_inline_style():
    """admin/change_list.html has one <style> block, only when both action bars are turned off."""
    for model_admin in admin.site._registry.values():
        assert model_admin.actions_on_top or model_admin.actions_on_bottom, type(model_admin).__name__


def test_the_receipts_page_sizes_are_valid_css():
    """`size: 80mm auto` was invalid, so the thermal slip had no page size at all."""
    thermal = (ROOT / "static" / "css" / "receipt-thermal.css").read_text()
    assert re.search(r"@page\s*{\s*size:\s*80mm\s+\d+mm;", thermal)
    assert "size: A4;" in (ROOT / "static" / "css" / "receipt-a4.css").read_text()


class InlineStyles(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "style" or any(name == "style" for name, _ in attrs):
            self.found.append(self.get_starttag_text())


def inline_styles(html: str) -> list[str]:
    parser = InlineStyles()
    parser.feed(html)
    return parser.found


@pytest.fixture
def case(policies):
    """A submitted case in 攀枝花 with its uploaded proof, and who looks at it: resident, reviewer, counter."""
    binding = submitted_binding()
    # The receipt is printed for counter applications: this one is taken as if a clerk had keyed it in.
    Application.objects.filter(pk=binding.application_id).update(channel=ChannelKind.COUNTER)
    return {
        "binding": binding,
        "resident": binding.application.created_by,
        "reviewer": clerk("510400", "审核员"),
        "counter": counter_clerk("510400"),
    }


def pages_of(case) -> list[tuple[str, str]]:
    binding, number = case["binding"], case["binding"].application.case_number
    return [
        ("resident", "/"),
        ("resident", "/bindings/mine/"),
        ("resident", f"/bindings/{binding.pk}/"),
        ("resident", "/ledger/usage/"),
        ("reviewer", "/admin/"),
        ("reviewer", "/admin/bindings/binding/"),
        ("reviewer", f"/admin/bindings/binding/{binding.pk}/change/"),
        ("counter", f"/counter/applications/{number}/receipt/"),
        ("counter", f"/counter/applications/{number}/receipt/?layout=thermal"),
    ]


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_style(case):
    for who, url in pages_of(case):
        client = Client()
        client.force_login(case[who])
        response = client.get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        assert inline_styles(response.content.decode()) == [], (who, url)
    receipt = response.content.decode()
    assert "css/receipt-thermal.css" in receipt and "css/receipt-a4.css" not in receipt


# --- in a browser that enforces the policy ------------------------------------------------------------------------

ANONYMOUS_PAGES = [
    "/",
    "/accounts/login/",
    "/accounts/login/sms/",
    "/accounts/login/face/",
    "/policies/",
    "/admin/login/",
]
# Violations are reported as console errors and as securitypolicyviolation events; both are collected.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def csp_browser(browser_type):
    """A Chromium of this test's own: the session's shared one is launched with the browser tests' arguments."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser-deps`.")
    browser = browser_type.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
    yield browser
    browser.close()


class Violations:
    def __init__(self, browser, base_url: str):
        self.context = browser.new_context(bypass_csp=False, viewport={"width": 375, "height": 812})
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.console = []
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))

    def sign_in_as(self, user) -> None:
        self.context.clear_cookies()
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        self.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": self.base_url}])

    def visit(self, url: str) -> list[str]:
        self.console.clear()
        response = self.page.goto(self.base_url + url)
        assert response.status == 200, (url, response.status)
        self.page.wait_for_load_state("load")
        return [*self.console, *self.page.evaluate("window.__csp")]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_reports_no_csp_violation(csp_browser, live_server, case):
    checker = Violations(csp_browser, live_server.url)
    try:
        # The check can fail: the same policy on a page with an inline style is reported.
        policy = checker.page.request.get(live_server.url + "/").headers["content-security-policy"]
        checker.page.route(
            "**/csp-canary",
            lambda route: route.fulfill(
                body='<!doctype html><p style="color:red">x</p>',
                headers={"Content-Type": "text/html", "Content-Security-Policy": policy},
            ),
        )
        checker.page.goto(live_server.url + "/csp-canary")
        assert checker.page.evaluate("window.__csp") == ["style-src-attr inline"]

        found = {url: checker.visit(url) for url in ANONYMOUS_PAGES}
        for who in ("resident", "reviewer", "counter"):
            checker.sign_in_as(case[who])
            found |= {f"{who} {url}": checker.visit(url) for w, url in pages_of(case) if w == who}
        assert {url: problems for url, problems in found.items() if problems} == {}
    finally:
        checker.context.close()
