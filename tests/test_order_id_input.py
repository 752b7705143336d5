"""``fbm-desk ship ORDER_ID``: an order id is Amazon's order id, never the local row number (issue 11, item 1).

A string of digits (a numeric barcode, a typo, Arabic-Indic digits, 5,000 digits) used to be read as the
database row id and put the package on whichever order had that row: exit 2 now, nothing recorded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fbm_desk.cli import main
from fbm_desk.db import OpenedDatabase
from fbm_desk.db.orders import find_order, get_order_detail
from fbm_desk.db.stores import insert_store
from fbm_desk.foundation.errors import InvalidInput, NotFound
from tests.test_packing import amazon_order, put

UPS = "1Z999AA10123456784"


@pytest.fixture
def orders(db: OpenedDatabase) -> list[int]:
    store = insert_store(
        name="Shop", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="A1SELLER"
    )
    put(store, *(amazon_order(f"114-975161{n}-580129{n}") for n in range(3)))
    return [find_order(f"114-975161{n}-580129{n}").id for n in range(3)]


def _ship(data_dir: Path, order_id: str) -> int:
    return main(["--data-dir", str(data_dir), "ship", order_id, "--carrier", "UPS", "--tracking", UPS])


@pytest.mark.parametrize("typed", ["ROW", "\u0661", "\uff11", "0" * 4301 + "1", " 2 "])
def test_digits_are_never_a_row_id(
    typed: str, orders: list[int], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = str(orders[0])
    text = row if typed == "ROW" else typed
    assert _ship(data_dir, text) == 2
    err = capsys.readouterr().err
    assert "not an Amazon order id" in err
    assert "internal error" not in err
    assert all(get_order_detail(i).packages == () for i in orders)


def test_the_amazon_order_id_ships_that_order(orders: list[int], data_dir: Path) -> None:
    assert _ship(data_dir, "114-9751612-5801292") == 0
    assert [len(get_order_detail(i).packages) for i in orders] == [0, 0, 1]


def test_unknown_and_garbage_ids(orders: list[int], data_dir: Path) -> None:
    with pytest.raises(NotFound, match="Unknown order"):
        find_order("114-0000000-0000000")
    for garbage in ("", "   ", "114-9751612-5801292\x00", "x" * 100, "\u0661\u0661\u0664-9751612-5801292"):
        with pytest.raises(InvalidInput, match="not an Amazon order id"):
            find_order(garbage)
    assert _ship(data_dir, "114-0000000-0000000") == 2
