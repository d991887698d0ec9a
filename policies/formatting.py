"""Plain-Chinese renderings shared by messages and templates."""

import datetime
from decimal import Decimal

from accounts.money import fen_text, yuan_to_fen

from .choices import DatePrecision


def cn_date(day: datetime.date | None, precision: str = DatePrecision.DAY) -> str:
    """2024-09-01 -> 2024年9月1日; with a coarser precision only what the source said (2025年)."""
    if day is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{day.year}年"
    if precision == DatePrecision.MONTH:
        return f"{day.year}年{day.month}月"
    return f"{day.year}年{day.month}月{day.day}日"


def yuan_text(value: Decimal | int | None) -> str:
    """A policy's Decimal 元 as the pages print it: Decimal('600.00') -> '600', Decimal('12.50') -> '12.50'.
    The formatting itself is accounts.money.fen_text, the one formatter of money."""
    return "" if value is None else fen_text(yuan_to_fen(value), trim=True)
