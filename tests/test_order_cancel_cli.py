"""Issue 12 item 3: the seller cancels an order at Amazon with ``fbm-desk orders cancel`` (the order
acknowledgement feed), end to end against the sandbox through the real CLI process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fbm_desk.sandbox import RunningSandbox, start_sandbox
from tests.support.sync_env import merchant_skus, settle
from tests.test_cli_sync import Cli

pytestmark = pytest.mark.e2e


@pytest.fixture
def quiet() -> Iterator[RunningSandbox]:
    with start_sandbox(speedup=600, alive=False, order_count=0) as sb:
        yield sb


@pytest.fixture
def cli(quiet: RunningSandbox, tmp_path: Path) -> Cli:
    c = Cli(quiet, tmp_path / "data")
    c.add_store("Demo US")
    return c


def _feeds_sent(sb: RunningSandbox) -> int:
    return sb.world.counters()["calls"].get("createFeed", 0)


def _order(cli: Cli, order_id: str) -> dict[str, object]:
    orders = cli.json("orders", "list", "--json")
    assert isinstance(orders, list)
    return next(o for o in orders if o["amazon_order_id"] == order_id)


def _allocated(cli: Cli, sku: str) -> int:
    rows = cli.json("inventory", "list", "--json")
    assert isinstance(rows, list)
    return int(next(r for r in rows if r["sku"] == sku)["allocated"])


def test_buyer_request_then_orders_cancel_cancels_at_amazon_and_frees_stock(
    cli: Cli, quiet: RunningSandbox
) -> None:
    sku = merchant_skus(quiet, 1)[0]
    assert cli.run("sync", "products").returncode == 0
    order_id = quiet.world.add_order(skus={sku: 2})
    quiet.world.request_cancellation(order_id, reason="Ordered by mistake")
    settle(quiet, order_id)
    assert cli.run("sync", "orders").returncode == 0
    assert _order(cli, order_id)["cancel_requested"] is True
    assert _allocated(cli, sku) == 2
    quiet.world.reset_counters()

    proc = cli.run("orders", "cancel", order_id, "--reason", "buyer-canceled", "--json")

    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert set(answer) == {"order_id", "status", "feed_id"}
    assert (answer["order_id"], answer["status"]) == (order_id, "canceled")
    assert _feeds_sent(quiet) == 1
    feed = quiet.world.feeds[answer["feed_id"]]
    assert feed.kind == "POST_ORDER_ACKNOWLEDGEMENT_DATA"
    sent = quiet.world.documents[feed.input_document_id]
    assert sent.content_type == "text/xml; charset=UTF-8"
    assert b"<StatusCode>Failure</StatusCode>" in sent.content
    assert b"<CancelReason>BuyerCanceled</CancelReason>" in sent.content
    assert quiet.world.order_state(order_id)["status"] == "CANCELLED"
    assert all(i.cancel_request is None for i in quiet.world.orders[order_id].items)

    settle(quiet, order_id)
    assert cli.run("sync", "orders").returncode == 0
    row = _order(cli, order_id)
    assert (row["state"], row["amazon_status"], row["cancel_requested"]) == ("canceled", "CANCELLED", False)
    assert _allocated(cli, sku) == 0
    assert _feeds_sent(quiet) == 1  # sent once


def test_invalid_reason_unknown_and_shipped_orders_exit_2_and_send_nothing(
    cli: Cli, quiet: RunningSandbox
) -> None:
    sku = merchant_skus(quiet, 1)[0]
    open_order = quiet.world.add_order(skus=[sku])
    shipped = quiet.world.add_order(skus=[sku])
    packed = quiet.world.add_order(skus=[sku])
    settle(quiet, open_order, shipped, packed)
    assert cli.run("sync", "orders").returncode == 0
    quiet.world.ship_elsewhere(shipped)
    settle(quiet, shipped)
    assert cli.run("sync", "orders").returncode == 0
    assert _order(cli, shipped)["state"] == "shipped"
    proc = cli.run("ship", packed, "--carrier", "UPS", "--tracking", "1Z999AA10123456784")
    assert proc.returncode == 0, proc.stderr
    quiet.world.reset_counters()

    bad_reason = cli.run("orders", "cancel", open_order, "--reason", "changed-my-mind")
    unknown = cli.run("orders", "cancel", "111-0000000-0000000", "--reason", "no-inventory")
    not_an_id = cli.run("orders", "cancel", "12345", "--reason", "no-inventory")
    was_shipped = cli.run("orders", "cancel", shipped, "--reason", "no-inventory")
    has_package = cli.run("orders", "cancel", packed, "--reason", "no-inventory")

    assert [p.returncode for p in (bad_reason, unknown, not_an_id, was_shipped, has_package)] == [2] * 5
    assert "buyer-canceled" in bad_reason.stderr
    assert "Unknown order" in unknown.stderr
    assert "shipped" in was_shipped.stderr
    assert "package" in has_package.stderr
    assert "deleted first" in has_package.stderr
    assert quiet.world.counters()["calls"].get("createFeedDocument", 0) == 0
    assert _feeds_sent(quiet) == 0
    assert quiet.world.order_state(open_order)["status"] == "UNSHIPPED"


def test_amazon_refusal_exits_1_with_amazons_message(cli: Cli, quiet: RunningSandbox) -> None:
    sku = merchant_skus(quiet, 1)[0]
    shipped_meanwhile = quiet.world.add_order(skus=[sku])
    item_gone = quiet.world.add_order(skus=[sku])
    settle(quiet, shipped_meanwhile, item_gone)
    assert cli.run("sync", "orders").returncode == 0
    quiet.world.ship_elsewhere(
        shipped_meanwhile
    )  # shipped in Seller Central; this database does not know yet
    with quiet.world.lock:
        quiet.world.orders[item_gone].items[0].order_item_id = "99999999999999"

    shipped = cli.run("orders", "cancel", shipped_meanwhile, "--reason", "no-inventory", "--json")
    invalid_item = cli.run("orders", "cancel", item_gone, "--reason", "general-adjustment")

    assert shipped.returncode == 1
    assert shipped.stdout == ""
    assert "Amazon refused to cancel" in shipped.stderr
    assert "cannot be canceled" in shipped.stderr
    assert invalid_item.returncode == 1
    assert "AmazonOrderItemCode" in invalid_item.stderr
    assert quiet.world.order_state(item_gone)["status"] == "UNSHIPPED"
    # a refusal is recorded and does not block a new attempt once the cause is fixed
    with quiet.world.lock:
        quiet.world.orders[item_gone].items[0].order_item_id = _order(cli, item_gone)["items"][0][
            "order_item_id"
        ]  # type: ignore[index]
    again = cli.run("orders", "cancel", item_gone, "--reason", "general-adjustment")
    assert again.returncode == 0, again.stderr
    assert quiet.world.order_state(item_gone)["status"] == "CANCELLED"


def test_amazon_unreachable_exits_1_and_a_sent_feed_is_not_sent_again(
    cli: Cli, quiet: RunningSandbox
) -> None:
    sku = merchant_skus(quiet, 1)[0]
    order_id = quiet.world.add_order(skus=[sku])
    settle(quiet, order_id)
    assert cli.run("sync", "orders").returncode == 0
    quiet.world.inject_fault("createFeedDocument", "503", count=50)
    not_sent = cli.run("orders", "cancel", order_id, "--reason", "no-inventory")
    assert not_sent.returncode == 1
    assert _feeds_sent(quiet) == 0
    quiet.world.clear_faults()
    quiet.world.inject_fault("getFeed", "500", count=50)
    unread = cli.run("orders", "cancel", order_id, "--reason", "no-inventory")
    assert unread.returncode == 1
    assert "Do not send it again" in unread.stderr
    assert _feeds_sent(quiet) == 1
    quiet.world.clear_faults()
    # Amazon has it: neither sent again nor packed meanwhile
    again = cli.run("orders", "cancel", order_id, "--reason", "no-inventory")
    assert again.returncode == 2
    assert "no answer yet" in again.stderr
    ship = cli.run("ship", order_id, "--carrier", "UPS", "--tracking", "1Z999AA10123456784")
    assert ship.returncode == 2
    assert "cancellation" in ship.stderr
    assert _feeds_sent(quiet) == 1
