"""Display helpers shared by the table models and the detail panel: dates, state badges, push states."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from fbm_desk.db.states import OPEN_ORDER_STATES, ListingPushState, OrderState, PushState
from fbm_desk.foundation.timestamps import parse_utc
from fbm_desk.sync.base import JOB_TITLES, JobKind

# (label, background, foreground) per order state: the badge the Orders tab shows.
STATE_BADGES: dict[str, tuple[str, str, str]] = {
    OrderState.HELD: ("Held", "#fde2b3", "#7a4b00"),
    OrderState.RELEASED: ("Released", "#cfe8ff", "#0b4a8b"),
    OrderState.PARTIALLY_SHIPPED: ("Partly shipped", "#e3d7ff", "#4b2a99"),
    OrderState.SHIPPED: ("Shipped", "#d4f2dc", "#1d6b34"),
    OrderState.CANCELED: ("Canceled", "#e6e6e6", "#555555"),
}
PUSH_BADGES: dict[str, tuple[str, str, str]] = {
    PushState.QUEUED: ("Queued", "#fff2c2", "#6b5400"),
    PushState.SENT: ("Sent", "#cfe8ff", "#0b4a8b"),
    PushState.CONFIRMED: ("Confirmed", "#d4f2dc", "#1d6b34"),
    PushState.REJECTED: ("Rejected", "#ffd6d6", "#9b1111"),
    ListingPushState.ACCEPTED: ("Accepted", "#d4f2dc", "#1d6b34"),
    "none": ("—", "", ""),
}
LATE_COLOR = QColor("#c62828")
DUE_TODAY_COLOR = QColor("#b45f06")
# The TextAlignmentRole value of a number cell.
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@cache
def bold_font() -> QFont:
    """The FontRole value of an emphasised cell: one font, made once (asked for on every paint; not to be
    changed by callers)."""
    font = QFont()
    font.setBold(True)
    return font


def local_time(text: str | None, *, with_time: bool = True) -> str:
    """``2026-11-24T09:30:00Z`` → ``2026-11-24 10:30`` in the user's time zone ('' for none)."""
    value = parse_utc(text)
    if value is None:
        return ""
    local = value.astimezone()
    return local.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def ship_by_status(latest_ship: str | None, state: str, now: datetime | None = None) -> str:
    """``late`` / ``today`` / ``''`` for an open order's ship-by date (local calendar day)."""
    if state not in OPEN_ORDER_STATES:
        return ""
    value = parse_utc(latest_ship)
    if value is None:
        return ""
    now_local = (now or datetime.now().astimezone()).astimezone()
    if value < now_local:
        return "late"
    if value.astimezone(now_local.tzinfo).date() == now_local.date():
        return "today"
    return ""


def job_title(job: str) -> str:
    """``orders`` → ``Orders``: the title of a sync job kind (the kind itself when unknown)."""
    try:
        return JOB_TITLES[JobKind(job)]
    except (ValueError, KeyError):
        return job


def state_label(state: str) -> str:
    return STATE_BADGES.get(state, (state, "", ""))[0]


def push_label(push_state: str | None) -> str:
    return PUSH_BADGES.get(push_state or "none", (push_state or "", "", ""))[0]
