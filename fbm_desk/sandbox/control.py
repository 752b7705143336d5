"""The ``/_sandbox/…`` HTTP control API for tests and tools: the same operations as the World's methods.

``GET  /_sandbox/info | counters | pushed | faults | orders[?status=&fulfilled_by=] | orders/<id>``
``POST /_sandbox/<method>`` with a JSON object of keyword arguments, for the methods in ``METHODS``
→ ``{"result": …}``; errors → 400/404 ``{"error": "…"}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fbm_desk.sandbox.http_util import Request, Response
from fbm_desk.sandbox.world import World

PREFIX = "/_sandbox/"
METHODS = (
    "add_order",
    "add_orders",
    "generate_orders",
    "release_order",
    "cancel_order",
    "ship_elsewhere",
    "request_cancellation",
    "withdraw_cancellation",
    "set_order_details",
    "set_listing_quantity",
    "add_listing",
    "seed_reports",
    "inject_fault",
    "clear_faults",
    "expire_access_tokens",
    "revoke_refresh_token",
    "register_redirect_uri",
    "advance",
    "reset_counters",
    "withhold_shipping_role",
    "grant_shipping_role",
)


def _error(status: int, message: str) -> Response:
    return Response.json(status, {"error": message})


def handle(world: World, req: Request, info: Callable[[], dict[str, Any]]) -> Response:
    name = req.path[len(PREFIX) :].strip("/")
    try:
        if req.method == "GET":
            return _get(world, req, name, info)
        if req.method != "POST" or name not in METHODS:
            return _error(404, f"unknown control operation {req.method} {name}")
        kwargs = json.loads(req.body.decode("utf-8") or "{}") if req.body.strip() else {}
        if not isinstance(kwargs, dict):
            return _error(400, "the body must be a JSON object of keyword arguments")
        result = getattr(world, name)(**kwargs)
        return Response.json(200, {"result": result})
    except KeyError as exc:
        return _error(404, str(exc.args[0]) if exc.args else "not found")
    except (ValueError, TypeError) as exc:
        return _error(400, str(exc))


def _get(world: World, req: Request, name: str, info: Callable[[], dict[str, Any]]) -> Response:
    if name == "info":
        return Response.json(200, info())
    if name == "counters":
        return Response.json(200, world.counters())
    if name == "pushed":
        return Response.json(200, world.pushed())
    if name == "label_shipments":
        return Response.json(200, world.label_shipments())
    if name == "faults":
        return Response.json(200, world.faults.pending())
    if name == "orders":
        return Response.json(200, world.order_ids(req.one("status"), req.one("fulfilled_by")))
    if name.startswith("orders/"):
        return Response.json(200, world.order_state(name.split("/", 1)[1]))
    return _error(404, f"unknown control resource {name}")
