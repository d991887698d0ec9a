"""How an amount of money reads: the one formatter, and the one conversion from a Decimal 元.

Money is an integer number of fen everywhere. accounts, policies and bindings all print it, and neither accounts
nor policies may import bindings, so the pure part lives here, at the bottom of the import graph.
bindings/ledger/money.py re-exports it beside parse_yuan (what people type); templates use the `fen_yuan` filter
(accounts/templatetags/hall.py), the policy pages the `number` tag, admin columns `money_column`: all call
`fen_text`. No float ever holds an amount: 2**53 fen and beyond are still exact here.
"""

from decimal import ROUND_HALF_UP, Decimal


def yuan_to_fen(value: Decimal | int | str | None) -> int | None:
    """A policy's Decimal 元 (or its text, '3560.00') -> fen, rounded half up. None stays None ("not stated")."""
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError("a float cannot hold an amount of money exactly; pass a Decimal or a str")
    return int((Decimal(value) * 100).to_integral_value(rounding=ROUND_HALF_UP))


def fen_text(fen: int, *, grouped: bool = True, trim: bool = False) -> str:
    """12345 -> '123.45', 123450 -> '1,234.50', -29 -> '-0.29'.

    grouped=False leaves the thousands separator out (a form's initial value, CSV cells a spreadsheet must read
    as numbers); trim=True prints a whole amount without '.00' (policy figures: 起付线 600 元).
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"an amount is an int number of fen, not {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    whole = f"{yuan:,}" if grouped else str(yuan)
    if trim and not cents:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{cents:02d}"
