"""FBM Desk OAuth relay as a WSGI app (stdlib only): the server-side twin of ``index.html``.

Deploy it behind the https address registered as the app's OAuth Redirect URI, e.g.
``gunicorn relay.wsgi:application``; set ``FBM_DESK_OAUTH_REDIRECT_URI`` to that address. It answers Amazon's
redirect with ``302`` to ``http://127.0.0.1:<port>/callback?<the same query>`` where ``<port>`` comes from the
``state`` (``<port>.<nonce>``). It only ever redirects to 127.0.0.1, logs nothing of the query (it carries the
one-time authorization code), and leaves the ``state`` check to the desktop app.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

_STATE = re.compile(r"^([1-9][0-9]{0,4})\.[A-Za-z0-9_\-]{16,}$")
HEADERS = [
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
]

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def relay_target(query: str) -> str | None:
    """The loopback URL to forward ``query`` to, or None when it is not an FBM Desk answer."""
    if not query:
        return None
    states = parse_qs(query, keep_blank_values=True).get("state", [])
    m = _STATE.match(states[0]) if states else None
    if not m:
        return None
    port = int(m.group(1))
    if not 1024 <= port <= 65535:
        return None
    return f"http://127.0.0.1:{port}/callback?{query}"


def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
        return _page(
            start_response, "405 Method Not Allowed", "Only Amazon's browser redirect is accepted here."
        )
    target = relay_target(environ.get("QUERY_STRING", ""))
    if target is None:
        return _page(
            start_response,
            "400 Bad Request",
            "This link is not for FBM Desk. Start connecting your store from the FBM Desk app.",
        )
    start_response("302 Found", [("Location", target), ("Content-Length", "0"), *HEADERS])
    return [b""]


def _page(start_response: StartResponse, status: str, message: str) -> list[bytes]:
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>FBM Desk</title></head>'
        f"<body><p>{html.escape(message)}</p></body></html>"
    ).encode()
    start_response(
        status,
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))), *HEADERS],
    )
    return [body]
