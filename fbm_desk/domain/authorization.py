"""Checking what a user or a browser hands us before a store is saved with it (issue 11, item 10).

- The seller id (Merchant Token): Amazon's are uppercase letters and digits starting with ``A`` (e.g.
  ``A2EUQ1WTGCTBG2``; the models' placeholder is ``AXXXXXXXXXXXX``), so anything else is a typo.
- A refresh token: ``Atzr|`` followed by printable ASCII, one line. When the app's LWA credentials are set,
  one token exchange proves it: ``invalid_grant`` refuses it (nothing stored). If Amazon cannot be reached the
  store is added and the caller is told the token could not be checked.
- The ``selling_partner_id`` of a consent redirect is only a query parameter: anyone who can reach the
  loopback listener with the right ``state`` could change it. It is checked against the authorization itself
  with one seller-scoped call (getListingsItem for a SKU no seller has): Amazon answers 403 when the seller id
  in the path is not the seller who authorized, 404 when it is.
"""

from __future__ import annotations

import logging
import re

from fbm_desk.amazon.client import SpApiClient
from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.amazon.errors import AccessDenied, AmazonError, AmazonRejected, AuthorizationRevoked
from fbm_desk.amazon.ratelimit import RateLimiter
from fbm_desk.foundation.errors import FbmError, InvalidInput

log = logging.getLogger(__name__)

SELLER_ID = re.compile(r"A[0-9A-Z]{7,19}")  # ASCII only: [0-9A-Z], never \w
REFRESH_TOKEN_PREFIX = "Atzr|"  # noqa: S105 - the format, not a secret
MAX_TOKEN_LENGTH = 2048
PROBE_SKU = "FBM-DESK-SELLER-CHECK"  # a SKU no seller has: the answer is about the seller id, not the SKU


def check_seller_id(value: str) -> str:
    """The seller id, stripped; ``InvalidInput`` unless it has Amazon's format."""
    seller = value.strip()
    if SELLER_ID.fullmatch(seller) is None:
        shown = (
            seller if seller.isascii() and seller.isprintable() and len(seller) <= 40 else repr(seller[:40])
        )
        raise InvalidInput(
            f"'{shown}' is not an Amazon seller id. The seller id (Merchant Token, in Seller Central under "
            "Settings → Account Info → Business Information) is 8 to 20 capital letters and digits starting "
            "with A, e.g. A2EUQ1WTGCTBG2."
        )
    return seller


def check_refresh_token_format(value: str) -> str:
    """The token, stripped; ``InvalidInput`` unless it looks like an LWA refresh token (nothing is logged)."""
    token = value.strip()
    if not token:
        raise InvalidInput("The refresh token is empty.")
    if not (token.isascii() and token.isprintable()) or any(ch.isspace() for ch in token):
        raise InvalidInput("The refresh token must be one line of plain text (letters, digits, | and -).")
    if not token.startswith(REFRESH_TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidInput(
            f"This is not an Amazon refresh token: those start with '{REFRESH_TOKEN_PREFIX}'. Copy it again "
            "from the app's authorization in Seller Central."
        )
    return token


def try_refresh_token(config: SpApiConfig, refresh_token: str, region: str) -> str:
    """One token exchange with Login with Amazon. Raises ``InvalidInput`` when Amazon refuses the token;
    returns a warning (empty when checked) when it could not be checked (no app credentials, no network)."""
    if not config.has_app_credentials:
        return "The refresh token was not checked: the Amazon app credentials are not set."
    client = SpApiClient(config, selling_partner_id="", region=region, refresh_token=refresh_token)
    try:
        client.tokens.get()
    except AuthorizationRevoked:
        raise InvalidInput(
            "Amazon's login service refused this refresh token (invalid_grant): it is mistyped, was revoked, "
            "or belongs to another app. Nothing was stored."
        ) from None
    except AmazonError as exc:
        log.warning("Refresh token check not possible: %s", exc.user_message)
        return f"The refresh token could not be checked now ({exc.user_message})."
    finally:
        client.close()
    return ""


def verify_authorizing_seller(
    config: SpApiConfig,
    refresh_token: str,
    selling_partner_id: str,
    *,
    marketplace_id: str,
    region: str,
    limiter: RateLimiter,
) -> None:
    """Refuse (``FbmError``) a consent redirect whose ``selling_partner_id`` is not the seller who authorized.

    403 on the seller's own resource = another seller: refused. Any other answer (404 for the probe SKU, a
    listing, a refusal about the SKU) = the seller matches. Amazon unreachable: the store is saved (the
    connection check that follows reports it); the forged-redirect case also needs the valid, one-time code.
    """
    seller = check_seller_id(selling_partner_id)
    client = SpApiClient(
        config, selling_partner_id=seller, region=region, refresh_token=refresh_token, limiter=limiter
    )
    try:
        client.get_listing(marketplace_id, PROBE_SKU)
    except AccessDenied:
        log.warning("Consent redirect named seller %s, which did not authorize this token: refused", seller)
        raise FbmError(
            f"Amazon's redirect named seller {seller}, but that account did not give this authorization. "
            "Nothing was saved; connect the store again from FBM Desk."
        ) from None
    except AmazonRejected:  # 404 for the probe SKU (or another refusal about the SKU): the seller matches
        return
    except AmazonError as exc:
        log.warning("Seller check of the consent redirect not possible: %s", exc.user_message)
    finally:
        client.close()
