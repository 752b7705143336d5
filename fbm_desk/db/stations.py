"""Who did it: this process's station name and operating-system user.

Every package, stock adjustment and timeline event records them (``schema_stations.sql``): the model fields
take ``current_station`` / ``current_os_user`` as defaults, and the bulk inserts of the order import add
``stamp()``. The composition root (``core.build_core``) names the station once per process from Settings →
Workspace (default: the computer's host name); nothing here reads settings.
"""

from __future__ import annotations

import getpass
import socket
import threading
from dataclasses import dataclass

MAX_NAME = 100  # the schema's CHECK (length <= 100)


@dataclass(frozen=True)
class Actor:
    station: str
    os_user: str


def host_name() -> str:
    """The computer's short host name (the default station name)."""
    name = socket.gethostname().split(".", 1)[0].strip()
    return name[:MAX_NAME] or "station"


def os_user_name() -> str:
    """The operating-system user running this process ('' when it cannot be told)."""
    try:
        return getpass.getuser()[:MAX_NAME]
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (a bare container)
        return ""


_lock = threading.Lock()
_actor = Actor(station=host_name(), os_user=os_user_name())


def set_actor(station: str, os_user: str | None = None) -> Actor:
    """Name this process's station (and user); returns what will be recorded from now on."""
    global _actor
    name = " ".join(station.split())[:MAX_NAME] or host_name()
    with _lock:
        _actor = Actor(station=name, os_user=(os_user if os_user is not None else _actor.os_user)[:MAX_NAME])
        return _actor


def current_actor() -> Actor:
    return _actor


def current_station() -> str:
    return _actor.station


def current_os_user() -> str:
    return _actor.os_user


def stamp() -> dict[str, str]:
    """The ``station`` / ``os_user`` columns of a row written now (for hand-built bulk inserts)."""
    actor = _actor
    return {"station": actor.station, "os_user": actor.os_user}


def describe_actor(station: str, os_user: str) -> str:
    """``"PACK-1 (anna)"`` for screens; '' when nothing was recorded (rows from before stations had names)."""
    if station and os_user:
        return f"{station} ({os_user})"
    return station or os_user
