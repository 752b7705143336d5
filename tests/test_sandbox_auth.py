"""Sandbox LWA + Seller Central consent: behaves like Amazon (codes single-use and expiring, exact errors)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from fbm_desk.sandbox import RunningSandbox
from tests.support.sandbox_fixtures import SpApi

LOOPBACK = "http://127.0.0.1:53682/callback"


def _consent(sb: RunningSandbox, *, state: str = "st-123", redirect_uri: str = LOOPBACK, **extra: str):
    params = {
        "application_id": sb.info.application_id,
        "state": state,
        "redirect_uri": redirect_uri,
        "version": "beta",
    } | extra
    return requests.get(f"{sb.info.seller_central_url}/apps/authorize/consent", params=params, timeout=10)


def _confirm(
    sb: RunningSandbox, page: requests.Response, decision: str = "authorize"
) -> dict[str, list[str]]:
    consent_id = page.text.split('name="consent_id" value="')[1].split('"')[0]
    resp = requests.post(
        f"{sb.base_url}/apps/authorize/confirm",
        data={"consent_id": consent_id, "decision": decision},
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 302
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    location = resp.headers["Location"]
    assert location.startswith(LOOPBACK + "?")
    return parse_qs(urlsplit(location).query)


def _exchange(sb: RunningSandbox, code: str, redirect_uri: str = LOOPBACK, secret: str | None = None):
    return requests.post(
        sb.info.lwa_token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": sb.info.client_id,
            "client_secret": secret or sb.info.client_secret,
        },
        timeout=10,
    )


def _refresh(sb: RunningSandbox, refresh_token: str):
    return requests.post(
        sb.info.lwa_token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": sb.info.client_id,
            "client_secret": sb.info.client_secret,
        },
        timeout=10,
    )


def test_consent_page_redirect_exchange_refresh_then_call(sandbox: RunningSandbox) -> None:
    page = _consent(sandbox)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Seller Central" in page.text
    assert "Maple &amp; Pine Goods" in page.text
    assert "Confirm" in page.text
    assert "Cancel" in page.text

    query = _confirm(sandbox, page)
    assert query["state"] == ["st-123"]
    assert query["selling_partner_id"] == [sandbox.info.selling_partner_id]
    code = query["spapi_oauth_code"][0]

    tokens = _exchange(sandbox, code)
    assert tokens.status_code == 200
    body = tokens.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].startswith("Atza|")
    assert body["refresh_token"].startswith("Atzr|")

    refreshed = _refresh(sandbox, body["refresh_token"])
    assert refreshed.status_code == 200
    api = SpApi(sandbox)
    api.access_token = refreshed.json()["access_token"]
    resp = api.get("/sellers/v1/marketplaceParticipations")
    assert resp.status_code == 200
    assert {p["marketplace"]["countryCode"] for p in resp.json()["payload"]} == {"US", "CA"}


def test_deny_redirects_with_access_denied(sandbox: RunningSandbox) -> None:
    query = _confirm(sandbox, _consent(sandbox, state="s-9"), decision="deny")
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["s-9"]
    assert "spapi_oauth_code" not in query


def test_consent_errors_are_error_pages(sandbox: RunningSandbox) -> None:
    unknown = _consent(sandbox, application_id="amzn1.sp.solution.nope")
    assert unknown.status_code == 400
    assert "MD9100" in unknown.text
    draft = _consent(sandbox, version="")
    assert draft.status_code == 400
    assert "MD1000" in draft.text
    bad_redirect = _consent(sandbox, redirect_uri="http://evil.example/cb")
    assert bad_redirect.status_code == 400
    assert "MD5101" in bad_redirect.text
    unregistered = _consent(sandbox, redirect_uri="https://relay.example.com/cb")  # https alone is not enough
    assert unregistered.status_code == 400
    assert "MD5101" in unregistered.text
    sandbox.world.register_redirect_uri("https://relay.example.com/cb")
    assert _consent(sandbox, redirect_uri="https://relay.example.com/cb").status_code == 200
    assert _consent(sandbox, redirect_uri="https://relay.example.com/cb/other").status_code == 400


def test_code_is_single_use(sandbox: RunningSandbox) -> None:
    code = _confirm(sandbox, _consent(sandbox))["spapi_oauth_code"][0]
    assert _exchange(sandbox, code).status_code == 200
    again = _exchange(sandbox, code)
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "The request has an invalid grant parameter : code",
    }


def test_code_expires_after_five_minutes(sandbox: RunningSandbox) -> None:
    code = _confirm(sandbox, _consent(sandbox))["spapi_oauth_code"][0]
    sandbox.world.advance(301)
    resp = _exchange(sandbox, code)
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_the_consent(sandbox: RunningSandbox) -> None:
    code = _confirm(sandbox, _consent(sandbox))["spapi_oauth_code"][0]
    resp = _exchange(sandbox, code, redirect_uri="http://127.0.0.1:1/other")
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_grant"


def test_wrong_client_secret_is_invalid_client(sandbox: RunningSandbox) -> None:
    code = _confirm(sandbox, _consent(sandbox))["spapi_oauth_code"][0]
    resp = _exchange(sandbox, code, secret="amzn1.oa2-cs.v1.wrong")
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"


def test_revoked_refresh_token_is_invalid_grant(sandbox: RunningSandbox) -> None:
    assert sandbox.world.revoke_refresh_token() >= 1
    resp = _refresh(sandbox, sandbox.info.refresh_token)
    assert resp.status_code == 400
    assert resp.json() == {
        "error": "invalid_grant",
        "error_description": "The request has an invalid grant parameter : refresh_token",
    }


def test_expired_or_bogus_access_token_is_403(spapi: SpApi, sandbox: RunningSandbox) -> None:
    assert spapi.get("/sellers/v1/marketplaceParticipations").status_code == 200
    sandbox.world.expire_access_tokens()
    resp = spapi.get("/sellers/v1/marketplaceParticipations")
    assert resp.status_code == 403
    assert resp.json() == {
        "errors": [
            {
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "The access token you provided is revoked, malformed or invalid.",
            }
        ]
    }
    assert "x-amzn-RateLimit-Limit" not in resp.headers
    assert resp.headers["x-amzn-RequestId"]
    spapi.access_token = "Atza|bogus"
    assert spapi.get("/sellers/v1/marketplaceParticipations").status_code == 403
    spapi.access_token = spapi.fresh_token()
    assert spapi.get("/sellers/v1/marketplaceParticipations").status_code == 200
