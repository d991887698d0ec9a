"""Test profile: fast hashing, temporary private storage, no real lockout delays."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import STORAGES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="hall-test-private-"))
STORAGES = {
    **STORAGES,
    "default": {**STORAGES["default"], "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None}},
}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# The simulated SMS outbox (the tests read codes from it) and face verifier; tests switch them off to check
# what production does without them.
HALL_DEMO_DEVICES = True
