"""Apply one page of Amazon orders to the local database, in one transaction.

Idempotent by construction: orders are upserted by (store, Amazon order id), items by (order, orderItemId),
Amazon's packages are matched to local ones by tracking number, and events are written only for a state
transition that actually happens here, so re-applying a page changes nothing.

State mapping (Amazon fulfillmentStatus -> local state): PENDING -> held (payment hold; only imported when the
store imports pending orders), UNSHIPPED -> released, PARTIALLY_SHIPPED -> partially_shipped, SHIPPED ->
shipped, CANCELLED -> canceled. A new order that is already CANCELLED is not imported, nor one already SHIPPED
(nothing to do) unless it was created after the store was added and the store removes stock for fulfillments
created in Amazon: then its units leave stock (``fbm_desk.db.order_shipments``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fbm_desk.amazon.types import AmazonOrder, AmazonPackage
from fbm_desk.db import checkpoints, dialect, events, pii, stations
from fbm_desk.db.models import Order, OrderItem
from fbm_desk.db.name_index import store_name_tokens
from fbm_desk.db.order_flags import EXTRA_ADDRESS_COLUMNS, address_flag_fields, order_flag_fields
from fbm_desk.db.order_shipments import (
    apply_shipped,
    cancel_local_packages,
    record_amazon_packages,
    remove_stock_for_new,
    shipped_here_too,
)
from fbm_desk.db.order_state import quantity_state
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.rule_runs import Fired, plan_new_orders, run_rules
from fbm_desk.db.sku_resolution import resolve_products
from fbm_desk.db.states import OPEN_ORDER_STATES, ORDER_STATE_RANK, OrderState
from fbm_desk.db.transactions import transaction
from fbm_desk.db.warehouse_routing import route_orders
from fbm_desk.foundation.timestamps import iso_utc

AMAZON_TO_STATE = {
    "PENDING": OrderState.HELD,
    "UNSHIPPED": OrderState.RELEASED,
    "PARTIALLY_SHIPPED": OrderState.PARTIALLY_SHIPPED,
    "SHIPPED": OrderState.SHIPPED,
    "CANCELLED": OrderState.CANCELED,
}
IMPORTABLE = OPEN_ORDER_STATES
_ADDRESS_COLUMNS = (
    "ship_name",
    "ship_company",
    "ship_address1",
    "ship_address2",
    "ship_address3",
    "ship_city",
    "ship_state",
    "ship_postal_code",
    "ship_country",
    "ship_phone",
    *EXTRA_ADDRESS_COLUMNS,
)


@dataclass
class PageOutcome:
    fetched: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0  # FBA, closed-and-unknown, pending without the option, other statuses
    fba: int = 0
    corrections: Counter[str] = field(default_factory=Counter)  # transition kind -> count
    released: list[int] = field(default_factory=list)  # orders Amazon released on this page: rules run
    # the rules' firings on the page's new orders: planned on their rows before the INSERT (rule_runs)
    new_firings: list[Fired] = field(default_factory=list)

    def merge(self, other: PageOutcome) -> None:
        self.fetched += other.fetched
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        self.fba += other.fba
        self.corrections.update(other.corrections)


def _live_packages(a: AmazonOrder) -> tuple[AmazonPackage, ...]:
    """Amazon's packages of the order except cancelled ones (``packageStatus.status`` CANCELLED)."""
    return tuple(p for p in a.packages if p.status.upper() != "CANCELLED")


def _ts(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment is not None else None


def _version(moment: datetime) -> str:
    """Amazon's lastUpdatedTime with milliseconds: the order's version (two changes can share a second)."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _order_fields(a: AmazonOrder) -> dict[str, object]:
    """Columns refreshed from Amazon on every sight (never the address: see ``_address_fields``)."""
    fields: dict[str, object] = {
        "marketplace_id": a.marketplace_id,
        "amazon_status": a.fulfillment_status,
        "purchase_date": _ts(a.created_time),
        "amazon_updated_at": _version(a.last_updated_time),
        "earliest_ship_date": _ts(a.earliest_ship_date),
        "latest_ship_date": _ts(a.latest_ship_date),
        "latest_delivery_date": _ts(a.latest_delivery_date),
        "service_level": a.service_level,
        "is_prime": a.is_prime,
        "is_business": a.is_business,
        **order_flag_fields(a),
    }
    for key, value in (
        ("buyer_name", a.buyer_name),
        ("total_amount", a.total_amount),
        ("currency", a.currency),
    ):
        if value:
            fields[key] = value
    return fields


def _address_fields(a: AmazonOrder) -> dict[str, str]:
    addr = a.address
    if addr is None or addr.is_blank():
        return {}
    return {
        "ship_name": addr.name,
        "ship_company": addr.company_name,
        "ship_address1": addr.address_line1,
        "ship_address2": addr.address_line2,
        "ship_address3": addr.address_line3,
        "ship_city": addr.city,
        "ship_state": addr.state_or_region,
        "ship_postal_code": addr.postal_code,
        "ship_country": addr.country_code,
        "ship_phone": addr.phone,
        **address_flag_fields(a),
    }


def apply_orders_page(store: StoreRow, page: Sequence[AmazonOrder], *, now: str) -> PageOutcome:
    """Upsert one page of orders for ``store`` in one transaction; returns what changed."""
    out = PageOutcome(fetched=len(page))
    merchant = []
    for a in page:
        if a.fulfilled_by and a.fulfilled_by != "MERCHANT":
            out.skipped += 1
            out.fba += 1
        elif a.marketplace_id and store.marketplace_id and a.marketplace_id != store.marketplace_id:
            out.skipped += 1  # another marketplace's order (the search asked for this store's only)
        else:
            merchant.append(a)
    if not merchant:
        return out
    # the page's commit is not checkpointed here: a thread of its own copies the log into the file meanwhile
    with checkpoints.behind_the_writer(), transaction(immediate=True):
        ids = [a.order_id for a in merchant]
        existing = {
            o.amazon_order_id: o
            for o in Order.select().where((Order.store == store.id) & Order.amazon_order_id.in_(ids))
        }
        mapping = resolve_products(store.id, [i.seller_sku for a in merchant for i in a.items])
        new: list[AmazonOrder] = []
        seen: set[str] = set()
        for a in merchant:
            if a.order_id in seen:  # Amazon listed an order twice on one page: the first copy wins
                continue
            seen.add(a.order_id)
            current = existing.get(a.order_id)
            if current is None:
                state = AMAZON_TO_STATE.get(a.fulfillment_status)
                if (
                    (
                        state not in IMPORTABLE
                        and not (state == OrderState.SHIPPED and shipped_here_too(store, a))
                    )
                    or (state == OrderState.HELD and not store.import_pending)
                    or not store.download_products_orders
                ):
                    out.skipped += 1
                    continue
                new.append(a)
            elif _update_order(store, current, a, mapping, now, out):
                out.updated += 1
        if new:
            _insert_new(store, new, mapping, now, out)
        run_rules(out.released, now, out.new_firings)  # same transaction: a crash leaves no half-applied rule
    return out


def _executemany(table: str, rows: list[dict[str, object]]) -> None:
    """Plain ``executemany`` on the transaction's connection: building one big INSERT per page through the
    query builder costs more than the write itself (bench/bench_sync.py)."""
    if not rows:
        return
    columns = list(rows[0])
    # table and column names are this module's constants, never input; the values are bound parameters
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"  # noqa: S608
    dialect.executemany(sql, [tuple(r[c] for c in columns) for r in rows])


def _insert_new(
    store: StoreRow, new: list[AmazonOrder], mapping: dict[str, int], now: str, out: PageOutcome
) -> None:
    rows: list[dict[str, object]] = []
    blank_address = dict.fromkeys(_ADDRESS_COLUMNS, "")
    for a in new:
        state = AMAZON_TO_STATE[a.fulfillment_status]
        rows.append(
            {
                "store_id": store.id,
                "amazon_order_id": a.order_id,
                "state": state,
                "payment_hold": int(state == OrderState.HELD),
                "needs_mapping": int(any(i.seller_sku not in mapping for i in a.items)),
                "imported_at": now,
                "updated_at": now,
                "buyer_name": "",
                "total_amount": "",
                "currency": "",
                **{k: int(v) if isinstance(v, bool) else v for k, v in _order_fields(a).items()},
                **(_address_fields(a) or blank_address),
            }
        )
    names = {str(r["amazon_order_id"]): [str(r["buyer_name"]), str(r["ship_name"])] for r in rows}
    firings = plan_new_orders(rows, [a.items for a in new], now)  # a rule's priority etc. go into the rows
    for r in rows:
        pii.seal_fields(r)  # buyer fields are stored encrypted (fbm_desk/db/pii.py)
    _executemany("orders", rows)
    local = {
        o.amazon_order_id: int(o.id)
        for o in Order.select(Order.id, Order.amazon_order_id).where(
            (Order.store == store.id) & Order.amazon_order_id.in_([a.order_id for a in new])
        )
    }
    items: list[dict[str, object]] = []
    evts: list[dict[str, object]] = []
    for a in new:
        oid = local[a.order_id]
        for i in a.items:
            items.append(
                {
                    "order_id": oid,
                    "order_item_id": i.order_item_id,
                    "seller_sku": i.seller_sku,
                    "asin": i.asin,
                    "title": i.title,
                    "product_id": mapping.get(i.seller_sku),
                    "quantity": i.quantity_ordered,
                    "quantity_shipped": min(i.quantity_shipped, i.quantity_ordered),
                    "unit_price": i.unit_price,
                }
            )
        state = AMAZON_TO_STATE[a.fulfillment_status]
        note = (
            "with a payment hold (Amazon has not released it yet)"
            if state == OrderState.HELD
            else f"as {state}"
        )
        evts.append(
            {"order_id": oid, "at": now, "kind": events.IMPORTED, "message": f"Imported from Amazon {note}"}
        )
        unmapped = sorted({i.seller_sku for i in a.items if i.seller_sku not in mapping})
        if unmapped:
            message = "No product for SKU " + ", ".join(unmapped)
            evts.append({"order_id": oid, "at": now, "kind": events.NEEDS_MAPPING, "message": message})
    _executemany("order_item", items)
    _executemany("order_event", [{**e, **stations.stamp()} for e in evts])  # who imported it
    store_name_tokens({local[aid]: pair for aid, pair in names.items() if aid in local}, replace=False)
    opened = [local[a.order_id] for a in new if AMAZON_TO_STATE[a.fulfillment_status] in OPEN_ORDER_STATES]
    route_orders(store.id, opened, now=now)  # each new open order to one warehouse
    for a in new:
        if _live_packages(a):  # shipped (in part) before we knew the order: record Amazon's packages
            record_amazon_packages(local[a.order_id], store.id, _live_packages(a), now)
        if shipped_here_too(store, a):
            remove_stock_for_new(store, local[a.order_id], a, mapping, now, out.corrections)
    out.created += len(new)
    out.corrections["imported"] += len(new)
    out.new_firings = [f._replace(order_ids=[local[new[n].order_id] for n in f.order_ids]) for f in firings]


def _update_order(
    store: StoreRow, o: Order, a: AmazonOrder, mapping: dict[str, int], now: str, out: PageOutcome
) -> bool:
    """Apply Amazon's view to a known order; returns True when anything changed."""
    if (
        o.amazon_updated_at == _version(a.last_updated_time)
        and o.amazon_status == a.fulfillment_status
        and bool(o.cancel_requested) == bool(a.cancel_requests)  # in case a request leaves the time alone
    ):
        return False  # the same version of the order as last time (overlap window, sweep): nothing to do
    changed = False
    fields = _order_fields(a)
    addr = _address_fields(a)
    if o.pii_purged_at:  # removed for data protection: never stored again
        fields = {k: v for k, v in fields.items() if k not in pii.PURGED_COLUMNS}
        addr = {}
    old = {k: pii.reveal(k, v) if k in pii.ENCRYPTED_COLUMNS else v for k, v in o.__data__.items()}
    if any(old[k] != v for k, v in fields.items()):
        changed = True
    if addr and any(old[k] != v for k, v in addr.items()):
        fields.update(addr)  # a known address is never overwritten with blanks: only a real one gets here
        changed = True
        if old["ship_address1"] == "" and old["ship_name"] == "":
            out.corrections["address_filled"] += 1
    if fields:
        if any(k in fields and fields[k] != old[k] for k in pii.NAME_COLUMNS):
            store_name_tokens({int(o.id): [str(fields.get(k, old[k])) for k in pii.NAME_COLUMNS]})
        pii.seal_fields(fields)
        Order.update(**fields).where(Order.id == o.id).execute()
    target = AMAZON_TO_STATE.get(a.fulfillment_status)
    if o.state == OrderState.CANCELED:
        return changed
    if target == OrderState.CANCELED:
        Order.update(state=OrderState.CANCELED, payment_hold=False, updated_at=now).where(
            Order.id == o.id
        ).execute()
        cancel_local_packages(int(o.id), now)
        events.add_event(int(o.id), events.CANCELED, "Canceled on Amazon; its allocation was freed", now)
        out.corrections["canceled"] += 1
        return True
    # items: new ones inserted, mapping refreshed
    local_items = {i.order_item_id: i for i in OrderItem.select().where(OrderItem.order == o.id)}
    for i in a.items:
        known = local_items.get(i.order_item_id)
        if known is not None:
            # Amazon changed the quantity (e.g. the buyer canceled some units): the allocation follows, but
            # never below what already shipped
            quantity = max(i.quantity_ordered, int(known.quantity_shipped))
            if quantity != int(known.quantity):
                OrderItem.update(quantity=quantity).where(OrderItem.id == known.id).execute()
                changed = True
        else:
            OrderItem.create(
                order=o.id,
                order_item_id=i.order_item_id,
                seller_sku=i.seller_sku,
                asin=i.asin,
                title=i.title,
                product=mapping.get(i.seller_sku),
                quantity=i.quantity_ordered,
                quantity_shipped=0,
                unit_price=i.unit_price,
            )
            changed = True
    if _live_packages(a) and record_amazon_packages(int(o.id), store.id, _live_packages(a), now):
        changed = True
    if apply_shipped(store, o, a, now, out.corrections):
        changed = True
    state = str(Order.get_by_id(o.id).state)
    wanted = target if target in ORDER_STATE_RANK else state
    by_qty = quantity_state(int(o.id))
    if by_qty is not None and ORDER_STATE_RANK[by_qty] > ORDER_STATE_RANK[wanted]:
        wanted = by_qty
    if ORDER_STATE_RANK.get(wanted, 0) < ORDER_STATE_RANK.get(state, 0):
        wanted = state  # Amazon lags behind a shipment we confirmed: never move backwards
    if wanted != state:
        Order.update(state=wanted, payment_hold=False, updated_at=now).where(Order.id == o.id).execute()
        if state == OrderState.HELD:
            events.add_event(int(o.id), events.RELEASED, "Released by Amazon; payment hold lifted", now)
            out.corrections["released"] += 1
            out.released.append(int(o.id))
        changed = True
    elif changed:
        Order.update(updated_at=now).where(Order.id == o.id).execute()
    return changed
