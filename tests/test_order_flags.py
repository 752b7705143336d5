"""Issue 12 (items 3, 6, 7): buyer cancellation requests, Amazon's carrier list, and the order details a packer
needs (address parts, delivery instructions, Premium / pre-order / replacement / store pickup / Easy Ship / PO),
against the built-in sandbox."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

import pytest

from fbm_desk.core import CoreServices
from fbm_desk.db.connection import APPLICATION_ID, MIGRATIONS, open_database
from fbm_desk.db.orders import find_order, get_order_detail, list_orders
from fbm_desk.db.stores import get_store
from fbm_desk.domain.carriers import carrier_for
from fbm_desk.domain.order_rules import CancelRequested, seller_central_order_url
from fbm_desk.domain.packing import record_package
from fbm_desk.foundation.errors import InvalidInput
from fbm_desk.sandbox import RunningSandbox
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from tests.support.sandbox_fixtures import SpApi
from tests.support.sync_env import make_store, merchant_skus, settle
from tests.test_cli_sync import Cli

pytestmark = pytest.mark.e2e

SEARCH = "/orders/2026-01-01/orders"
DETAILS = {
    "programs": ["PREMIUM", "PREORDER", "IN_STORE_PICK_UP"],
    "associated_orders": [{"orderId": "111-0000000-0000001", "associationType": "REPLACEMENT_ORIGINAL_ID"}],
    "buyer_po_number": "PO-4711",
    "address": {
        "addressType": "PICKUP_POINT",
        "districtOrCounty": "Vila Mariana",
        "municipality": "São Paulo",
        "extendedFields": {"streetName": "Rua Domingos", "streetNumber": "120", "complement": "apto 12"},
        "deliveryPreference": {
            "dropOffLocation": "Locker 14",
            "addressInstruction": "Ring twice",
            "deliveryTime": {
                "businessHours": [
                    {
                        "dayOfWeek": "MON",
                        "timeWindows": [
                            {"startTime": {"hour": 9, "minute": 0}, "endTime": {"hour": 17, "minute": 0}}
                        ],
                    }
                ]
            },
        },
    },
}


def _sync(core: CoreServices, store_id: int) -> None:
    result = run_job(core, get_store(store_id), JobKind.ORDERS)
    assert result.status == "ok", result.error


def _order(sb: RunningSandbox, qty: int = 1) -> str:
    return sb.world.add_order(skus={merchant_skus(sb, 1)[0]: qty})


def test_sandbox_reports_a_cancellation_request_only_with_cancellation_data(quiet: RunningSandbox) -> None:
    api = SpApi(quiet)  # every answer is checked against Amazon's model
    order_id = _order(quiet)
    quiet.world.request_cancellation(order_id, reason="Ordered by mistake")
    settle(quiet, order_id)
    base = {"lastUpdatedAfter": "2020-01-01T00:00:00Z", "marketplaceIds": "ATVPDKIKX0DER"}
    plain = api.get(SEARCH, params=base).json()["orders"][0]
    assert "cancellation" not in plain["orderItems"][0]
    full = api.get(SEARCH, params={**base, "includedData": "CANCELLATION"}).json()["orders"][0]
    request = full["orderItems"][0]["cancellation"]["cancellationRequest"]
    assert request == {"requester": "BUYER", "cancelReason": "Ordered by mistake"}
    quiet.world.withdraw_cancellation(order_id)
    settle(quiet, order_id)
    again = api.get(SEARCH, params={**base, "includedData": "CANCELLATION"}).json()["orders"][0]
    assert "cancellation" not in again["orderItems"][0]


def test_cancellation_request_is_read_shown_and_blocks_packing(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(quiet_core, quiet)
    asked, normal = _order(quiet), _order(quiet)
    quiet.world.request_cancellation(asked, reason="Found it cheaper")
    settle(quiet, asked, normal)
    _sync(quiet_core, store.id)
    row = find_order(asked)
    assert row.flags.cancel_requested
    assert row.flags.cancel_reason == "Found it cheaper"
    assert row.flags.cancel_text == "Buyer asked to cancel: Found it cheaper"
    assert not find_order(normal).flags.cancel_requested
    assert {o.amazon_order_id: o.flags.cancel_requested for o in list_orders()} == {
        asked: True,
        normal: False,
    }
    with pytest.raises(CancelRequested, match="Found it cheaper") as refused:
        record_package(quiet_core, asked, "UPS", "1Z999AA10123456784")
    assert f"orders cancel {asked} --reason buyer-canceled" in refused.value.user_message
    assert get_order_detail(row.id).packages == ()  # nothing stored
    package = record_package(quiet_core, asked, "UPS", "1Z999AA10123456784", override_cancel_request=True)
    assert package.amazon_order_id == asked
    # the buyer withdraws (or Amazon closes) the request: the flag clears on the next sync
    quiet.world.withdraw_cancellation(normal)
    quiet.world.withdraw_cancellation(asked)
    settle(quiet, asked, normal)
    _sync(quiet_core, store.id)
    assert not find_order(asked).flags.cancel_requested


def test_seller_central_url_follows_the_marketplace() -> None:
    assert seller_central_order_url("A1PA6795UKMFR9", "302-1") == (
        "https://sellercentral-europe.amazon.com/orders-v3/order/302-1"
    )
    assert seller_central_order_url("A1VC38T7YXB528", "503-1").startswith(
        "https://sellercentral.amazon.co.jp/"
    )


def test_address_details_and_order_types_round_trip(quiet_core: CoreServices, quiet: RunningSandbox) -> None:
    store = make_store(quiet_core, quiet)
    order_id = _order(quiet)
    quiet.world.set_order_details(order_id, **DETAILS)  # type: ignore[arg-type]
    settle(quiet, order_id)
    _sync(quiet_core, store.id)
    flags = find_order(order_id).flags
    assert flags.programs == ("PREMIUM", "PREORDER", "IN_STORE_PICK_UP")
    assert flags.associated_orders == (("111-0000000-0000001", "REPLACEMENT_ORIGINAL_ID"),)
    assert flags.buyer_po_number == "PO-4711"
    assert (flags.address_type, flags.district, flags.municipality) == (
        "PICKUP_POINT",
        "Vila Mariana",
        "São Paulo",
    )
    assert dict(flags.extended) == {
        "streetName": "Rua Domingos",
        "streetNumber": "120",
        "complement": "apto 12",
    }
    assert flags.delivery_instructions == "Drop-off: Locker 14 · Ring twice · Delivery hours: Mon 09:00-17:00"
    assert flags.badges() == (
        "Premium",
        "Pre-order",
        "Store pickup",
        "Replacement for 111-0000000-0000001",
        "Pickup point",
        "PO PO-4711",
    )
    listed = next(o for o in list_orders() if o.amazon_order_id == order_id)
    assert listed.flags.badges() == flags.badges()


def test_easy_ship_orders_are_never_packed_with_our_tracking(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(quiet_core, quiet)
    order_id = _order(quiet)
    quiet.world.set_order_details(order_id, programs=["AMAZON_EASY_SHIP"])
    settle(quiet, order_id)
    _sync(quiet_core, store.id)
    assert find_order(order_id).flags.badges() == ("Easy Ship",)
    with pytest.raises(InvalidInput, match="Easy Ship"):
        record_package(quiet_core, order_id, "UPS", "1Z999AA10123456784", override_cancel_request=True)


def test_carrier_codes_follow_amazons_list() -> None:
    yamato, sagawa = carrier_for("Yamato Transport"), carrier_for("Sagawa Express")
    assert yamato is not None
    assert yamato.code == "YamatoTransport"
    assert yamato.listed
    assert sagawa is not None
    assert sagawa.code == "SagawaExpress"
    japan_post = carrier_for("Japan Post")
    assert japan_post is not None
    assert japan_post.amazon_code == "Other"


def test_sandbox_refuses_unknown_carrier_codes(quiet: RunningSandbox) -> None:
    api = SpApi(quiet)
    order_id = _order(quiet, qty=2)
    item_id = quiet.world.orders[order_id].items[0].order_item_id

    def confirm(ref: str, code: str, name: str = "") -> int:
        detail = {
            "packageReferenceId": ref,
            "carrierCode": code,
            "trackingNumber": "123456789012",
            "shipDate": "2026-01-01T00:00:00Z",
            "orderItems": [{"orderItemId": item_id, "quantity": 1}],
        }
        if name:
            detail["carrierName"] = name
        body = {"marketplaceId": "ATVPDKIKX0DER", "packageDetail": detail}
        return api.post(f"/orders/v0/orders/{order_id}/shipmentConfirmation", body).status_code

    assert confirm("1", "Yamato Transport") == 400
    assert quiet.world.orders[order_id].items[0].shipped == 0
    assert confirm("1", "YamatoTransport") == 204
    assert confirm("2", "Other", "Japan Post") == 204


def test_unlisted_carrier_is_recorded_as_other_with_its_name(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(quiet_core, quiet)
    order_id = _order(quiet)
    settle(quiet, order_id)
    _sync(quiet_core, store.id)
    package = record_package(quiet_core, order_id, "Japan Post", "123456789012")
    assert (package.carrier_code, package.carrier_name) == ("Other", "Japan Post")
    result = run_job(quiet_core, get_store(store.id), JobKind.SHIPMENTS)
    assert result.status == "ok", result.error
    sent = quiet.world.pushed()["shipments"][-1]["body"]["packageDetail"]
    assert (sent["carrierCode"], sent["carrierName"]) == ("Other", "Japan Post")


def test_search_lists_a_change_only_after_the_index_lag(quiet: RunningSandbox) -> None:
    api = SpApi(quiet)
    order_id = _order(quiet)
    params = {"lastUpdatedAfter": "2020-01-01T00:00:00Z", "marketplaceIds": "ATVPDKIKX0DER"}
    assert api.get(SEARCH, params=params).json()["orders"] == []  # just created: not indexed yet
    assert api.get(f"{SEARCH}/{order_id}").status_code == 200  # getOrder reads the order itself
    quiet.world.advance(quiet.world.clock.scaled(121))
    assert [o["orderId"] for o in api.get(SEARCH, params=params).json()["orders"]] == [order_id]


def test_orders_sync_does_not_miss_an_order_changed_during_the_lag(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(quiet_core, quiet)
    _sync(quiet_core, store.id)  # the cursor now stands at "now"
    order_id = _order(quiet)  # changes right after the run: inside the index lag of the next one
    _sync(quiet_core, store.id)
    assert order_id not in {o.amazon_order_id for o in list_orders()}
    quiet.world.advance(quiet.world.clock.scaled(121))
    _sync(quiet_core, store.id)  # the overlap window (cursor - 5 min) still covers it
    assert order_id in {o.amazon_order_id for o in list_orders()}


def test_ship_exits_2_and_orders_list_shows_the_request(quiet: RunningSandbox, tmp_path: Path) -> None:
    cli = Cli(quiet, tmp_path / "data")
    cli.add_store("Demo US")
    asked, normal = _order(quiet), _order(quiet)
    quiet.world.request_cancellation(asked, reason="Found it cheaper")
    settle(quiet, asked, normal)
    assert cli.run("sync", "orders").returncode == 0
    orders = cli.json("orders", "list", "--json")
    assert isinstance(orders, list)
    assert {o["amazon_order_id"]: o["cancel_requested"] for o in orders} == {asked: True, normal: False}
    refused = cli.run("ship", asked, "--carrier", "UPS", "--tracking", "1Z999AA10123456784")
    assert refused.returncode == 2
    assert "Buyer asked to cancel: Found it cheaper" in refused.stderr
    assert "--override-cancel-request" in refused.stderr
    shipped = cli.run(
        "ship", asked, "--carrier", "UPS", "--tracking", "1Z999AA10123456784", "--override-cancel-request"
    )
    assert shipped.returncode == 0, shipped.stderr


def test_a_request_that_leaves_the_update_time_alone_is_still_read(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(quiet_core, quiet)
    order_id = _order(quiet)
    settle(quiet, order_id)
    _sync(quiet_core, store.id)
    stamp = quiet.world.orders[order_id].last_updated
    quiet.world.request_cancellation(order_id, reason="Changed my mind")
    quiet.world.orders[order_id].last_updated = stamp  # same lastUpdatedTime as the version we hold
    result = run_job(quiet_core, get_store(store.id), JobKind.ORDERS_SWEEP)
    assert result.status == "ok", result.error
    assert find_order(order_id).flags.cancel_text == "Buyer asked to cancel: Changed my mind"


@pytest.mark.sqlite_only  # an old SQLite file / SQLite's own change counter
def test_upgrade_fixes_carrier_codes_of_packages_not_yet_sent(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    conn = sqlite3.connect(path)
    try:
        conn.executescript(resources.files("fbm_desk.db").joinpath(MIGRATIONS[0]).read_text(encoding="utf-8"))
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO store (id, name, marketplace_id, region, selling_partner_id, created_at) "
            "VALUES (1, 'JP', 'A1VC38T7YXB528', 'FE', 'A1', '2026-01-01T00:00:00Z')"
        )
        conn.execute(
            "INSERT INTO orders (id, store_id, amazon_order_id, amazon_status, state, imported_at, updated_at) "
            "VALUES (1, 1, '503-1', 'UNSHIPPED', 'released', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
        )
        for ref, code, state in (
            (1, "Yamato Transport", "queued"),
            (2, "Japan Post", "rejected"),
            (3, "Japan Post", "confirmed"),
        ):
            conn.execute(
                "INSERT INTO package (order_id, package_reference_id, carrier_code, tracking_number, ship_date, "
                "push_state, created_at, updated_at) VALUES (1, ?, ?, '123456789012', '2026-01-01T00:00:00Z', ?, "
                "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                (ref, code, state),
            )
        conn.commit()
    finally:
        conn.close()
    opened = open_database(path, backup_dir=tmp_path / "backups")
    try:
        rows = opened.db.execute_sql(
            "SELECT package_reference_id, carrier_code, carrier_name FROM package ORDER BY 1"
        ).fetchall()
    finally:
        opened.close()
    assert rows == [(1, "YamatoTransport", ""), (2, "Other", "Japan Post"), (3, "Japan Post", "")]
