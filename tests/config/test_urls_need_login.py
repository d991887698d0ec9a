"""Walk the whole URLconf: every URL that is not explicitly public sends an anonymous visitor to sign in."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Pages a visitor may see without signing in. Everything else must redirect to a sign-in page.
PUBLIC = [
    r"^$",
    r"^healthz$",
    r"^accounts/(login|login/sms|login/face|login/face/capture|register|register/pending|elder-mode|logout)/$",
    # The demo outbox is the simulated phone of whoever asks a code (tests/security/test_sms_outbox.py): it shows
    # a visitor only the texts to numbers his own session asked codes for, and is a 404 without demo devices.
    r"^accounts/sms-outbox/$",
    # 忘记密码 (before signing in, by definition) and the agreements named at registration.
    r"^accounts/password/forgot/(code/|new/)?$",
    r"^accounts/agreements/[\w-]+/$",
    r"^policies/",
    r"^admin/login/$",
    r"^admin/logout/$",
    r"^admin/r/",  # contenttype shortcut: redirects to admin login itself
    r"^admin/(password_reset|reset)",
    r"^admin/jsi18n/$",
]
SAMPLE_ARGS = {"int": "1", "path": "x", "slug": "x", "str": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def _sample_group(match):
    first = match.group(1).split("|")[0]
    return first if re.fullmatch(r"[\w-]+", first) else "x"


def to_path(pattern):
    pattern = pattern.lstrip("^").rstrip("$").replace("\\Z", "").replace("^", "")
    # Regex groups first: (?P<app_label>auth|axes) -> auth, (?P<url>.*) -> x
    pattern = re.sub(r"\(\?P<\w+>([^)]*)\)", _sample_group, pattern)
    pattern = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_ARGS.get(m.group(1) or "str", "x"), pattern)
    return "/" + pattern.replace("\\", "")


def all_paths():
    return sorted({to_path(p) for p in walk(get_resolver())})


def test_there_are_urls_to_walk():
    assert len(all_paths()) > 20


@pytest.mark.parametrize("path", all_paths())
def test_non_public_url_needs_sign_in(client, path):
    response = client.get(path)
    if any(re.match(rule, path.lstrip("/")) for rule in PUBLIC):
        assert response.status_code < 500, f"public {path} failed with {response.status_code}"
        return
    assert response.status_code == 302, f"{path} answered {response.status_code} to an anonymous visitor"
    assert "/login/" in response["Location"], f"{path} redirected to {response['Location']}"
