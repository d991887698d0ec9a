"""Security headers on every page, and a Content Security Policy that the templates can live with."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from config.middleware import RealClientIpMiddleware

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Inline handlers still in templates another engineer is writing (reported, not ours to edit); they do
# nothing under the policy until they use static/js/hall.js's data-print instead.

INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
SCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "unsafe-inline" not in csp  # styles too: tests/security/test_csp_styles.py
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Permissions-Policy"].startswith("camera=(self)")


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")), ids=str)
def test_no_template_has_inline_script(template):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert not INLINE_HANDLER.search(text), "use a data- attribute and static/js/hall.js"
    assert not INLINE_SCRIPT.search(text), "move the script body into static/js/"
    assert not SCRIPT_URL.search(text)


def test_moved_behaviours_use_the_static_script():
    assert 'data-confirm="' in (TEMPLATES / "bindings" / "detail.html").read_text(encoding="utf-8")
    receipt = (TEMPLATES / "counter" / "receipt.html").read_text(encoding="utf-8")
    assert "data-print" in receipt and "js/hall.js" in receipt
    assert "js/hall.js" in (TEMPLATES / "base.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("trusted", "peer", "expected"),
    [
        (["127.0.0.1"], "127.0.0.1", "203.0.113.7"),  # nginx on this machine: believed
        ([], "127.0.0.1", "127.0.0.1"),  # no proxy configured: the header is ignored
        (["127.0.0.1"], "198.51.100.9", "198.51.100.9"),  # someone else sending the header: ignored
    ],
)
def test_the_client_address_comes_from_a_trusted_proxy_only(settings, trusted, peer, expected):
    settings.TRUSTED_PROXY_IPS = trusted
    seen = {}

    def view(request):
        seen["ip"] = request.META["REMOTE_ADDR"]

    RealClientIpMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_REAL_IP="203.0.113.7"))
    assert seen["ip"] == expected
