"""Seller Central's app consent page (``/apps/authorize/consent``) and its confirm/deny form.

Authorize → 302 to ``redirect_uri`` with ``spapi_oauth_code``, ``state`` and ``selling_partner_id``.
Deny/Cancel → 302 to ``redirect_uri`` with ``error=access_denied`` and ``state`` (sandbox choice: real Seller
Central just returns to its home page; a redirect lets the app's loopback listener stop waiting).
Errors (unknown app, draft app without ``version=beta``, unregistered redirect URI) get an error page with an
``MDxxxx`` code like Seller Central. A redirect URI must equal one of the app's registered https URIs
(``World.register_redirect_uri``), else MD5101, as at Amazon. The one exception is a loopback
``http://127.0.0.1:<port>/…`` URI: real Amazon refuses it, the sandbox accepts it so that the demo and tests can
connect without an https relay (FBM Desk itself refuses to connect to Amazon's real hosts without the relay).
"""

from __future__ import annotations

import html
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

from fbm_desk.sandbox import seed_data as sd
from fbm_desk.sandbox.auth import DEFAULT_REDIRECT_URI
from fbm_desk.sandbox.http_util import Request, Response
from fbm_desk.sandbox.world import World

HTML = "text/html; charset=utf-8"
_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}

_STYLE = """
body{margin:0;font:15px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  background:#f3f4f6;color:#0f1111}
header{background:#232f3e;color:#fff;padding:12px 24px;font-weight:600;letter-spacing:.2px}
header span{color:#ff9900}
main{max-width:560px;margin:32px auto;background:#fff;border-radius:10px;
  box-shadow:0 1px 4px rgba(0,0,0,.12);padding:28px 32px}
h1{font-size:21px;margin:0 0 6px} .muted{color:#565959;font-size:13px}
ul{padding-left:20px} li{margin:4px 0}
.seller{background:#f7fafa;border:1px solid #d5d9d9;border-radius:8px;padding:10px 14px;margin:16px 0}
.buttons{display:flex;gap:12px;margin-top:22px}
button{font-size:15px;border-radius:20px;padding:9px 22px;cursor:pointer;
  border:1px solid #d5d9d9;background:#fff}
button.primary{background:#ffd814;border-color:#fcd200;font-weight:600}
.note{margin-top:20px;font-size:12px;color:#565959;border-top:1px solid #eee;padding-top:12px}
.error{color:#b12704}
"""


def _page(title: str, body: str, status: int = 200) -> Response:
    doc = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}</style></head>'
        "<body><header>FBM Desk Sandbox <span>Seller Central</span></header>"
        f"<main>{body}</main></body></html>"
    )
    return Response(status, doc.encode("utf-8"), HTML, dict(_HEADERS))


def error_page(code: str, message: str) -> Response:
    body = (
        f'<h1 class="error">We\'re sorry!</h1><p>{html.escape(message)}</p>'
        f'<p class="muted">Error code: {html.escape(code)}</p>'
        '<p class="note">Tell the developer of the application this error code.</p>'
    )
    return _page(f"Error {code}", body, 400)


def redirect_allowed(uri: str, registered: list[str]) -> bool:
    if uri in registered:
        return True
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "::1", "localhost")


def consent_page(world: World, req: Request) -> Response:
    app_id = req.one("application_id") or ""
    state = req.one("state") or ""
    redirect_uri = req.one("redirect_uri") or DEFAULT_REDIRECT_URI
    if not world.auth.is_known_app(app_id):
        return error_page("MD9100", "The application you are trying to authorize could not be found.")
    if req.one("version") != "beta":
        return error_page(
            "MD1000", "This application is in Draft state: the authorization URL needs version=beta."
        )
    if not redirect_allowed(redirect_uri, world.auth.redirect_uris):
        return error_page(
            "MD5101", "The redirect URI does not match any URI registered for this application."
        )
    if not state:
        return error_page("MD5004", "The authorization request is missing the state parameter.")
    consent_id = secrets.token_urlsafe(16)
    with world.lock:
        world.consents[consent_id] = (state, redirect_uri)
    markets = ", ".join(f"{name} ({country})" for _, name, country, *_ in sd.MARKETPLACES)
    body = f"""
<h1>Authorize {html.escape(sd.APP_NAME)}?</h1>
<p class="muted">{html.escape(sd.APP_NAME)} is asking to connect to your selling account.</p>
<div class="seller"><strong>{html.escape(sd.STORE_NAME)}</strong><br>
<span class="muted">Merchant token {sd.SELLER_ID} · North America region · {html.escape(markets)}</span></div>
<p>If you confirm, {html.escape(sd.APP_NAME)} will be able to:</p>
<ul>
<li>Read your orders, including the shipping address of merchant-fulfilled orders</li>
<li>Confirm shipments and upload tracking numbers</li>
<li>Read your listings and update the quantity available for sale</li>
<li>Request reports and submit listings feeds</li>
</ul>
<form method="post" action="/apps/authorize/confirm">
<input type="hidden" name="consent_id" value="{html.escape(consent_id)}">
<div class="buttons">
<button class="primary" type="submit" name="decision" value="authorize">Confirm</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</div></form>
<p class="note">This is the built-in Amazon sandbox of FBM Desk: a simulated Seller Central with invented
orders and buyers. No real Amazon account is used and nothing leaves this computer.</p>
"""
    return _page("Authorize application – Seller Central (sandbox)", body)


def confirm(world: World, req: Request) -> Response:
    form = {k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
    with world.lock:
        pending = world.consents.pop(form.get("consent_id", ""), None)
    if pending is None:
        return error_page(
            "MD5002", "This authorization request has expired or was already used. Start again."
        )
    state, redirect_uri = pending
    if form.get("decision") == "authorize":
        code = world.auth.issue_code(redirect_uri)
        query = {"state": state, "selling_partner_id": sd.SELLER_ID, "spapi_oauth_code": code}
    else:
        query = {
            "error": "access_denied",
            "error_description": "The seller did not authorize the app.",
            "state": state,
        }
    location = redirect_uri + ("&" if "?" in redirect_uri else "?") + urlencode(query)
    return Response(302, b"", HTML, {**_HEADERS, "Location": location})
