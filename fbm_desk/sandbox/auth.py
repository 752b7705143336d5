"""Login with Amazon (LWA) imitation: app credentials, authorization codes, refresh and access tokens.

Behaves like ``https://api.amazon.com/auth/o2/token``: form-encoded POST, ``Atza|``/``Atzr|`` tokens,
access tokens valid 3600 real seconds (not scaled: clients cache them by ``expires_in``), authorization
codes single-use and valid 5 minutes (scaled by the speed-up, but at least 30 real seconds), and LWA's
error bodies (``invalid_grant``, ``invalid_client``, ...).
"""

from __future__ import annotations

import hashlib
import random
import secrets
import threading
from dataclasses import dataclass

from fbm_desk.sandbox.clock import Clock

ACCESS_TOKEN_SECONDS = 3600
CODE_SECONDS = 300
DEFAULT_REDIRECT_URI = "https://fbm-desk.example.com/amazon/oauth-callback"  # the app's "registered" URI


@dataclass(frozen=True)
class AppCredentials:
    client_id: str
    client_secret: str
    application_id: str

    def __repr__(self) -> str:  # never print the secret
        return f"AppCredentials(client_id={self.client_id!r}, application_id={self.application_id!r})"


@dataclass
class _Code:
    seller: str
    redirect_uri: str
    expires: float
    used: bool = False


@dataclass
class _Refresh:
    seller: str
    revoked: bool = False


def _token(rng: random.Random | None, prefix: str, length: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    if rng is None:
        body = "".join(secrets.choice(alphabet) for _ in range(length))
    else:
        body = "".join(rng.choice(alphabet) for _ in range(length))
    return f"{prefix}|IwEB{body}"


def lwa_error(error: str, description: str) -> dict[str, object]:
    return {"error": error, "error_description": description}


def _invalid_grant(parameter: str) -> tuple[int, dict[str, object]]:
    return 400, lwa_error("invalid_grant", f"The request has an invalid grant parameter : {parameter}")


class AuthState:
    def __init__(self, clock: Clock, seller_id: str, seed: int) -> None:
        self.clock = clock
        self.seller_id = seller_id
        rng = random.Random(f"fbm-desk-sandbox-app-{seed}")
        digest = hashlib.sha256(f"sandbox-{seed}".encode()).hexdigest()
        self.app = AppCredentials(
            client_id=f"amzn1.application-oa2-client.{digest[:32]}",
            client_secret=f"amzn1.oa2-cs.v1.{hashlib.sha256(digest.encode()).hexdigest()}",
            application_id=f"amzn1.sp.solution.{digest[32:40]}-{digest[40:44]}-{digest[44:48]}-"
            f"{digest[48:52]}-{digest[52:64]}",
        )
        self.demo_refresh_token = _token(rng, "Atzr", 320)
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, _Refresh] = {self.demo_refresh_token: _Refresh(seller_id)}
        self._access: dict[str, tuple[str, float]] = {}
        # the app's registered OAuth Redirect URIs (https only, exact match, like the app registration form)
        self.redirect_uris: list[str] = [DEFAULT_REDIRECT_URI]

    def refresh_tokens(self) -> dict[str, dict[str, object]]:
        """The issued refresh tokens (kept with the demo's data, like Amazon keeps an authorization)."""
        with self._lock:
            return {t: {"seller": r.seller, "revoked": r.revoked} for t, r in self._refresh.items()}

    def restore_refresh_tokens(self, saved: dict[str, dict[str, object]]) -> None:
        with self._lock:
            for token, entry in saved.items():
                self._refresh[token] = _Refresh(str(entry["seller"]), bool(entry.get("revoked", False)))

    # --- consent → code ---------------------------------------------------------------------------------
    def issue_code(self, redirect_uri: str) -> str:
        code = "".join(
            secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") for _ in range(20)
        )
        with self._lock:
            self._codes[code] = _Code(
                self.seller_id, redirect_uri, self.clock.mono() + self.clock.ttl(CODE_SECONDS)
            )
        return code

    # --- token endpoint ----------------------------------------------------------------------------------
    def token_request(self, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        """Handle one POST /auth/o2/token. Returns (status, JSON body)."""
        grant = form.get("grant_type", "")
        if not grant:
            return 400, dict(
                lwa_error("invalid_request", "The request is missing a required parameter : grant_type")
            )
        if grant not in ("authorization_code", "refresh_token"):
            return 400, dict(lwa_error("unsupported_grant_type", "Invalid grant_type parameter value"))
        if form.get("client_id") != self.app.client_id or form.get("client_secret") != self.app.client_secret:
            return 401, dict(lwa_error("invalid_client", "Client authentication failed"))
        now = self.clock.mono()
        with self._lock:
            if grant == "authorization_code":
                code = self._codes.get(form.get("code", ""))
                if code is None or code.used or now >= code.expires:
                    return _invalid_grant("code")
                if form.get("redirect_uri", "") != code.redirect_uri:
                    code.used = True  # a failed exchange burns the code like LWA does
                    return _invalid_grant("redirect_uri")
                code.used = True
                refresh = _token(None, "Atzr", 320)
                self._refresh[refresh] = _Refresh(code.seller)
                seller = code.seller
            else:
                refresh = form.get("refresh_token", "")
                entry = self._refresh.get(refresh)
                if entry is None or entry.revoked:
                    return _invalid_grant("refresh_token")
                seller = entry.seller
            access = _token(None, "Atza", 340)
            self._access[access] = (seller, now + ACCESS_TOKEN_SECONDS)
        return 200, {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_SECONDS,
        }

    # --- SP-API side -------------------------------------------------------------------------------------
    def seller_for(self, access_token: str) -> str | None:
        """The seller a live access token belongs to; None when unknown or expired."""
        with self._lock:
            entry = self._access.get(access_token)
            if entry is None or self.clock.mono() >= entry[1]:
                return None
            return entry[0]

    # --- control -----------------------------------------------------------------------------------------
    def expire_access_tokens(self) -> int:
        with self._lock:
            for token, (seller, _) in list(self._access.items()):
                self._access[token] = (seller, 0.0)
            return len(self._access)

    def revoke_refresh_token(self, refresh_token: str | None = None) -> int:
        """Revoke one refresh token (or all); their access tokens stop working too, like a revoked app."""
        with self._lock:
            revoked = 0
            for token, entry in self._refresh.items():
                if refresh_token is None or token == refresh_token:
                    entry.revoked = True
                    revoked += 1
            if revoked:
                self._access.clear()
            return revoked

    def is_known_app(self, application_id: str) -> bool:
        return application_id == self.app.application_id
