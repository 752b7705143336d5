"""Pick lists and packing slips: ``fbm-desk print`` writes PDFs whose text holds the SKUs, bins and order ids;
the slip's Code 128 barcode reads back as the order id; unknown orders exit 2 and write nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PageObject, PdfReader

from fbm_desk.cli import main
from fbm_desk.core import build_core
from fbm_desk.db import paper
from fbm_desk.db.product_places import low_stock_rows, set_product_place
from fbm_desk.db.stock import InventoryQuery
from fbm_desk.db.stock_summary import count_stock
from fbm_desk.foundation.errors import InvalidInput, NotFound
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.printing.code128 import module_widths, symbol_values
from tests.support.code128_reader import read_image
from tests.support.demo_data import add_order

A = "111-0000001-0000001"
B = "111-0000002-0000002"
HELD = "111-0000003-0000003"
SHIPPED = "111-0000004-0000004"
UNMAPPED = "111-0000005-0000005"


def _seed(paths: AppPaths) -> None:
    core = build_core(paths)
    db = core.db.db
    db.execute_sql(
        "INSERT INTO store (name, marketplace_id, region, selling_partner_id, created_at) VALUES "
        "('Shop', 'ATVPDKIKX0DER', 'NA', 'S1', '2026-11-01T00:00:00Z')"
    )
    for sku, title, bin_ in (
        ("MUG-1", "Enamel mug", "B-02-1"),
        ("PAN-2", "Skillet", "A-01-4"),
        ("CUP-3", "Cup", ""),
    ):
        db.execute_sql(
            "INSERT INTO product (sku, title, bin, created_at) VALUES (?, ?, ?, '2026-11-01T00:00:00Z')",
            (sku, title, bin_),
        )
    add_order(db, A, items=(("MUG-1", 2), ("PAN-2", 1)), buyer_name="Ada Lovelace", city="Santa Fe")
    add_order(db, B, items=(("MUG-1", 1), ("CUP-3", 4)), buyer_name="Grace Hopper", city="Boston")
    add_order(db, HELD, state="held", items=(("PAN-2", 1),))
    add_order(db, SHIPPED, state="shipped", items=(("MUG-1", 5),))
    add_order(db, UNMAPPED, items=(("AMZ-ODD-SKU", 2),), needs_mapping=True)
    core.close()


@pytest.fixture
def seeded(app_paths: AppPaths, qapp: object) -> Path:
    _seed(app_paths)
    return app_paths.data_dir


def _text(path: Path) -> str:
    return "\n".join(_page_text(page) for page in PdfReader(path).pages)


def _page_text(page: PageObject) -> str:
    return re.sub(r"[ \t]+", " ", page.extract_text())


def _cli(data: Path, *args: str) -> int:
    return main(["--data-dir", str(data), *args])


def test_pick_list_pdf_holds_skus_bins_totals_sorted_by_bin(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "pick.pdf"
    assert _cli(seeded, "print", "pick-list", "--orders", f"{A},{B},{UNMAPPED}", "--out", str(out)) == 0
    text = _text(out)
    for expected in ("Pick list", "3 order(s)", "MUG-1", "PAN-2", "CUP-3", "A-01-4", "B-02-1", "AMZ-ODD-SKU"):
        assert expected in text
    assert "Total: 10 unit(s) of 4 SKU(s) for 3 order(s)" in text
    assert "Orders in this batch (3)" in text
    assert {A, B, UNMAPPED} <= set(re.findall(r"\d{3}-\d{7}-\d{7}", text))
    # sorted by bin: A-01-4 before B-02-1, then products without a bin
    assert text.index("A-01-4") < text.index("B-02-1") < text.index("CUP-3")
    assert PdfReader(out).pages[0].mediabox.width == pytest.approx(612)  # Letter


def test_pick_list_by_filter_counts_only_units_still_to_pick(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "released.pdf"
    assert _cli(seeded, "print", "pick-list", "--filter", "released", "--out", str(out), "--size", "a4") == 0
    text = _text(out)
    assert "MUG-1" in text
    assert "B-02-1" in text
    assert "for 3 order(s)" in text  # A, B and the unmapped one; not held, not shipped
    pick = paper.pick_list(paper.resolve_order_ids([A, B, SHIPPED]))
    assert {line.sku: line.quantity for line in pick.lines} == {"PAN-2": 1, "MUG-1": 3, "CUP-3": 4}
    assert [line.bin for line in pick.lines] == ["A-01-4", "B-02-1", ""]
    assert PdfReader(out).pages[0].mediabox.width == pytest.approx(595.3, abs=0.5)  # A4


def test_slips_hold_ship_to_items_order_id_and_a_held_notice(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "slips.pdf"
    assert _cli(seeded, "print", "slips", "--orders", f"{A},{HELD}", "--out", str(out), "--size", "4x6") == 0
    reader = PdfReader(out)
    assert len(reader.pages) == 2
    assert (float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)) == pytest.approx(
        (288, 432)
    )
    first, held = (_page_text(page) for page in reader.pages)
    assert A in first
    assert "MUG-1" in first
    assert "PAN-2" in first
    assert "Ada Lovelace" in first
    assert "Santa Fe, 98101" in first
    assert "UNITED STATES" in first
    assert HELD in held
    assert "ADDRESS NOT RELEASED YET" in held


def test_unknown_order_exits_2_and_writes_nothing(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "none.pdf"
    assert _cli(seeded, "print", "slips", "--orders", f"{A},999-9999999-9999999", "--out", str(out)) == 2
    assert "999-9999999-9999999" in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.glob("*.partial")) == []
    assert _cli(seeded, "print", "pick-list", "--orders", "not-an-id", "--out", str(out)) == 2
    assert not out.exists()
    with pytest.raises(SystemExit) as exc:
        _cli(seeded, "print", "pick-list", "--filter", "nonsense", "--out", str(out))
    assert exc.value.code == 2


def test_slip_barcode_reads_back_as_the_order_id(seeded: Path) -> None:
    from fbm_desk.printing.canvas import PaperSize
    from fbm_desk.printing.documents import draw_slip
    from fbm_desk.printing.render import render_image

    slip = paper.slips(paper.resolve_order_ids([B]))[0]
    for size in PaperSize:
        image = render_image(size, lambda c, s=slip: draw_slip(c, s), dpi=203)  # a thermal label printer
        found = read_image(image)
        assert found == B, size


def test_code128_symbols_of_an_order_id() -> None:
    values = symbol_values("111-0000002-0000002")
    assert values[0] == 104
    assert values[-1] == 106
    assert values[1:4] == [17, 17, 17]
    assert values[4] == 13
    assert sum(module_widths("111-0000002-0000002")) == 11 * (len(values) - 1) + 13
    with pytest.raises(ValueError):
        symbol_values("ünïcode")


def test_bins_and_low_stock_levels(
    seeded: Path, app_paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(seeded, "products", "set", "CUP-3", "--bin", "C-09-1", "--low-stock", "0", "--json") == 0
    assert '"bin": "C-09-1"' in capsys.readouterr().out
    core = build_core(app_paths)  # the same database the command used (the file, or this test's workspace)
    try:
        # nothing on hand, 4 units allocated: available 0, at the level of 0
        assert [r.sku for r in low_stock_rows()] == ["CUP-3"]
        assert count_stock(InventoryQuery(low_stock_only=True)) == 1
        row = set_product_place("CUP-3", low_stock=None)
        assert row.low_stock is None
        assert not row.is_low
        assert row.bin == "C-09-1"
        with pytest.raises(InvalidInput):
            set_product_place("CUP-3", bin="x" * 41)
        with pytest.raises(NotFound):
            set_product_place("NOPE", bin="A")
        assert paper.pick_list(paper.resolve_order_ids([B])).lines[0].bin == "B-02-1"
    finally:
        core.close()
    assert _cli(seeded, "products", "set", "CUP-3") == 2


def test_ship_to_lines_follow_the_country() -> None:
    from fbm_desk.db.domain_rows import ShipTo
    from fbm_desk.printing.address import address_lines

    def ship(city: str, region: str, postal: str, country: str) -> ShipTo:
        return ShipTo("Ann Buyer", "", "1 Main St", "", "", city, region, postal, country, "")

    assert address_lines(ship("Santa Fe", "NM", "87557", "US"))[-2:] == [
        "Santa Fe, NM  87557",
        "UNITED STATES",
    ]
    assert address_lines(ship("Berlin", "", "10115", "DE"))[-2:] == ["10115 Berlin", "GERMANY"]
    assert address_lines(ship("London", "", "SW1A 1AA", "GB"))[-3:] == [
        "London",
        "SW1A 1AA",
        "UNITED KINGDOM",
    ]
    assert address_lines(ship("Chiyoda-ku", "Tokyo", "100-0001", "JP"))[:2] == [
        "〒100-0001",
        "Tokyo Chiyoda-ku",
    ]
