"""Report/feed documents behind presigned URLs: download, gunzip, decode with the served charset."""

from __future__ import annotations

import codecs
import gzip
import logging
import zlib
from dataclasses import dataclass
from email.message import Message

from fbm_desk.amazon.errors import MalformedResponse
from fbm_desk.amazon.http import SpApiTransport

log = logging.getLogger(__name__)

# Amazon's names -> Python codecs. Shift_JIS documents are really Windows-31J (cp932) in practice.
_CHARSET_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "windows-31j": "cp932",
    "ms932": "cp932",
    "x-sjis": "cp932",
    "cp1252": "cp1252",
    "windows-1252": "cp1252",
    "iso-8859-1": "cp1252",  # cp1252 is a superset of latin-1's printable range; Amazon means cp1252
    "latin-1": "cp1252",
    "utf-8": "utf-8-sig",
    "utf8": "utf-8-sig",
}


@dataclass(frozen=True)
class Document:
    data: bytes  # decompressed
    content_type: str


def charset_of(content_type: str) -> str:
    if not content_type:
        return ""
    msg = Message()
    msg["content-type"] = content_type
    return str(msg.get_param("charset") or "").strip().strip('"')


def download(transport: SpApiTransport, url: str, compression: str = "") -> Document:
    """GET the document without SP-API headers; gunzip when ``compressionAlgorithm`` is GZIP."""
    resp = transport.transfer("GET", url)
    data = resp.content
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data)
    elif compression.upper() == "GZIP":
        # declared GZIP but not gzip bytes: the storage sent Content-Encoding: gzip and the HTTP client
        # already inflated it (enableContentEncodingUrlHeader); anything damaged fails later as unreadable
        log.info("document declared GZIP arrived already decompressed")
    return Document(data, resp.headers.get("content-type", ""))


def gunzip(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise MalformedResponse(
            "Amazon's document arrived damaged (incomplete compressed data); the next run fetches it again."
        ) from exc


def decode(data: bytes, content_type: str) -> str:
    """Decode with the charset from Content-Type (Cp1252, Shift_JIS/cp932, UTF-8...).

    Without a usable charset: UTF-8 if the bytes are valid UTF-8, else Cp1252 (Amazon's NA/EU default).
    """
    declared = charset_of(content_type)
    if declared:
        name = _CHARSET_ALIASES.get(declared.lower(), declared)
        try:
            codecs.lookup(name)
        except LookupError:
            log.warning("document charset %r is unknown; guessing UTF-8, then Cp1252", declared)
        else:
            try:
                return data.decode(name)
            except UnicodeDecodeError:
                log.warning("document is not valid %s; undecodable bytes replaced", declared)
                return data.decode(name, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.info("document without a usable charset is not UTF-8; decoding as Cp1252")
        return data.decode("cp1252", errors="replace")
