"""Where the client talks to and with which app credentials (environment first, then the settings file)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from fbm_desk.amazon.marketplaces import REGION_ENDPOINTS, Marketplace

DEFAULT_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"  # noqa: S105 - a URL, not a secret

ENV_SPAPI_ENDPOINT = "FBM_DESK_SPAPI_ENDPOINT"
ENV_LWA_TOKEN_URL = "FBM_DESK_LWA_TOKEN_URL"  # noqa: S105 - a variable name
ENV_SELLER_CENTRAL_URL = "FBM_DESK_SELLER_CENTRAL_URL"
ENV_CLIENT_ID = "FBM_DESK_LWA_CLIENT_ID"
ENV_CLIENT_SECRET = "FBM_DESK_LWA_CLIENT_SECRET"  # noqa: S105 - a variable name, not a secret
ENV_APP_ID = "FBM_DESK_SPAPI_APP_ID"
ENV_REDIRECT_URI = "FBM_DESK_OAUTH_REDIRECT_URI"
ENV_SPEEDUP = "FBM_DESK_SPEEDUP"
ENV_CONSENT_BETA = "FBM_DESK_CONSENT_BETA"  # 1 = the app is still a Draft on Amazon (send version=beta)
RELAY_README = "README.md, section “Connect a real Amazon account” (the https relay)"
_AMAZON_HOST = re.compile(
    r"(^|\.)amazon(\.[a-z]{2,3}){1,2}$"
)  # sellercentral.amazon.co.uk, ...-europe.amazon.com


def _flag(value: object) -> bool | None:
    if value is None or value == "":
        return None
    return str(value).strip().lower() not in ("false", "0", "no", "off")


@dataclass(frozen=True)
class SpApiConfig:
    """App-level SP-API settings. ``client_secret`` is a secret: never log this object's fields."""

    client_id: str = ""
    client_secret: str = ""
    application_id: str = ""
    lwa_token_url: str = DEFAULT_LWA_TOKEN_URL
    spapi_endpoint: str = ""  # overrides every regional host when set (sandbox, tests)
    seller_central_url: str = ""  # overrides https://<seller central host> when set
    redirect_uri: str = ""  # registered https relay; empty = loopback URL itself
    consent_beta: bool | None = None  # version=beta (app still a Draft); None = only off Amazon's own hosts
    speedup: float = 1.0  # divides every wait the app makes on its own

    def __repr__(self) -> str:
        return (
            f"SpApiConfig(client_id={self.client_id!r}, application_id={self.application_id!r}, "
            f"lwa_token_url={self.lwa_token_url!r}, spapi_endpoint={self.spapi_endpoint!r}, "
            f"seller_central_url={self.seller_central_url!r}, speedup={self.speedup})"
        )

    @property
    def has_app_credentials(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def endpoint_for(self, region: str) -> str:
        return (self.spapi_endpoint or REGION_ENDPOINTS[region]).rstrip("/")

    @property
    def uses_amazon_seller_central(self) -> bool:
        """True when the consent page is Amazon's real Seller Central (not the sandbox or a test double)."""
        if not self.seller_central_url:
            return True
        return bool(_AMAZON_HOST.search(urlsplit(self.seller_central_url).hostname or ""))

    @property
    def send_version_beta(self) -> bool:
        """Send ``version=beta``: as set (the "app is a Draft" setting); unset = off on Amazon's real Seller
        Central (a published app would authorize its draft) and on for the built-in sandbox's draft app."""
        if self.consent_beta is not None:
            return self.consent_beta
        return not self.uses_amazon_seller_central

    def relay_problem(self) -> str:
        """Why a browser connect cannot work with this configuration ("" when it can): Amazon redirects only to
        a registered https URI, never to the loopback listener (MD5101)."""
        if not self.uses_amazon_seller_central:
            return ""
        relay = self.redirect_uri.strip()
        if not relay:
            return (
                "Connecting through Amazon's consent page needs the https relay: Amazon only sends the "
                "authorization to a registered https address, never to this computer (127.0.0.1). Publish the "
                "relay page (relay/) at your app's registered OAuth Redirect URI and set "
                f"FBM_DESK_OAUTH_REDIRECT_URI (or oauth_redirect_uri in settings.json) to it. See {RELAY_README}. "
                "Or add the store with a pasted refresh token (self-authorized app)."
            )
        if urlsplit(relay).scheme != "https":
            return (
                f"The relay address {relay} is not https; Amazon refuses it (MD5101). Register and set the https "
                f"address of the relay page. See {RELAY_README}."
            )
        return ""

    def seller_central_for(self, marketplace: Marketplace) -> str:
        return (self.seller_central_url or f"https://{marketplace.seller_central_host}").rstrip("/")

    @classmethod
    def from_env(
        cls, settings: Mapping[str, object] | None = None, env: Mapping[str, str] | None = None
    ) -> SpApiConfig:
        """Environment variables win over the settings file's ``amazon`` section."""
        env = os.environ if env is None else env
        s = dict(settings or {})

        def pick(env_name: str, key: str, default: str = "") -> str:
            value = env.get(env_name) or s.get(key) or default
            return str(value)

        try:
            speedup = max(1.0, float(env.get(ENV_SPEEDUP, "1") or 1))
        except ValueError:
            speedup = 1.0
        return cls(
            client_id=pick(ENV_CLIENT_ID, "lwa_client_id"),
            client_secret=pick(ENV_CLIENT_SECRET, "lwa_client_secret"),
            application_id=pick(ENV_APP_ID, "spapi_app_id"),
            lwa_token_url=pick(ENV_LWA_TOKEN_URL, "lwa_token_url", DEFAULT_LWA_TOKEN_URL),
            spapi_endpoint=pick(ENV_SPAPI_ENDPOINT, "spapi_endpoint"),
            seller_central_url=pick(ENV_SELLER_CENTRAL_URL, "seller_central_url"),
            redirect_uri=pick(ENV_REDIRECT_URI, "oauth_redirect_uri"),
            consent_beta=_flag(env.get(ENV_CONSENT_BETA))
            if env.get(ENV_CONSENT_BETA)
            else _flag(s.get("consent_beta")),
            speedup=speedup,
        )
