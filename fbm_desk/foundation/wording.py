"""Words shown to warehouse staff: counts with the right plural, intervals as they really run, and Amazon's raw
codes in plain language. Pure functions (no Qt), shared by the screens."""

from __future__ import annotations

from datetime import timedelta

DEMO_SECRETS_TEXT = (
    "Demo mode: the built-in sandbox's throwaway tokens are kept in a plain file in the demo's own data "
    "folder. No real Amazon account is involved; real stores keep their tokens in the system keyring."
)
_IRREGULAR = {"quantity": "quantities", "entry": "entries"}

# Amazon's OrderStatus values (Orders API v0) in the words of the Orders tab.
AMAZON_STATUS_WORDS = {
    "Pending": "Pending (payment hold)",
    "PENDING": "Pending (payment hold)",
    "Unshipped": "Not shipped yet",
    "UNSHIPPED": "Not shipped yet",
    "PartiallyShipped": "Partly shipped",
    "PARTIALLY_SHIPPED": "Partly shipped",
    "Shipped": "Shipped",
    "SHIPPED": "Shipped",
    "Canceled": "Canceled",
    "CANCELED": "Canceled",
    "Unfulfillable": "Cannot be fulfilled",
    "InvoiceUnconfirmed": "Invoice not confirmed",
    "PendingAvailability": "Pre-order (not released)",
}


def plural(n: int, noun: str) -> str:
    """``1 tracking number``, ``2 tracking numbers``, ``1 API call``, ``3 quantities``."""
    if n == 1:
        return f"{n:,} {noun}"
    head, _, last = noun.rpartition(" ")
    many = _IRREGULAR.get(last, last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s"))
    return f"{n:,} {head + ' ' if head else ''}{many}"


def every(period: timedelta, time_scale: float = 1.0) -> str:
    """How often a job really runs: ``every 20 min``, or ``every 20 s`` in the demo's sped-up schedule."""
    seconds = round(period.total_seconds() / (time_scale if time_scale > 0 else 1.0))
    if seconds < 120:
        return f"every {seconds} s"
    if seconds < 2 * 3600 and seconds % 3600:
        return f"every {round(seconds / 60)} min"
    hours = seconds / 3600
    return "every hour" if hours == 1 else f"every {hours:g} hours"


def amazon_status_words(status: str) -> str:
    return AMAZON_STATUS_WORDS.get(status, status)
