"""Developer profile: `make run`."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# The simulated SMS outbox and face verifier (accounts.devices): the 演示环境 banner shows on every page.
HALL_DEMO_DEVICES = env.bool("HALL_DEMO_DEVICES", default=True)
