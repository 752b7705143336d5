"""Reading Amazon's answers: JSON bodies, the ``{"errors":[...]}`` list, and the typed error for a status."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import requests

from fbm_desk.amazon.errors import (
    AccessDenied,
    AmazonError,
    AmazonNotFound,
    AmazonRejected,
    AmazonUnavailable,
    MalformedResponse,
)

INVALID_TOKEN_HINTS = (
    "access token you provided is revoked",
    "malformed or invalid",
    "expired token",
    "token has expired",
    "token is expired",
    "invalid token",
    "invalid access token",
)


@dataclass(frozen=True)
class AmazonErrorBody:
    code: str
    message: str
    details: str


def parse_errors(body: Any) -> list[AmazonErrorBody]:
    """Amazon's ``{"errors":[{code,message,details}]}`` (tolerant of missing fields)."""
    out: list[AmazonErrorBody] = []
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        for err in body["errors"]:
            if isinstance(err, dict):
                out.append(
                    AmazonErrorBody(
                        str(err.get("code") or ""),
                        str(err.get("message") or ""),
                        str(err.get("details") or ""),
                    )
                )
    return out


def json_or_none(resp: requests.Response, operation: str, request_id: str) -> Any:
    if resp.status_code == 204 or not resp.content:
        return None
    try:
        return json.loads(resp.content)
    except ValueError as exc:
        raise MalformedResponse(
            f"Amazon sent an unreadable answer for {operation}; try again later.",
            status=resp.status_code,
            request_id=request_id,
            operation=operation,
        ) from exc


def json_quiet(resp: requests.Response) -> Any:
    try:
        return json.loads(resp.content) if resp.content else None
    except ValueError:
        return None


def only_errors(body: Any) -> bool:
    """``{"errors":[...]}`` with nothing else of substance (v0 may pair ``payload`` with ``errors``)."""
    if not isinstance(body, dict) or not parse_errors(body):
        return False
    # an empty list is an answer (e.g. "orders": []); null, "" or {} beside the errors is not
    return all(value is None or value == "" or value == {} for key, value in body.items() if key != "errors")


def first_code(errors: Sequence[AmazonErrorBody]) -> str:
    return errors[0].code if errors else ""


def is_invalid_token(status: int, errors: Sequence[AmazonErrorBody]) -> bool:
    if status == 401:
        return True
    text = " ".join(f"{e.message} {e.details}" for e in errors).lower()
    return any(hint in text for hint in INVALID_TOKEN_HINTS)


def amazon_text(errors: Sequence[AmazonErrorBody]) -> str:
    parts = []
    for e in errors:
        text = e.message or e.code
        if e.details and e.details not in text:
            text = f"{text} ({e.details})"
        if text:
            parts.append(text)
    return "; ".join(parts)


def error_for(status: int, errors: Sequence[AmazonErrorBody], operation: str, request_id: str) -> AmazonError:
    text = amazon_text(errors)
    common: dict[str, Any] = {
        "status": status,
        "code": first_code(errors),
        "request_id": request_id,
        "operation": operation,
        "amazon_message": text,
    }
    if status == 403:
        return AccessDenied(
            f"Amazon denied access ({operation}): {text or 'forbidden'}. The app may lack a role for this "
            "data, or the store was authorized for another region — reconnect the store.",
            **common,
        )
    if status == 404:
        return AmazonNotFound(f"Amazon could not find it ({operation}): {text or 'not found'}.", **common)
    if 400 <= status < 500:
        return AmazonRejected(f"Amazon rejected the request ({operation}): {text or status}.", **common)
    return AmazonUnavailable(f"Amazon answered {status} ({operation}); try again later.", **common)
