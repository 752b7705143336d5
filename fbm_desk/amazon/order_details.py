"""The parts of a v2026-01-01 Order a packer needs beyond items and address lines: the buyer's cancellation
requests, related orders, the buyer's PO number, the address details (district, municipality, type, Brazil's
extended fields) and the delivery preferences. Field names follow ``resources/spapi-models/orders-2026-01-01.json``.
"""

from __future__ import annotations

from typing import Any

from fbm_desk.amazon._parse import arr, obj, text

_EXTENDED = ("streetName", "streetNumber", "complement", "neighborhood")
_DAYS = {"MON": "Mon", "TUE": "Tue", "WED": "Wed", "THU": "Thu", "FRI": "Fri", "SAT": "Sat", "SUN": "Sun"}


def cancel_requests(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(orderItemId, reason) of every item with a pending cancellation request (``cancellation`` is only
    present when the search asked for includedData CANCELLATION). Requester is BUYER per the model."""
    out: list[tuple[str, str]] = []
    for item in arr(raw, "orderItems"):
        request = obj(obj(item, "cancellation"), "cancellationRequest")
        if request:
            out.append((text(item, "orderItemId"), text(request, "cancelReason")))
    return tuple(out)


def associated_orders(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (text(a, "orderId"), text(a, "associationType"))
        for a in arr(raw, "associatedOrders")
        if isinstance(a, dict) and text(a, "orderId")
    )


def extended_fields(addr: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    ext = obj(addr, "extendedFields")
    return tuple((k, text(ext, k)) for k in _EXTENDED if text(ext, k))


def _hours(pref: dict[str, Any]) -> str:
    parts = []
    for hours in arr(obj(pref, "deliveryTime"), "businessHours"):
        day = _DAYS.get(text(hours, "dayOfWeek"), text(hours, "dayOfWeek"))
        windows = []
        for w in arr(hours, "timeWindows"):
            start, end = obj(w, "startTime"), obj(w, "endTime")
            windows.append(
                f"{text(start, 'hour', '0'):0>2}:{text(start, 'minute', '0'):0>2}-"
                f"{text(end, 'hour', '0'):0>2}:{text(end, 'minute', '0'):0>2}"
            )
        if day:
            parts.append(f"{day} {', '.join(windows)}".strip())
    return "; ".join(parts)


def delivery_instructions(raw: dict[str, Any]) -> str:
    """``recipient.deliveryPreference`` as one line for the packing slip and the pack dialog."""
    pref = obj(obj(raw, "recipient"), "deliveryPreference")
    parts = []
    if text(pref, "dropOffLocation"):
        parts.append(f"Drop-off: {text(pref, 'dropOffLocation')}")
    if text(pref, "addressInstruction"):
        parts.append(text(pref, "addressInstruction"))
    hours = _hours(pref)
    if hours:
        parts.append(f"Delivery hours: {hours}")
    caps = [c for c in arr(pref, "deliveryCapabilities") if isinstance(c, str)]
    if caps:
        parts.append("Capabilities: " + ", ".join(caps))
    return " · ".join(parts)
