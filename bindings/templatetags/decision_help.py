"""What a resident needs after a clerk's decision: where to ask. The policy data lists each region's counter but
no telephone number, so the number is the national 医保服务热线 12393."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from policies.choices import ChannelKind
from policies.selectors import resolved_policy

register = template.Library()

NATIONAL_HOTLINE = "12393"


@register.simple_tag
def region_contact(binding) -> dict:
    """{"counter": the region's counter by its policy name, "phone": 12393}."""
    policy = resolved_policy(binding.application.city_code, timezone.localdate())
    counters = [channel.name for channel in policy.channels if channel.kind == ChannelKind.COUNTER]
    return {"counter": counters[0] if counters else _("参保地医保经办窗口"), "phone": NATIONAL_HOTLINE}
