"""Loopback HTTP listener for the OAuth redirect: 127.0.0.1 only, ephemeral port, never logs the query.

The listener does not decide anything: every request to ``/callback`` is handed to ``on_callback`` (the
attempt), whose ``Page`` is sent back, then ``on_sent`` is called on the same thread. Other paths (a browser's ``/favicon.ico``) get a 404 and do not count.
"""

from __future__ import annotations

import errno
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from fbm_desk.oauth import pages
from fbm_desk.oauth.errors import ListenerError

log = logging.getLogger(__name__)

LOOPBACK_HOST = "127.0.0.1"
CALLBACK_PATH = "/callback"

CallbackHandler = Callable[[dict[str, str]], pages.Page]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # never share a port another program is listening on
    on_callback: CallbackHandler
    on_sent: Callable[[], None]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "FBMDesk"
    sys_version = ""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        port = self.server.server_address[1]
        host = (self.headers.get("Host") or "").lower()
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            # A page on another site reaching us through DNS rebinding: not a redirect from Amazon.
            self._send(pages.render(400, "Bad request", "Unexpected host."))
            return
        if url.path != CALLBACK_PATH:
            self._send(pages.not_found())
            return
        params: dict[str, str] = {}
        for key, value in parse_qsl(url.query, keep_blank_values=True):
            params.setdefault(key, value)
        try:
            page = self.server.on_callback(params)
        except Exception:  # a bug must still answer the browser
            log.exception("OAuth callback handling failed")
            page = pages.failed("FBM Desk hit an internal error; details are in its log file.")
        try:
            self._send(page)
        finally:
            self.server.on_sent()

    def do_POST(self) -> None:
        self._send(pages.render(405, "Method not allowed", "Only the browser redirect is accepted here."))

    def _send(self, page: pages.Page) -> None:
        body = page.body.encode("utf-8")
        self.send_response(page.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in pages.SECURITY_HEADERS:
            self.send_header(name, value)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        # The default writes the request line (with spapi_oauth_code) to stderr; log the path only.
        log.debug("loopback %s %s", self.command, urlsplit(self.path).path)


class LoopbackListener:
    """Serve ``/callback`` on 127.0.0.1 in a background thread until ``close()``."""

    def __init__(
        self, on_callback: CallbackHandler, *, port: int = 0, on_sent: Callable[[], None] = lambda: None
    ) -> None:
        self._on_callback = on_callback
        self._on_sent = on_sent
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LoopbackListener:
        try:
            server = _Server((LOOPBACK_HOST, self._requested_port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ListenerError(
                    f"Port {self._requested_port} on this computer is already in use by another program, so "
                    "FBM Desk cannot receive Amazon's answer there. Close that program or choose another "
                    "port (0 lets FBM Desk pick a free one)."
                ) from None
            raise ListenerError(
                f"FBM Desk could not listen on {LOOPBACK_HOST} to receive Amazon's answer ({exc.strerror}). "
                "Check that no security software blocks local connections."
            ) from None
        server.on_callback = self._on_callback
        server.on_sent = self._on_sent
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="oauth-loopback", daemon=True
        )
        self._thread.start()
        log.info("OAuth loopback listener on %s:%d", LOOPBACK_HOST, self.port)
        return self

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("listener not started")
        return int(self._server.server_address[1])

    @property
    def callback_url(self) -> str:
        return f"http://{LOOPBACK_HOST}:{self.port}{CALLBACK_PATH}"

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        log.info("OAuth loopback listener closed")
