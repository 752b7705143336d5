"""The https relay (relay/): forwards Amazon's answer only to the loopback port named in ``state``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest

from fbm_desk.oauth.state import OAuthState, port_from_state
from relay.wsgi import application, relay_target

RELAY_DIR = Path(__file__).resolve().parent.parent / "relay"
NONCE = "n" * 43

CASES = [
    # (query, expected target or None)
    (f"state=5123.{NONCE}&spapi_oauth_code=abc&selling_partner_id=A1", "5123"),
    (f"spapi_oauth_code=abc&state=65535.{NONCE}", "65535"),
    (f"state={NONCE}&spapi_oauth_code=abc", None),  # no port: not a relay state
    (f"state=80.{NONCE}", None),  # privileged port refused
    (f"state=70000.{NONCE}", None),
    ("state=5123.short", None),
    (f"state=5123.{NONCE}@evil.example", None),
    ("", None),
    ("state=", None),
]


def _expected(query: str, port: str | None) -> str | None:
    return None if port is None else f"http://127.0.0.1:{port}/callback?{query}"


@pytest.mark.parametrize(("query", "port"), CASES)
def test_wsgi_relay_target(query: str, port: str | None) -> None:
    assert relay_target(query) == _expected(query, port)


def _call(query: str, method: str = "GET") -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, object] = {"QUERY_STRING": query, "REQUEST_METHOD": method}
    setup_testing_defaults(environ)
    seen: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    body = b"".join(application(environ, start_response))
    return str(seen["status"]), dict(seen["headers"]), body  # type: ignore[arg-type]


def test_wsgi_redirects_with_the_query_unchanged_and_no_referrer() -> None:
    query = f"state=5123.{NONCE}&spapi_oauth_code=ANbcdef&selling_partner_id=A3SELLER"
    status, headers, _ = _call(query)
    assert status.startswith("302")
    assert headers["Location"] == f"http://127.0.0.1:5123/callback?{query}"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


def test_wsgi_refuses_foreign_queries_and_methods() -> None:
    status, headers, body = _call("state=evil")
    assert status.startswith("400")
    assert "Location" not in headers
    assert b"not for FBM Desk" in body
    assert _call(f"state=5123.{NONCE}", method="POST")[0].startswith("405")


def test_relay_state_round_trip_with_the_app() -> None:
    state = OAuthState.new(port=43123)
    assert port_from_state(state.value) == 43123
    assert relay_target(f"state={state.value}&spapi_oauth_code=x") is not None
    assert port_from_state(OAuthState.new().value) is None


@pytest.mark.skipif(shutil.which("node") is None, reason="node is needed to run the static page's script")
def test_static_page_script_matches_the_wsgi_relay() -> None:
    page = (RELAY_DIR / "index.html").read_text(encoding="utf-8")
    assert '<meta name="referrer" content="no-referrer">' in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page), "no external resources"
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    assert script is not None
    queries = [q for q, _ in CASES]
    program = (
        script.group(1)
        + f"\nconsole.log(JSON.stringify({json.dumps(queries)}.map(q => relayTarget(q ? '?' + q : ''))));"
    )
    out = subprocess.run(["node", "-e", program], capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout) == [_expected(q, p) for q, p in CASES]
