"""Issue 18: Buy Shipping end to end through the real CLI process against the sandbox: rates → buy → the label
file is a valid PDF/ZPL → the package shows the tracking number and is never sent through confirmShipment →
void → packable again; and each error path with its message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from fbm_desk.sandbox import RunningSandbox, start_sandbox
from fbm_desk.sandbox.shipping_desk import VOID_SECONDS
from tests.support.sync_env import merchant_skus, settle
from tests.test_cli_sync import Cli

pytestmark = pytest.mark.e2e
RATE_FIELDS = {"rate_id", "carrier", "service", "price", "currency", "promise", "late"}


@pytest.fixture
def quiet() -> Iterator[RunningSandbox]:
    with start_sandbox(speedup=600, alive=False, order_count=0) as sb:
        yield sb


@pytest.fixture
def cli(quiet: RunningSandbox, tmp_path: Path) -> Cli:
    c = Cli(quiet, tmp_path / "data")
    c.add_store("Demo US")
    house = c.json("warehouse", "list", "--json")[0]["name"]  # type: ignore[index]
    ship_from = [
        "--ship-name",
        "Maple & Pine",
        "--ship-address1",
        "100 Main St",
        "--ship-city",
        "Springfield",
    ]
    ship_from += ["--ship-state", "IL", "--ship-postal-code", "62701", "--ship-country", "US"]
    proc = c.run("warehouse", "set", house, *ship_from)
    assert proc.returncode == 0, proc.stderr
    return c


def _new_order(cli: Cli, sb: RunningSandbox, deliver_days: int = 10) -> str:
    """An order to be delivered by midnight UTC ``deliver_days`` days after today."""
    order_id = sb.world.add_order(skus={merchant_skus(sb, 1)[0]: 2})
    order = sb.world.orders[order_id]
    midnight = order.created.replace(hour=0, minute=0, second=0, microsecond=0)
    order.deliver_by = (order.deliver_by[0], midnight + timedelta(days=deliver_days))
    settle(sb, order_id)
    proc = cli.run("sync", "orders")
    assert proc.returncode == 0, proc.stderr
    return order_id


def _order(cli: Cli, order_id: str) -> dict[str, Any]:
    orders = cli.json("orders", "list", "--json")
    assert isinstance(orders, list)
    return next(o for o in orders if o["amazon_order_id"] == order_id)


def _rates(cli: Cli, order_id: str, *args: str) -> list[dict[str, Any]]:
    rates = cli.json(
        "label", "rates", order_id, "--weight-g", "800", *(args or ("--dims", "30x20x10")), "--json"
    )
    assert isinstance(rates, list)
    return rates


def test_rates_buy_print_void_and_pack_again(cli: Cli, quiet: RunningSandbox, tmp_path: Path) -> None:
    order_id = _new_order(cli, quiet)
    rates = _rates(cli, order_id)
    assert rates
    for rate in rates:
        assert set(rate) == RATE_FIELDS
        assert isinstance(rate["price"], float)
        assert rate["price"] > 0
        assert isinstance(rate["late"], bool)
        assert rate["currency"] == "USD"
    assert [r["late"] for r in rates] == sorted(r["late"] for r in rates)  # late rates last
    assert {r["carrier"] for r in rates} >= {"USPS", "UPS", "FedEx"}
    ups = next(r for r in rates if r["service"] == "UPS Ground")
    out = tmp_path / "label.pdf"
    bought = cli.json("label", "buy", order_id, "--rate", ups["rate_id"], "--out", str(out), "--json")
    assert bought == {"tracking_number": bought["tracking_number"], "carrier": "UPS", "label_file": str(out)}
    assert bought["tracking_number"].startswith("1Z")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    order = _order(cli, order_id)
    assert order["state"] == "shipped"
    (shipment,) = order["shipments"]
    assert shipment == {
        "carrier_code": "UPS",
        "tracking_number": bought["tracking_number"],
        "push_state": "confirmed",
        "label": True,
    }
    # the tracking push and the next orders sync leave it alone: Amazon already has the package
    assert cli.run("sync", "shipments").returncode == 0
    settle(quiet, order_id)
    assert cli.run("sync", "orders").returncode == 0
    assert quiet.world.counters()["calls"].get("confirmShipment", 0) == 0
    assert quiet.world.pushed()["shipments"] == []
    assert len(_order(cli, order_id)["shipments"]) == 1
    # void: the package goes, the order is packable again
    proc = cli.run("label", "void", order_id)
    assert proc.returncode == 0, proc.stderr
    assert "voided" in proc.stdout
    order = _order(cli, order_id)
    assert order["state"] == "released"
    assert order["shipments"] == []
    assert order["items"][0]["quantity_shipped"] == 0
    assert quiet.world.order_state(order_id)["status"] == "UNSHIPPED"
    # and a ZPL label for a thermal printer
    rates = _rates(cli, order_id, "--box", "Medium")
    ups = next(r for r in rates if r["service"] == "UPS Ground")
    zpl = tmp_path / "label.zpl"
    bought = cli.json("label", "buy", order_id, "--rate", ups["rate_id"], "--out", str(zpl), "--json")
    text = zpl.read_text(encoding="ascii")
    assert text.startswith("^XA")
    assert text.rstrip().endswith("^XZ")
    assert bought["tracking_number"] in text
    assert _order(cli, order_id)["shipments"][0]["label"] is True


def _fails(cli: Cli, code: int, *args: str) -> str:
    proc = cli.run(*args)
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    return proc.stderr


def test_late_rates_are_marked_and_last(cli: Cli, quiet: RunningSandbox) -> None:
    order_id = _new_order(cli, quiet, deliver_days=4)  # 3 transit days make it (by 20:00), 4 and 5 do not
    rates = _rates(cli, order_id)
    late = [r for r in rates if r["late"]]
    in_time = [r for r in rates if not r["late"]]
    assert {r["service"] for r in late} == {"USPS Ground Advantage", "UPS Ground", "FedEx Home Delivery"}
    assert rates == in_time + late
    assert [r["price"] for r in in_time] == sorted(r["price"] for r in in_time)
    proc = cli.run("label", "rates", order_id, "--weight-g", "800", "--dims", "30x20x10")
    suggested = next(line for line in proc.stdout.splitlines() if line.startswith("*"))
    assert f"  {in_time[0]['service']}  " in suggested  # the cheapest in time is suggested
    assert "LATE" in proc.stdout


def test_pdf_from_a_png_only_carrier_and_a_required_signature(
    cli: Cli, quiet: RunningSandbox, tmp_path: Path
) -> None:
    first, second = _new_order(cli, quiet), _new_order(cli, quiet)
    fedex = next(r for r in _rates(cli, first) if r["carrier"] == "FedEx")  # FedEx labels: PNG and ZPL only
    out = tmp_path / "fedex.pdf"
    cli.json("label", "buy", first, "--rate", fedex["rate_id"], "--out", str(out), "--json")
    assert out.read_bytes().startswith(b"%PDF")  # the PNG drawn onto a 4x6 PDF page
    assert "already fully shipped" in _fails(
        cli, 2, "label", "rates", first, "--weight-g", "5", "--dims", "1x1x1"
    )
    air = next(r for r in _rates(cli, second) if r["service"] == "UPS 2nd Day Air")  # a signature is required
    cli.json("label", "buy", second, "--rate", air["rate_id"], "--out", str(tmp_path / "air.pdf"), "--json")
    assert _order(cli, second)["shipments"][0]["label"] is True


def test_role_missing_says_reauthorize(cli: Cli, quiet: RunningSandbox) -> None:
    order_id = _new_order(cli, quiet)
    quiet.world.withhold_shipping_role()
    err = _fails(cli, 1, "label", "rates", order_id, "--weight-g", "500", "--dims", "20x15x10")
    assert "Buy Shipping needs the shipping role — ask the seller to re-authorize" in err


def test_address_amazon_cannot_validate(cli: Cli, quiet: RunningSandbox) -> None:
    order_id = _new_order(cli, quiet)
    house = cli.json("warehouse", "list", "--json")[0]["name"]  # type: ignore[index]
    assert cli.run("warehouse", "set", house, "--ship-postal-code", "ABCDE").returncode == 0
    err = _fails(cli, 1, "label", "rates", order_id, "--weight-g", "500", "--dims", "20x15x10")
    assert "Amazon cannot validate the address" in err
    assert "ship-from address" in err


def test_no_rates(cli: Cli, quiet: RunningSandbox) -> None:
    order_id = _new_order(cli, quiet)
    err = _fails(cli, 1, "label", "rates", order_id, "--weight-g", "100000", "--dims", "20x15x10")
    assert "Amazon offers no shipping service for this package" in err
    assert "Heavier than" in err


def test_ineligible_orders(cli: Cli, quiet: RunningSandbox) -> None:
    order_id = _new_order(cli, quiet)
    quiet.world.ship_elsewhere(order_id)  # Amazon knows more than our last sync
    err = _fails(cli, 1, "label", "rates", order_id, "--weight-g", "500", "--dims", "20x15x10")
    assert "Amazon will not sell a label for this order" in err
    settle(quiet, order_id)
    assert cli.run("sync", "orders").returncode == 0
    err = _fails(cli, 2, "label", "rates", order_id, "--weight-g", "500", "--dims", "20x15x10")
    assert "not eligible for Buy Shipping" in err


def test_bad_input_and_closed_void_window(cli: Cli, quiet: RunningSandbox, tmp_path: Path) -> None:
    order_id = _new_order(cli, quiet)
    assert "is not a box size" in _fails(
        cli, 2, "label", "rates", order_id, "--weight-g", "5", "--dims", "big"
    )
    assert "has no box 'Crate'" in _fails(
        cli, 2, "label", "rates", order_id, "--weight-g", "5", "--box", "Crate"
    )
    assert "has no label" in _fails(cli, 2, "label", "void", order_id)
    rate = _rates(cli, order_id)[0]["rate_id"]
    assert "get rates first" in _fails(
        cli, 2, "label", "buy", order_id, "--rate", "nope", "--out", str(tmp_path / "x.pdf")
    )
    cli.json("label", "buy", order_id, "--rate", rate, "--out", str(tmp_path / "l.png"), "--json")
    assert (tmp_path / "l.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    quiet.world.advance(quiet.world.clock.ttl(VOID_SECONDS) + 1)
    assert "Amazon will not void this label" in _fails(cli, 1, "label", "void", order_id)
    assert _order(cli, order_id)["shipments"][0]["label"] is True  # nothing lost
