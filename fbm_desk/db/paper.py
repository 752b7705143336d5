"""What goes on paper: the orders a print job names, the pick list of a batch and the packing slips.

Reads only. The Qt drawing lives in ``fbm_desk.printing``; this module hands it frozen rows.

- **Pick list**: the units still to pick over a batch of orders (ordered - shipped - already in a package not
  yet confirmed), grouped by warehouse SKU (an item not mapped to a product: by its Amazon seller SKU), with
  the product's bin location, sorted by bin (products without a bin last), then SKU.
- **Packing slip**: one order's ship-to (None while Amazon has not released it), its items and quantities.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fbm_desk.db import dialect
from fbm_desk.db.access_trail import record_access
from fbm_desk.db.domain_rows import OrderItemRow, OrderRow
from fbm_desk.db.order_views import OrderQuery, QuickFilter, count_orders, fetch_orders
from fbm_desk.db.orders import AMAZON_ORDER_ID, get_orders, list_items
from fbm_desk.foundation.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class PickLine:
    sku: str  # warehouse SKU, or the Amazon seller SKU of an unmapped item
    title: str
    bin: str  # '' = no bin set
    quantity: int  # units to pick over the batch
    orders: int  # how many orders of the batch need it
    mapped: bool = True


@dataclass(frozen=True)
class PickList:
    lines: tuple[PickLine, ...]
    order_ids: tuple[str, ...]  # the Amazon order ids of the batch, as given

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class SlipItem:
    sku: str
    title: str
    quantity: int
    bin: str


@dataclass(frozen=True)
class Slip:
    order: OrderRow
    items: tuple[SlipItem, ...]


def resolve_order_ids(amazon_order_ids: Sequence[str]) -> list[int]:
    """The local ids of the orders named by Amazon order id, in the given order (duplicates once).

    Raises ``NotFound`` naming every unknown id, ``InvalidInput`` for text that is not an order id or an id
    held by several stores; nothing is printed then.
    """
    wanted: list[str] = []
    for raw in amazon_order_ids:
        text = raw.strip()
        if not text:
            continue
        if AMAZON_ORDER_ID.fullmatch(text) is None:
            shown = text if len(text) <= 40 and text.isprintable() else f"{text[:20]!r}…"
            raise InvalidInput(f"'{shown}' is not an Amazon order id (like 114-9751614-5801292).")
        if text not in wanted:
            wanted.append(text)
    if not wanted:
        raise InvalidInput("No order ids given.")
    found: dict[str, list[int]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows = dialect.execute(
            f"SELECT amazon_order_id, id FROM orders WHERE amazon_order_id IN ({marks}) ORDER BY id",  # noqa: S608
            chunk,
        ).fetchall()
        for oid, local in rows:
            found.setdefault(str(oid), []).append(int(local))
    unknown = [o for o in wanted if o not in found]
    if unknown:
        shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise NotFound(f"Unknown order(s) {shown}: no imported order has this Amazon order id.")
    several = [o for o in wanted if len(found[o]) > 1]
    if several:
        raise InvalidInput(f"Order {several[0]} exists in several stores; print it from the Orders tab.")
    return [found[o][0] for o in wanted]


def filter_order_ids(name: str) -> list[int]:
    """The orders an Orders-tab quick filter shows (``QuickFilter`` values), oldest first."""
    try:
        quick = QuickFilter(name)
    except ValueError:
        names = ", ".join(q.value for q in QuickFilter)
        raise InvalidInput(f"Unknown filter '{name}'; use one of: {names}.") from None
    query = OrderQuery(quick=quick, descending=False)
    return [r.id for r in fetch_orders(query, 0, max(1, count_orders(query)))]


def _bins(product_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(bin, title) per product."""
    ids = sorted(set(product_ids))
    out: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT id, bin, title FROM product WHERE id IN ({marks})"  # noqa: S608 - placeholders only
        for pid, bin_, title in dialect.execute(sql, chunk).fetchall():
            out[int(pid)] = (str(bin_), str(title))
    return out


def _items(order_ids: Sequence[int]) -> tuple[dict[int, list[OrderItemRow]], dict[int, tuple[str, str]]]:
    items = list_items(order_ids)
    places = _bins(i.product_id for rows in items.values() for i in rows if i.product_id is not None)
    return items, places


def _bin_key(line: PickLine) -> tuple[int, str, str]:
    return (0 if line.bin else 1, line.bin.casefold(), line.sku.casefold())


def pick_list(order_ids: Sequence[int], amazon_order_ids: Sequence[str] = ()) -> PickList:
    """The pick list of a batch: units still to pick per SKU, with bins, sorted by bin."""
    items, places = _items(order_ids)
    qty: dict[tuple[bool, str], int] = {}
    orders: dict[tuple[bool, str], set[int]] = {}
    info: dict[tuple[bool, str], tuple[str, str]] = {}
    for order_id, rows in items.items():
        for i in rows:
            if i.packable <= 0:
                continue
            mapped = i.product_id is not None and i.product_sku is not None
            key = (mapped, i.product_sku if mapped and i.product_sku else i.seller_sku)
            qty[key] = qty.get(key, 0) + i.packable
            orders.setdefault(key, set()).add(order_id)
            if key not in info:
                bin_, title = places.get(i.product_id or 0, ("", ""))
                info[key] = (bin_, title or i.title)
    lines = [
        PickLine(
            sku=key[1],
            title=info[key][1],
            bin=info[key][0],
            quantity=n,
            orders=len(orders[key]),
            mapped=key[0],
        )
        for key, n in qty.items()
    ]
    return PickList(lines=tuple(sorted(lines, key=_bin_key)), order_ids=tuple(amazon_order_ids))


def slips(order_ids: Sequence[int]) -> list[Slip]:
    """One packing slip per order, in the given order (recorded in the access trail: slips print addresses)."""
    items, places = _items(order_ids)
    orders = get_orders(order_ids)
    record_access("print", [i for i in order_ids if i in orders and orders[i].ship_to], "packing slips")
    out: list[Slip] = []
    for order_id in order_ids:
        rows = items.get(order_id, [])
        out.append(
            Slip(
                order=orders[order_id],
                items=tuple(
                    SlipItem(
                        sku=i.seller_sku,
                        title=i.title,
                        quantity=i.quantity,
                        bin=places.get(i.product_id or 0, ("", ""))[0],
                    )
                    for i in rows
                ),
            )
        )
    return out


def amazon_ids(order_ids: Sequence[int]) -> list[str]:
    """The Amazon order ids of local orders, in the given order."""
    names: dict[int, str] = {}
    for start in range(0, len(order_ids), 500):
        chunk = list(order_ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT id, amazon_order_id FROM orders WHERE id IN ({marks})"  # noqa: S608 - placeholders only
        names.update({int(a): str(b) for a, b in dialect.execute(sql, chunk).fetchall()})
    return [names[i] for i in order_ids if i in names]
