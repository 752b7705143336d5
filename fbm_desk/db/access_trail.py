"""The access trail (issue 14): who viewed, printed or exported buyer addresses, from which station, when.

It holds no buyer data: the local order ids (numbers), how many orders, the operating-system user and the
host name, and what for ("pack dialog", "packing slips", "orders list --json").
"""

from __future__ import annotations

import getpass
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass

import peewee as pw

from fbm_desk.db.errors import StorageProblem, classify
from fbm_desk.db.models import database_proxy, utcnow_iso
from fbm_desk.db.privacy_models import AccessTrail

ACTIONS = ("view", "print", "export")
_MAX_IDS = 200  # a large export lists the count, and the first ids only


@dataclass(frozen=True)
class AccessRow:
    at: str
    action: str
    purpose: str
    order_count: int
    order_ids: str
    user_name: str
    station: str


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        return "unknown"


_recent: dict[tuple[str, str, str, str], float] = {}  # (database, action, purpose, ids) -> last written
_REPEAT_S = 60.0  # a panel refreshed with the same order within a minute is the same viewing


def record_access(action: str, order_ids: Sequence[int], purpose: str) -> None:
    """One trail line; its own short transaction (a read that shows an address has none to join)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access action {action!r}")
    if not order_ids:
        return
    ids = ",".join(str(int(i)) for i in list(order_ids)[:_MAX_IDS])
    now = time.monotonic()
    seen = (str(getattr(database_proxy.obj, "database", "")), action, purpose, ids)
    if now - _recent.get(seen, -_REPEAT_S) < _REPEAT_S:
        return
    _recent[seen] = now
    try:
        with database_proxy.atomic():
            AccessTrail.create(
                at=utcnow_iso(),
                action=action,
                purpose=purpose,
                order_count=len(order_ids),
                order_ids=ids,
                user_name=_user(),
                station=socket.gethostname(),
            )
    except pw.DatabaseError as exc:  # a read-only data folder still shows and prints: nothing can be saved
        if classify(exc) is not StorageProblem.READ_ONLY:
            raise


def access_rows(limit: int = 1000) -> list[AccessRow]:
    query = AccessTrail.select().order_by(AccessTrail.id.desc()).limit(limit)
    return [
        AccessRow(r.at, r.action, r.purpose, r.order_count, r.order_ids, r.user_name, r.station)
        for r in query
    ]
