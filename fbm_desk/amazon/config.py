"""Where the client talks to and with which app credentials (environment first, then the settings file)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

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
    consent_beta: bool = True  # version=beta while the app is a draft
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
            consent_beta=str(s.get("consent_beta", True)).lower() not in ("false", "0", "no"),
            speedup=speedup,
        )
