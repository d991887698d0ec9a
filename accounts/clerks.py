"""Which region a clerk serves. One rule for lists (a Q object), single objects, the admin and the counter desk."""

from django.db.models import Q


def sees_all_regions(user) -> bool:
    return user.is_superuser or user.has_perm("bindings.view_all_regions")


def clerk_covers(user, city_code: str) -> bool:
    """A clerk sees his own city, or his whole province when his region is a province code."""
    if not getattr(user, "is_staff", False):
        return False
    if sees_all_regions(user):
        return True
    region = getattr(user, "region_code", "") or ""
    if not region or not city_code:
        return False
    if region.endswith("0000"):
        return city_code[:2] == region[:2]
    return city_code == region


def region_q(user, field: str) -> Q:
    """The same rule as clerk_covers, as a filter on `field` (a city code)."""
    if sees_all_regions(user):
        return Q()
    region = getattr(user, "region_code", "") or ""
    if not region or not getattr(user, "is_staff", False):
        return Q(pk__in=[])
    if region.endswith("0000"):
        return Q(**{f"{field}__startswith": region[:2]})
    return Q(**{field: region})
