"""Who may work at the counter desk, and for which region. One rule for the desk, the counter simulator and
the receipts it prints."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.clerks import clerk_covers


def can_use_counter(user) -> bool:
    return bool(getattr(user, "is_staff", False) and user.has_perm("bindings.use_counter"))


def counter_covers(user, city_code: str) -> bool:
    """A counter clerk serving this city (his own, or any in his province when his region is a province)."""
    return can_use_counter(user) and clerk_covers(user, city_code)


def counter_required(view):
    """Counter pages: staff with the counter permission; anyone else signs in as staff first or gets 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not can_use_counter(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
