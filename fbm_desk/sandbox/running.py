"""Start/stop the sandbox on a daemon thread: ``start_sandbox(...) -> RunningSandbox``."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import asdict, dataclass
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from fbm_desk.amazon.config import (
    ENV_APP_ID,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    ENV_LWA_TOKEN_URL,
    ENV_SELLER_CENTRAL_URL,
    ENV_SPAPI_ENDPOINT,
    ENV_SPEEDUP,
    SpApiConfig,
)
from fbm_desk.sandbox.server import make_handler
from fbm_desk.sandbox.world import World

TICK_SECONDS = 0.5


@dataclass(frozen=True)
class SandboxInfo:
    """How to connect to a running sandbox (the ``fbm-desk sandbox`` JSON line). Holds secrets: the repr hides
    them."""

    endpoint: str
    lwa_token_url: str
    seller_central_url: str
    client_id: str
    client_secret: str
    application_id: str
    selling_partner_id: str
    refresh_token: str
    marketplace_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["marketplace_ids"] = list(self.marketplace_ids)
        return data

    def __repr__(self) -> str:
        return (
            f"SandboxInfo(endpoint={self.endpoint!r}, selling_partner_id={self.selling_partner_id!r}, "
            f"marketplace_ids={self.marketplace_ids!r}, client_secret=<hidden>, refresh_token=<hidden>)"
        )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.discard(request)

    def close_connections(self) -> None:
        """Hang up kept-alive connections so a stopped sandbox really stops answering."""
        with self._open_lock:
            for conn in list(self._open):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)


class RunningSandbox:
    def __init__(self, world: World, host: str, port: int) -> None:
        self.world = world
        self._server = _Server((host, port), make_handler(world, self._info_dict))
        actual_port = self._server.server_address[1]
        shown_host = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown_host}:{actual_port}"
        self.port = actual_port
        world.base_url = self.base_url
        auth = world.auth
        self.info = SandboxInfo(
            endpoint=self.base_url,
            lwa_token_url=f"{self.base_url}/auth/o2/token",
            seller_central_url=self.base_url,
            client_id=auth.app.client_id,
            client_secret=auth.app.client_secret,
            application_id=auth.app.application_id,
            selling_partner_id=world.seller_id,
            refresh_token=auth.demo_refresh_token,
            marketplace_ids=tuple(world.marketplace_ids),
        )
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fbm-sandbox", daemon=True
        )
        self._ticker = threading.Thread(target=self._tick_loop, name="fbm-sandbox-tick", daemon=True)

    def spapi_config(self, *, speedup: float | None = None) -> SpApiConfig:
        """An ``SpApiConfig`` pointing the client at this sandbox (app credentials included)."""
        info = self.info
        return SpApiConfig(
            client_id=info.client_id,
            client_secret=info.client_secret,
            application_id=info.application_id,
            lwa_token_url=info.lwa_token_url,
            spapi_endpoint=info.endpoint,
            seller_central_url=info.seller_central_url,
            speedup=self.world.clock.speedup if speedup is None else speedup,
        )

    def env(self, *, speedup: float | None = None) -> dict[str, str]:
        """The ``FBM_DESK_*`` environment variables that point a CLI subprocess at this sandbox."""
        info = self.info
        return {
            ENV_SPAPI_ENDPOINT: info.endpoint,
            ENV_LWA_TOKEN_URL: info.lwa_token_url,
            ENV_SELLER_CENTRAL_URL: info.seller_central_url,
            ENV_CLIENT_ID: info.client_id,
            ENV_CLIENT_SECRET: info.client_secret,
            ENV_APP_ID: info.application_id,
            ENV_SPEEDUP: f"{self.world.clock.speedup if speedup is None else speedup:g}",
        }

    def _info_dict(self) -> dict[str, Any]:
        return self.info.to_dict()

    def _tick_loop(self) -> None:
        while not self._stopped.wait(TICK_SECONDS):
            self.world.tick()

    def start(self) -> RunningSandbox:
        self._thread.start()
        if self.world.alive:
            self._ticker.start()
        return self

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        self._thread.join(timeout=5)

    def serve_until(self, event: threading.Event) -> None:
        """Block until ``event`` is set (the CLI's SIGINT/SIGTERM), then stop."""
        while not event.wait(0.5):
            pass
        self.stop()

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_sandbox(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int = 1,
    speedup: float = 1.0,
    rate_limits: bool = True,
    alive: bool = False,
    order_count: int | None = None,
    report_headers: str = "english",
    report_outcome: str = "DONE",
) -> RunningSandbox:
    """Build a seeded world and serve it on ``host:port`` (0 = a free port) on a daemon thread."""
    world = World(
        seed=seed,
        speedup=speedup,
        rate_limits=rate_limits,
        alive=alive,
        order_count=order_count,
        report_headers=report_headers,
        report_outcome=report_outcome,
    )
    return RunningSandbox(world, host, port).start()
