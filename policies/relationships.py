"""The 近亲属 (close relatives) as the Civil Code lists them, seen from the authorizer."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    SPOUSE = "spouse", _("配偶")
    PARENT = "parent", _("父母")
    CHILD = "child", _("子女")
    SIBLING = "sibling", _("兄弟姐妹")
    GRANDPARENT = "grandparent", _("祖父母")
    MATERNAL_GRANDPARENT = "maternal_grandparent", _("外祖父母")
    GRANDCHILD = "grandchild", _("孙子女")
    MATERNAL_GRANDCHILD = "maternal_grandchild", _("外孙子女")
    # Not a 近亲属: only 贵港's premium (代缴) scope names the spouse's parents.
    PARENT_IN_LAW = "parent_in_law", _("配偶的父母")


# A binding may be made for these only; PARENT_IN_LAW exists for premium scopes.
CLOSE_RELATIVES = tuple(r for r in Relationship if r != Relationship.PARENT_IN_LAW)


def validate_relationship_list(value, *, allow_in_law=False):
    """A JSON list of Relationship values, without repeats."""
    allowed = set(Relationship.values if allow_in_law else CLOSE_RELATIVES)
    # Items other than text (a nested list from a data file) are refused here, before they reach set().
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("应为亲属关系列表。"))
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ValidationError(
            _("未知的亲属关系：%(items)s。"),
            params={"items": "、".join(map(str, unknown))},
            code="unknown_relationship",
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("亲属关系重复。"), code="duplicate_relationship")
