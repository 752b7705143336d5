"""Presigned document URLs (the S3 side of reports and feeds) served by the sandbox itself.

A URL carries ``X-Amz-*`` query parameters like an S3 presigned URL and expires 5 minutes after it was
issued (scaled by the speed-up, at least 30 real seconds). Expired or tampered URLs get S3's XML errors.
Uploads (PUT) must carry the Content-Type declared in createFeedDocument, as S3 signs it.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass
from urllib.parse import quote

from fbm_desk.sandbox.clock import Clock
from fbm_desk.sandbox.http_util import Request, Response
from fbm_desk.sandbox.model import Document

URL_SECONDS = 300
PREFIX = "/_docs/"


@dataclass(frozen=True)
class _Grant:
    document_id: str
    method: str
    expires: float


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
        f"<RequestId>SANDBOX</RequestId></Error>"
    ).encode()
    return Response(status, body, "application/xml")


def _norm_type(value: str) -> str:
    return value.replace(" ", "").lower()


class Presigner:
    def __init__(self, clock: Clock, secret: bytes) -> None:
        self.clock = clock
        self._secret = secret
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    def url(self, base_url: str, doc: Document, method: str = "GET") -> str:
        now = self.clock.now()
        expires = self.clock.mono() + self.clock.ttl(URL_SECONDS)
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        sig = hmac.new(self._secret, f"{method}|{doc.document_id}|{stamp}|{expires}".encode(), hashlib.sha256)
        signature = sig.hexdigest()
        with self._lock:
            self._grants[signature] = _Grant(doc.document_id, method, expires)
        return (
            f"{base_url}{PREFIX}{quote(doc.document_id)}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Credential=SANDBOXKEY%2F{stamp[:8]}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date={stamp}"
            f"&X-Amz-Expires={URL_SECONDS}&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
        )

    def check(self, req: Request, document_id: str) -> Response | None:
        """None when the request's signature is valid for this document and method, else S3's error."""
        signature = req.one("X-Amz-Signature") or ""
        with self._lock:
            grant = self._grants.get(signature)
        if grant is None or grant.document_id != document_id or grant.method != req.method:
            return _s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        if self.clock.mono() >= grant.expires:
            return _s3_error(403, "AccessDenied", "Request has expired")
        return None


def serve(documents: dict[str, Document], presigner: Presigner, req: Request, truncate: bool) -> Response:
    """GET (download) or PUT (upload) of ``/_docs/<id>``."""
    document_id = req.params["document_id"]
    doc = documents.get(document_id)
    if doc is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    denied = presigner.check(req, document_id)
    if denied is not None:
        return denied
    if req.method == "PUT":
        sent = req.headers.get("content-type", "")
        if _norm_type(sent) != _norm_type(doc.content_type):
            return _s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.",
            )
        doc.content = req.body
        doc.uploaded = True
        return Response(200, b"", "text/plain", {"ETag": f'"{hashlib.md5(req.body).hexdigest()}"'})  # noqa: S324
    if not doc.uploaded:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    content = doc.content[: max(1, len(doc.content) // 2)] if truncate else doc.content
    return Response(200, content, doc.content_type)
