from django.utils.functional import SimpleLazyObject

from .acting import agent_of, household_for_switcher
from .devices import demo_devices_on


def _household(request) -> list:
    """Whom the signed-in resident may act for, himself first (the 家庭成员 switcher in base.html), as cached lines
    (accounts.acting.household_for_switcher: no query once cached). Asked for the signed-in account (the agent),
    not for the person he is acting for now."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_staff or not user.person_id:
        return []
    return household_for_switcher(agent_of(user))


def hall(request):
    # demo_devices: the 演示环境 banner on every page (templates/includes/demo_banner.html, admin/base_site.html).
    # household: lazy, so a page that does not render the switcher (admin, bare pages) runs no query for it.
    return {
        "elder_mode": getattr(request, "elder_mode", False),
        "demo_devices": demo_devices_on(),
        "household": SimpleLazyObject(lambda: _household(request)),
    }
