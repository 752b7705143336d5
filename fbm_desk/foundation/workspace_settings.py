"""Settings → Workspace as data: where this station's data lives and what the station is called.

``settings.json`` key ``workspace``: ``mode`` ("local": this computer's SQLite file, "shared": a PostgreSQL
server), ``host``, ``port``, ``dbname``, ``user``, ``sslmode`` (``prefer`` | ``require`` | ``verify-full``),
``sslrootcert`` (the server's CA file for ``verify-full``), ``url`` (the address without a password, what
``core.workspace_url`` reads) and ``station`` (this station's name; default the host name). The password is
never in the file: it lives in the credentials layer (``Credentials.get_workspace_password``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from fbm_desk.foundation.errors import InvalidInput

SSL_MODES = ("prefer", "require", "verify-full")
DEFAULT_PORT = 5432


@dataclass(frozen=True)
class WorkspaceChoice:
    mode: str = "local"  # local | shared
    host: str = ""
    port: int = DEFAULT_PORT
    dbname: str = "fbm_desk"
    user: str = ""
    sslmode: str = "prefer"
    sslrootcert: str = ""
    station: str = ""

    @property
    def shared(self) -> bool:
        return self.mode == "shared"

    def url(self, password: str | None = None) -> str:
        """``postgresql://user[:password]@host:port/dbname[?sslmode=..&sslrootcert=..]``."""
        if not self.host.strip():
            raise InvalidInput("Enter the server's host name or address.")
        if not self.dbname.strip():
            raise InvalidInput("Enter the database name.")
        if not 0 < self.port < 65536:
            raise InvalidInput("The port is a number from 1 to 65535 (PostgreSQL's usual port is 5432).")
        if self.sslmode not in SSL_MODES:
            raise InvalidInput(f"TLS mode must be one of {', '.join(SSL_MODES)}.")
        if self.sslmode == "verify-full" and not self.sslrootcert.strip():
            raise InvalidInput("Verify-full needs the server's CA certificate file (choose it with Browse…).")
        user = quote(self.user.strip(), safe="")
        secret = f":{quote(password, safe='')}" if password else ""
        host = self.host.strip()
        host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        netloc = (f"{user}{secret}@" if user else "") + f"{host}:{self.port}"
        query: dict[str, str] = {}
        if self.sslmode != "prefer":
            query["sslmode"] = self.sslmode
        if self.sslmode == "verify-full":
            query["sslrootcert"] = self.sslrootcert.strip()
        return urlunsplit(
            ("postgresql", netloc, "/" + quote(self.dbname.strip(), safe=""), urlencode(query, safe="/"), "")
        )

    def to_settings(self) -> dict[str, Any]:
        data = asdict(self)
        data["url"] = self.url() if self.shared else ""
        return data


def read_choice(value: object) -> WorkspaceChoice:
    """The ``workspace`` value of settings.json as a ``WorkspaceChoice`` (missing or odd keys: defaults)."""
    data = dict(value) if isinstance(value, dict) else {}
    if data.get("url") and not data.get("host"):  # only an address (written by hand or by an older version)
        data.update(_fields_of(str(data["url"])))
    defaults = WorkspaceChoice()
    try:
        port = int(data.get("port", DEFAULT_PORT))
    except (TypeError, ValueError):
        port = DEFAULT_PORT
    sslmode = str(data.get("sslmode") or defaults.sslmode)
    return WorkspaceChoice(
        mode="shared" if data.get("mode") == "shared" else "local",
        host=str(data.get("host") or ""),
        port=port,
        dbname=str(data.get("dbname") or defaults.dbname),
        user=str(data.get("user") or ""),
        sslmode=sslmode if sslmode in SSL_MODES else defaults.sslmode,
        sslrootcert=str(data.get("sslrootcert") or ""),
        station=str(data.get("station") or ""),
    )


def _fields_of(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    fields: dict[str, object] = {
        "host": parts.hostname or "",
        "port": parts.port or DEFAULT_PORT,
        "dbname": unquote(parts.path.lstrip("/")),
        "user": unquote(parts.username or ""),
    }
    fields.update({k: query[k] for k in ("sslmode", "sslrootcert") if k in query})
    return fields


def with_password(url: str, password: str | None) -> str:
    """``url`` with ``password`` added (kept as it is when it already carries one, or there is none)."""
    parts = urlsplit(url)
    if not password or parts.password is not None or not parts.username:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:{quote(password, safe='')}@{host}"))


def workspace_status(reachable: bool, reason: str) -> str:
    """The status-bar line when the shared server goes away or comes back."""
    if reachable:
        return "Shared workspace reachable again: the screens show what the other stations did meanwhile."
    return (
        f"Shared workspace unreachable ({reason}). What is on screen stays; saving waits until the server is back "
        "— check the server and this computer's network."
    )
