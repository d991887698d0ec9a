"""Plain-Chinese renderings shared by messages and templates."""

import datetime
from decimal import Decimal

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


def yuan(value: Decimal | int | None) -> str:
    """Decimal('600.00') -> '600'; Decimal('12.50') -> '12.50'."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}"
