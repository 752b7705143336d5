"""The sandbox HTTP server: LWA, Seller Central consent, the SP-API subset, presigned documents and the
``/_sandbox`` control API, all on one loopback port (stdlib ``ThreadingHTTPServer``).

Every SP-API call goes through: fault injection → access-token check (403) → ``user-agent`` check (400; Amazon
requires the header) → throttling (429) → the handler. Responses carry ``x-amzn-RequestId``, and
``x-amzn-RateLimit-Limit`` on 2xx/400/404 only, like Amazon.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fbm_desk.sandbox import consent, control, documents, images, routes
from fbm_desk.sandbox.faults import Fault
from fbm_desk.sandbox.http_util import ApiError, Request, Response
from fbm_desk.sandbox.ratelimit import JSON_LISTINGS_FEED_OPERATION, rate_header
from fbm_desk.sandbox.world import World

log = logging.getLogger(__name__)

INVALID_TOKEN = ApiError(
    403,
    "Unauthorized",
    "Access to requested resource is denied.",
    "The access token you provided is revoked, malformed or invalid.",
)
QUOTA = ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.", "")
FAULT_ERRORS = {
    "429": QUOTA,
    "500": ApiError(500, "InternalFailure", "We encountered an internal error. Please try again.", ""),
    "503": ApiError(503, "ServiceUnavailable", "Service temporarily unavailable. Please try again.", ""),
    "403_invalid_token": INVALID_TOKEN,
}
_DROP = Response(-1)


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: avoid 40 ms delayed ACKs
    server_version = "Server"
    sys_version = ""

    def version_string(self) -> str:
        return "Server"

    world: World  # set on the subclass made by ``make_handler``
    info: Any  # () -> dict, the connection info

    def log_message(self, format: str, *args: Any) -> None:
        pass  # request lines can carry presigned signatures and PII-bearing ids: keep them out of logs

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    # --- plumbing ---------------------------------------------------------------------------------------
    def _handle(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        try:
            self.world.tick()
            response = self._dispatch(req)
        except Exception:
            log.exception("sandbox: unexpected error in %s %s", req.method, req.path)
            response = FAULT_ERRORS["500"].response()
        if response is _DROP:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(response)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        headers = {"x-amzn-RequestId": str(uuid.uuid4()), **response.headers}
        if response.content_type:
            headers["Content-Type"] = response.content_type
        headers["Content-Length"] = str(len(response.body))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _dispatch(self, req: Request) -> Response:
        w = self.world
        if req.path.startswith(control.PREFIX):
            return control.handle(w, req, self.info)
        if req.path == "/auth/o2/token" and req.method == "POST":
            return self._guarded(req, "lwaToken", self._token)
        if req.path == "/apps/authorize/consent" and req.method == "GET":
            return consent.consent_page(w, req)
        if req.path == "/apps/authorize/confirm" and req.method == "POST":
            return consent.confirm(w, req)
        if req.path.startswith(images.PREFIX):  # the media host: no token, not an SP-API operation
            return images.serve(req)
        if req.path.startswith(documents.PREFIX):
            req.params = {"document_id": req.path[len(documents.PREFIX) :]}
            op = "uploadDocument" if req.method == "PUT" else "downloadDocument"
            return self._guarded(req, op, self._document)
        found = routes.match(req.method, req.path)
        if found is None:
            if routes.path_known(req.path):
                return ApiError(
                    405, "MethodNotAllowed", "The HTTP method is not allowed for this resource."
                ).response()
            return ApiError(404, "NotFound", "The requested resource was not found.").response()
        route, req.params = found
        req.operation = route.operation
        return self._guarded(req, route.operation, lambda r: self._spapi(r, route))

    def _guarded(self, req: Request, operation: str, handler: Any) -> Response:
        """Count the call and apply an injected fault, if any."""
        w = self.world
        with w.lock:
            w.calls[operation] += 1
        fault = w.faults.take(operation)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
            fault = None
        if fault is not None and fault.kind == "drop":
            return _DROP
        if fault is not None and fault.kind in FAULT_ERRORS:
            if fault.kind == "429":
                with w.lock:
                    w.throttled[operation] += 1
            return FAULT_ERRORS[fault.kind].response()
        if fault is not None and fault.kind == "unreadable_200":
            # a front end that answered in the service's place (an HTML error page, a cut-off answer): the
            # request never reached the operation
            return Response(200, b"<html><body>Service Unavailable", "text/html")
        if fault is not None and fault.kind == "lost_upload":
            return Response(200, b"", "text/plain", {"ETag": '"d41d8cd98f00b204e9800998ecf8427e"'})
        if fault is not None and fault.kind == "truncated_gzip" and operation == "downloadDocument":
            req.headers["x-sandbox-truncate"] = "1"
            fault = None
        response: Response = handler(req)
        if fault is not None:  # malformed_json (or truncated_gzip on a JSON operation): cut the body
            response.body = response.body[: max(1, len(response.body) // 2)] or b"{"
        return response

    def _token(self, req: Request) -> Response:
        payload: dict[str, object]
        ctype = req.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" not in ctype.lower():
            status, payload = (
                400,
                {
                    "error": "invalid_request",
                    "error_description": "Content-Type must be application/x-www-form-urlencoded",
                },
            )
        else:
            form = {k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
            status, payload = self.world.auth.token_request(form)
        resp = Response.json(status, payload, {"Cache-Control": "no-cache, no-store", "Pragma": "no-cache"})
        resp.content_type = "application/json;charset=UTF-8"
        return resp

    def _document(self, req: Request) -> Response:
        w = self.world
        with w.lock:
            return documents.serve(
                w.documents, w.presigner, req, truncate="x-sandbox-truncate" in req.headers
            )

    def _spapi(self, req: Request, route: routes.Route) -> Response:
        w = self.world
        seller = w.auth.seller_for(req.headers.get("x-amz-access-token", ""))
        if seller is None:
            return INVALID_TOKEN.response()
        req.seller = seller
        if not req.headers.get("user-agent", "").strip():
            return self._with_rate(
                route.operation,
                ApiError(400, "InvalidInput", "Missing required header: user-agent.", "").response(),
            )
        allowed = w.throttle.take(seller, route.operation)
        if allowed and route.operation == "createFeed" and _feed_type(req) == "JSON_LISTINGS_FEED":
            allowed = w.throttle.take(seller, JSON_LISTINGS_FEED_OPERATION)
        if not allowed:
            with w.lock:
                w.throttled[route.operation] += 1
            return QUOTA.response()
        try:
            response = route.handler(w, req)
        except ApiError as err:
            response = err.response()
        return self._with_rate(route.operation, response)

    @staticmethod
    def _with_rate(operation: str, response: Response) -> Response:
        if 200 <= response.status < 300 or response.status in (400, 404):
            response.headers["x-amzn-RateLimit-Limit"] = rate_header(operation)
        return response


def _feed_type(req: Request) -> str:
    try:
        body = json.loads(req.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return ""
    return str(body.get("feedType", "")) if isinstance(body, dict) else ""


def make_handler(world: World, info: Any) -> type[SandboxHandler]:
    return type("BoundSandboxHandler", (SandboxHandler,), {"world": world, "info": staticmethod(info)})


__all__ = ["Fault", "SandboxHandler", "make_handler"]
