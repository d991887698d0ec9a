"""Names of administrative divisions, read from python-stdnum's GB/T 2260 table."""

from functools import lru_cache

from stdnum import numdb


def _current(names: str) -> str:
    # Entries look like "[-1986]渡口市,[1987-]攀枝花市": keep the one still in use.
    for part in names.split(","):
        if not part.startswith("["):
            return part
        span, name = part[1:].split("]", 1)
        if span.endswith("-"):
            return name
    return names.split("]")[-1]


@lru_cache(maxsize=2048)
def region_name(code: str) -> str:
    """'360900' -> '江西省宜春市'; an unknown code is returned as it is."""
    if not code or len(code) != 6 or not code.isdigit():
        return code or ""
    info = {}
    for _part, props in numdb.get("cn/loc").info(code):
        info.update(props)
    province = info.get("province", "")
    if not province:
        return code
    if code.endswith("0000"):
        return province
    county = _current(info.get("county", ""))
    if code.endswith("00"):
        return province + county if county and county != province else province
    prefecture_code = code[:4] + "00"
    prefecture = region_name(prefecture_code) if prefecture_code != code else province
    return prefecture + county if county else prefecture
