"""The connect flow: consent URL -> loopback callback -> code exchange -> store saved -> connection check.

Usage (CLI and GUI worker alike)::

    with ConnectFlow(core, ConnectRequest(name="Acme US", marketplace="US")) as flow:
        url = flow.start()            # listener is up; open ``url`` in the browser
        result = flow.wait(600, cancel_event)   # ConnectResult, or an FbmError (nothing stored)

Redirect URI: ``FBM_DESK_OAUTH_REDIRECT_URI`` (the registered https relay page, which forwards to the port
carried in ``state``) or, when unset, the loopback callback URL itself. The same URI is sent with the code
exchange, as LWA requires.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fbm_desk.amazon.client import build_consent_url, exchange_authorization_code
from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.amazon.errors import AmazonError
from fbm_desk.amazon.marketplaces import Marketplace, by_code, by_id
from fbm_desk.amazon.types import MarketplaceParticipation, TokenGrant
from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.db.rows import StoreRow
from fbm_desk.domain.authorization import verify_authorizing_seller
from fbm_desk.domain.stores import StoreOptions, add_store, replace_token
from fbm_desk.foundation.errors import Action, FbmError
from fbm_desk.oauth import pages
from fbm_desk.oauth.attempt import CallbackAttempt
from fbm_desk.oauth.listener import LoopbackListener
from fbm_desk.oauth.state import OAuthState

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 600.0
DELIVERY_WAIT_S = 5.0  # at close, how long the browser's page may still take to go out

Exchange = Callable[[SpApiConfig, str, str], TokenGrant]


@dataclass(frozen=True)
class ConnectRequest:
    name: str
    marketplace: str  # our code ("US") or a marketplace id
    options: StoreOptions = field(default_factory=StoreOptions)
    reconnect_store_id: int | None = None  # set: replace this store's token in place


@dataclass(frozen=True)
class ConnectResult:
    store: StoreRow
    reconnected: bool
    participations: tuple[MarketplaceParticipation, ...] = ()
    other_marketplaces: tuple[Marketplace, ...] = ()  # same region, participating, not connected yet
    warning: str = ""  # connected, but the confirmation found something to tell the user


class ConnectFlow:
    def __init__(
        self,
        core: CoreServices,
        request: ConnectRequest,
        *,
        port: int = 0,
        exchange: Exchange = exchange_authorization_code,
    ) -> None:
        self._core = core
        self._request = request
        self._port = port
        self._exchange = exchange
        self._cancel = threading.Event()
        self._listener: LoopbackListener | None = None
        self._attempt: CallbackAttempt | None = None
        self._redirect_uri = ""
        self.consent_url = ""
        self.marketplace = by_code(request.marketplace)

    @classmethod
    def for_reconnect(cls, core: CoreServices, store_id: int, *, port: int = 0) -> ConnectFlow:
        store = store_db.get_store(store_id)
        market = by_id(store.marketplace_id)
        code = market.code if market else store.marketplace_id
        return cls(
            core, ConnectRequest(name=store.name, marketplace=code, reconnect_store_id=store.id), port=port
        )

    def __enter__(self) -> ConnectFlow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- steps ---
    def start(self) -> str:
        """Check the request, start the loopback listener and return the consent URL to open."""
        config = self._core.spapi_config
        if not config.has_app_credentials or not config.application_id:
            raise FbmError(
                "Amazon app settings are missing: set FBM_DESK_LWA_CLIENT_ID, FBM_DESK_LWA_CLIENT_SECRET and "
                "FBM_DESK_SPAPI_APP_ID (or the 'amazon' section of settings.json). "
                "For a self-authorized app, paste its refresh token instead.",
                action=Action.FIX_INPUT,
            )
        relay_problem = config.relay_problem()
        if relay_problem:  # refuse at once instead of waiting for an answer Amazon will never send
            raise FbmError(relay_problem, action=Action.FIX_INPUT)
        if self._request.reconnect_store_id is None:
            store_db.check_new_store(self._request.name, None, self.marketplace.marketplace_id)
        attempt_holder: list[CallbackAttempt] = []
        listener = LoopbackListener(
            lambda params: attempt_holder[0].on_callback(params),
            port=self._port,
            on_sent=lambda: attempt_holder[0].response_sent(),
        )
        listener.start()
        self._listener = listener
        relay = config.redirect_uri.strip()
        state = OAuthState.new(listener.port if relay else None)
        self._attempt = CallbackAttempt(state)
        attempt_holder.append(self._attempt)
        self._redirect_uri = relay or listener.callback_url
        self.consent_url = build_consent_url(config, self.marketplace, state.value, self._redirect_uri)
        log.info(
            "Connect %s for %s: waiting for Amazon's redirect (%s)",
            "reconnect" if self._request.reconnect_store_id else "new store",
            self.marketplace.code,
            "https relay" if relay else "loopback redirect",
        )
        return self.consent_url

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("flow not started")
        return self._listener.port

    def wait(
        self, timeout_s: float = DEFAULT_TIMEOUT_S, cancel: threading.Event | None = None
    ) -> ConnectResult:
        """Wait for the redirect, exchange the code, save the store. Raises FbmError (nothing stored)."""
        if self._attempt is None:
            raise RuntimeError("call start() first")
        stop = _either(self._cancel, cancel)
        callback = self._attempt.wait(timeout_s, stop)
        try:
            grant = self._exchange(self._core.spapi_config, callback.code, self._redirect_uri)
            verify_authorizing_seller(  # the redirect's seller id is a query parameter: check it
                self._core.spapi_config,
                grant.refresh_token,
                callback.selling_partner_id,
                marketplace_id=self.marketplace.marketplace_id,
                region=self.marketplace.region,
                limiter=self._core.limiter,
            )
            store, reconnected = self._save(callback.selling_partner_id, grant.refresh_token)
        except FbmError as exc:
            self._attempt.reply(pages.failed(exc.user_message))
            raise
        except BaseException:
            self._attempt.reply(pages.failed("FBM Desk hit an internal error; details are in its log file."))
            raise
        self._attempt.reply(pages.connected(store.name))
        log.info(
            "Store #%d %s (seller %s)",
            store.id,
            "reconnected" if reconnected else "connected",
            store.selling_partner_id,
        )
        return self._confirm(store, reconnected)

    def cancel(self) -> None:
        """Stop waiting (thread-safe): ``wait`` raises ConnectCancelled within a fraction of a second."""
        self._cancel.set()

    def close(self) -> None:
        if self._attempt is not None:
            self._attempt.wait_delivered(DELIVERY_WAIT_S)
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    # --- internals ---
    def _save(self, selling_partner_id: str, refresh_token: str) -> tuple[StoreRow, bool]:
        if self._request.reconnect_store_id is not None:
            return replace_token(
                self._core, self._request.reconnect_store_id, refresh_token, selling_partner_id
            ), True
        store = add_store(
            self._core,
            name=self._request.name,
            marketplace=self.marketplace.code,
            selling_partner_id=selling_partner_id,
            refresh_token=refresh_token,
            options=self._request.options,
        )
        return store, False

    def _confirm(self, store: StoreRow, reconnected: bool) -> ConnectResult:
        """getMarketplaceParticipations: proves the token works and finds the seller's other marketplaces."""
        try:
            participations = tuple(self._core.client_for(store).marketplace_participations())
        except AmazonError as exc:
            log.warning("Connection check of store #%d failed: %s", store.id, exc.user_message)
            return ConnectResult(
                store, reconnected, warning=f"The store is connected, but the connection check failed: {exc}"
            )
        except Exception:  # a bug in the check must not make a saved store look unsaved
            log.exception("Connection check of store #%d crashed", store.id)
            return ConnectResult(
                store, reconnected, warning="The store is connected, but the connection check could not run."
            )
        participating = {p.marketplace_id for p in participations if p.is_participating}
        warning = ""
        if store.marketplace_id not in participating:
            warning = (
                f"Amazon says this account does not sell in {self.marketplace.name}. "
                "Check that you signed in to the Seller Central account of this marketplace."
            )
        return ConnectResult(
            store,
            reconnected,
            participations=participations,
            other_marketplaces=other_marketplaces(store, participating),
            warning=warning,
        )


def other_marketplaces(store: StoreRow, participating: set[str]) -> tuple[Marketplace, ...]:
    """Participating marketplaces of the store's region that this seller has no store for yet."""
    taken = {
        s.marketplace_id for s in store_db.list_stores() if s.selling_partner_id == store.selling_partner_id
    }
    found = []
    for mid in sorted(participating):
        market = by_id(mid)
        if market is not None and market.region == store.region and mid not in taken:
            found.append(market)
    return tuple(found)


def sibling_name(store: StoreRow, market: Marketplace) -> str:
    """ "Acme US" -> "Acme CA"; "Acme" -> "Acme CA" (the "Brand name + Amazon marketplace" convention)."""
    own = by_id(store.marketplace_id)
    words = store.name.split()
    if own is not None and len(words) > 1 and words[-1].upper() in (own.code, own.country_code):
        words = words[:-1]
    return " ".join([*words, market.code])


def add_sibling_stores(core: CoreServices, store: StoreRow, codes: Sequence[str]) -> list[StoreRow]:
    """Add stores for other marketplaces of the same authorization (one regional token covers them all)."""
    token = core.credentials.get_refresh_token(store.id)
    if not token:
        raise FbmError(
            f"Store '{store.name}' has no Amazon authorization on this computer.",
            action=Action.RECONNECT,
        )
    options = StoreOptions(
        download_products_orders=store.download_products_orders,
        import_pending=store.import_pending,
        starting_inventory=store.starting_inventory,
        remove_stock_external=store.remove_stock_external,
    )
    added = []
    for code in codes:
        market = by_code(code)
        added.append(
            add_store(
                core,
                name=sibling_name(store, market),
                marketplace=market.code,
                selling_partner_id=store.selling_partner_id,
                refresh_token=token,
                options=options,
            )
        )
    return added


class _Either:
    """An Event-like view that is set when either event is (for ``CallbackAttempt.wait``)."""

    def __init__(self, a: threading.Event, b: threading.Event | None) -> None:
        self._a, self._b = a, b

    def is_set(self) -> bool:
        return self._a.is_set() or (self._b is not None and self._b.is_set())


def _either(a: threading.Event, b: threading.Event | None) -> threading.Event:
    if b is None:
        return a
    return _Either(a, b)  # type: ignore[return-value]
