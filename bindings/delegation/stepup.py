"""The fresh identity check now lives in accounts.stepup (one page and one guard for the proxy grant, the
application submit and the premium payment); these names stay importable from here."""

from accounts.stepup import (  # noqa: F401
    SESSION_KEY,
    StepUp,
    StepUpMethod,
    step_up_expires_in,
    step_up_guard,
    step_up_peek,
    step_up_record,
    step_up_take,
)
