"""Sign-in lockout: per account whatever identifier was typed, and per network address, kept in the database.

django-axes counts failed sign-ins under the key account_key() gives (AXES_USERNAME_CALLABLE). That key is the
account the identifier reaches, not the string typed: the phone number, the ID number, their full-width
spellings and the SMS and face sign-ins of one person all count together, so five wrong guesses lock the account
however they were spread. An identifier that reaches no account is counted under a keyed hash of its normalised
form: guessing at unknown numbers is limited the same way, and nothing in the answers tells the two apart.

HallLockoutHandler is axes' database handler (AccessAttempt rows: a Redis restart forgets no lockout) with a
second, much higher limit per network address: many residents share one (a carrier's NAT, the hall's counter
PC), so an address may fail LOGIN_MAX_FAILURES_PER_IP_PER_HOUR times in a sliding hour, against
AXES_FAILURE_LIMIT per account in AXES_COOLOFF_TIME. Axes cannot hold two limits itself: with
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"] it compares the larger of the two counts with the one
AXES_FAILURE_LIMIT, so five failures behind one NAT would lock everybody behind it, and a callable limit is not
told which count it is compared with. The address count lives in accounts.ratelimit (RateBucket rows).

Only sign-ins that were actually checked count towards the address: a request refused because the account or the
address is locked checked nothing, and counting it would keep a shared address locked for as long as anybody
behind it keeps trying.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.utils.crypto import salted_hmac

from . import ratelimit
from .backends import user_for_identifier
from .idnumbers import normalize_identifier

ACCOUNT = "account"
NETWORK = "network"


def account_key(request, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: "account:<pk>" for the account the identifier reaches, else a hash of what was typed.

    Axes asks several times per sign-in; the answer is kept on the request so the account is looked up once.
    """
    identifier = normalize_identifier((credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD))
    if not identifier:
        return None
    memo = getattr(request, "_lockout_keys", None) if request is not None else None
    if memo is None:
        memo = {}
        if request is not None:
            request._lockout_keys = memo
    if identifier not in memo:
        user = user_for_identifier(identifier)
        if user is not None:
            memo[identifier] = f"account:{user.pk}"
        else:
            memo[identifier] = f"unknown:{salted_hmac('accounts.lockout', identifier).hexdigest()[:40]}"
    return memo[identifier]


def address_key(ip_address: str) -> str:
    return ratelimit.bucket_key("login-fail-ip", ip_address)


def lockout_scope(request) -> str:
    """What the lockout page should say: the account is locked, or the network address."""
    return getattr(request, "lockout_scope", ACCOUNT)


class HallLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler plus the per-address limit (see the module docstring)."""

    def is_locked(self, request, credentials=None) -> bool:
        scope = None
        if super().is_locked(request, credentials):
            scope = ACCOUNT
        elif self._address_failures(request) >= settings.LOGIN_MAX_FAILURES_PER_IP_PER_HOUR:
            scope = NETWORK
        if scope is not None:
            request.lockout_refused = True
            request.lockout_scope = scope
        return scope is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        refused = getattr(request, "lockout_refused", False)
        if refused and lockout_scope(request) == NETWORK:
            # Nothing was checked: the account's count is left alone, and the lockout page is shown.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return None
        super().user_login_failed(sender, credentials, request, **kwargs)
        if refused or not request.axes_ip_address:
            return None
        hit = ratelimit.hit(address_key(request.axes_ip_address), now=request.axes_attempt_time)
        if hit.total >= settings.LOGIN_MAX_FAILURES_PER_IP_PER_HOUR and not request.axes_locked_out:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            request.lockout_scope = NETWORK
        return None

    def _address_failures(self, request) -> int:
        if not request.axes_ip_address:
            return 0
        return ratelimit.count(address_key(request.axes_ip_address), now=request.axes_attempt_time)
