"""Request/response value types shared by the sandbox's API handlers, and Amazon-style error helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fbm_desk.sandbox.clock import parse_iso

JSON = "application/json"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # path parameters
    seller: str = ""  # selling partner of the access token
    operation: str = ""

    def one(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def many(self, name: str) -> list[str] | None:
        """An array query parameter: comma-separated (Amazon's csv format) and/or repeated."""
        values = self.query.get(name)
        if values is None:
            return None
        return [part.strip() for value in values for part in value.split(",") if part.strip()]

    def json_body(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(status, data, JSON, dict(headers or {}))


class ApiError(Exception):
    """Raised by handlers; rendered as ``{"errors":[{"code","message","details"}]}``."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def response(self) -> Response:
        error: dict[str, str] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return Response.json(self.status, {"errors": [error]})


def invalid_input(message: str, details: str = "") -> ApiError:
    return ApiError(400, "InvalidInput", message, details)


def not_found(message: str, details: str = "") -> ApiError:
    return ApiError(404, "NotFound", message, details)


def require_json_object(req: Request) -> dict[str, Any]:
    try:
        body = req.json_body()
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid_input("Request has missing or invalid parameters and cannot be parsed.") from exc
    if not isinstance(body, dict):
        raise invalid_input("Request has missing or invalid parameters and cannot be parsed.")
    return body


def query_date(req: Request, name: str, *, echo_value: bool = False) -> datetime | None:
    """An ISO 8601 date-time query parameter, None when absent; 400 InvalidInput when it is not ISO 8601
    (with ``echo_value`` the error's details repeat the value, as the Orders API does)."""
    raw = req.one(name)
    if raw is None:
        return None
    parsed = parse_iso(raw)
    if parsed is None:
        raise invalid_input(
            f"Invalid {name}: the date must be in ISO 8601 format.", raw if echo_value else ""
        )
    return parsed
