"""The one place that decides how personal numbers look to someone who does not own them."""


def mask_id_number(value: str | None) -> str:
    """360902********1234: region code and the last four digits stay readable."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 10:
        return value[:1] + "*" * (len(value) - 2) + value[-1:] if len(value) > 2 else "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张*三 / 李*: the family name and, for three or more characters, the last one."""
    if not value:
        return ""
    value = str(value)
    if len(value) == 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
