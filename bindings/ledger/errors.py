"""The ledger's refusals."""

from accounts.errors import HallError


class LedgerError(HallError):
    """A refusal the resident or clerk can read about money. Nothing was written when it is raised."""
