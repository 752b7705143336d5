"""The GUI side of paper, bins and low stock: batch printing from the Orders tab (confirmation with the count,
Save as PDF, a real QPrinter and print preview), bin/low-stock editing and filter in the Inventory tab, the bins
in the pack dialog and the low-stock tray alert."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QMainWindow

from fbm_desk.core import build_core
from fbm_desk.db import paper
from fbm_desk.db.inventory import set_on_hand
from fbm_desk.db.product_places import set_product_place
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.printing.canvas import PaperSize
from fbm_desk.printing.documents import draw_slips
from fbm_desk.printing.render import print_to, render_image
from fbm_desk.sync.base import SyncResult
from fbm_desk.ui.inventory_tab import InventoryTab
from fbm_desk.ui.low_stock_alert import LowStockWatch
from fbm_desk.ui.notifications import Notice, Notifier
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.pack_dialog import PackDialog
from fbm_desk.ui.print_dialog import PrintBatchDialog
from fbm_desk.ui.product_place_dialog import ProductPlaceDialog
from fbm_desk.ui.services import Services
from tests.support.code128_reader import read_image
from tests.support.demo_data import add_order, generate
from tests.support.pack_helpers import select_orders

A, B, C = "112-0000001-0000001", "112-0000002-0000002", "112-0000003-0000003"


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    set_product_place("MUG-ENAMEL-GRN", bin="A-01-1")
    set_product_place("SKILLET-CI-10", bin="C-07-2")
    add_order(core.db.db, A, items=(("MUG-ENAMEL-GRN", 2),))
    add_order(core.db.db, B, items=(("SKILLET-CI-10", 1), ("MUG-ENAMEL-GRN", 1)))
    add_order(core.db.db, C, items=(("CANDLE-PINE-8", 3),))
    yield Services(core=core)
    core.close()


def _text(path: Path) -> str:
    return re.sub(r"[ \t]+", " ", "\n".join(p.extract_text() for p in PdfReader(path).pages))


def _answer_print_dialog(qtbot: Any, seen: list[str], out: Path) -> None:
    """When the modal print dialog is up: note its summary and save as PDF to ``out``."""

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PrintBatchDialog):
            QTimer.singleShot(20, act)
            return
        seen.append(dialog.summary.text())
        dialog.size_combo.setCurrentIndex(dialog.size_combo.findData("a4"))
        dialog.write_pdf(out)

    QTimer.singleShot(0, act)


def test_batch_pick_list_and_slips_from_the_selected_orders(
    qtbot: Any, services: Services, tmp_path: Path
) -> None:
    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    tab.show()
    tab.batch.trigger(tab.batch.actions[0])
    assert "Select one or more orders first" in tab.message.text()

    select_orders(tab, {A, B})
    assert len(tab.selected_order_ids()) == 2
    seen: list[str] = []
    _answer_print_dialog(qtbot, seen, tmp_path / "pick")
    tab.batch.trigger(tab.batch.actions[0])  # Print pick list…
    assert seen == ["Print a pick list for 2 order(s): 2 SKU(s), 4 unit(s)."]
    assert tab.message.text() == f"Saved 1 page(s) to {tmp_path / 'pick.pdf'}."
    text = _text(tmp_path / "pick.pdf")
    assert "A-01-1\nMUG-ENAMEL-GRN" in text
    assert "C-07-2\nSKILLET-CI-10" in text
    assert "CANDLE-PINE-8" not in text  # order C was not selected
    assert PdfReader(tmp_path / "pick.pdf").pages[0].mediabox.width == pytest.approx(595.3, abs=0.5)

    select_orders(tab, {A, B, C})
    _answer_print_dialog(qtbot, seen, tmp_path / "slips.pdf")
    tab.batch.trigger(tab.batch.actions[1])  # Print packing slips…
    assert seen[-1] == "Print 3 packing slip(s), one per order."
    reader = PdfReader(tmp_path / "slips.pdf")
    assert len(reader.pages) == 3
    assert {A, B, C} <= set(re.findall(r"\d{3}-\d{7}-\d{7}", _text(tmp_path / "slips.pdf")))


def test_a_real_printer_and_the_print_preview_draw_the_slips(
    qtbot: Any, services: Services, tmp_path: Path
) -> None:
    slips = paper.slips(paper.resolve_order_ids([A, B]))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # the printer Qt always has
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert print_to(printer, PaperSize.LABEL_4X6, lambda c: draw_slips(c, slips)) == 2
    assert A in _text(tmp_path / "printed.pdf")

    preview_printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # must outlive the dialog
    preview = QPrintPreviewDialog(preview_printer)
    qtbot.addWidget(preview)
    pages: list[int] = []
    preview.paintRequested.connect(lambda p: pages.append(print_to(p, None, lambda c: draw_slips(c, slips))))
    preview.show()
    qtbot.waitUntil(lambda: pages == [2])


def test_bin_and_low_stock_are_edited_and_filtered_in_the_inventory_tab(
    qtbot: Any, services: Services
) -> None:
    tab = InventoryTab(services)
    qtbot.addWidget(tab)
    tab.show()
    row = next(r for r in range(tab.model.rowCount()) if tab.model.row_at(r).sku == "CANDLE-PINE-8")  # type: ignore[union-attr]
    tab.table.selectRow(row)
    dialog = tab.edit_place()
    assert isinstance(dialog, ProductPlaceDialog)
    dialog.bin.setText("line\tbreak")
    dialog.save()
    assert "plain text" in dialog.error.text()  # refused, nothing saved
    dialog.bin.setText("B-11-3")
    dialog.alert.setChecked(True)
    dialog.level.setValue(5)
    dialog.save()
    assert dialog.result() == ProductPlaceDialog.DialogCode.Accepted
    assert "Bin B-11-3" in tab.why.toPlainText()
    set_on_hand("CANDLE-PINE-8", 8, reason="Cycle count")  # 8 on hand - 3 allocated = 5: at the level
    tab.low_only.setChecked(True)
    assert [tab.model.row_at(r).sku for r in range(tab.model.rowCount())] == ["CANDLE-PINE-8"]  # type: ignore[union-attr]


def test_pack_dialog_shows_the_bins(qtbot: Any, services: Services) -> None:
    dialog = PackDialog(services.core, paper.resolve_order_ids([B])[0])
    qtbot.addWidget(dialog)
    assert "Bins: SKILLET-CI-10 → <b>C-07-2</b> · MUG-ENAMEL-GRN → <b>A-01-1</b>" in dialog.header.text()


def test_scanning_the_slip_barcode_opens_the_order_in_the_pack_dialog(qtbot: Any, services: Services) -> None:
    from PySide6.QtCore import Qt

    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    tab.show()
    qtbot.waitExposed(tab)
    slip = paper.slips(paper.resolve_order_ids([B]))[0]
    code = read_image(render_image(PaperSize.LABEL_4X6, lambda c: draw_slips(c, [slip]), dpi=203))
    assert code == B
    tab.scan.setFocus()
    qtbot.keyClicks(tab.scan, code)  # what a USB scanner types: the order id, then Enter
    qtbot.keyClick(tab.scan, Qt.Key.Key_Return)
    assert tab.pack_dialog is not None
    assert tab.pack_dialog.order_id == slip.order.id
    tab.pack_dialog.reject()


class _Runner(QObject):
    job_finished = Signal(int, str, object)
    job_failed = Signal(int, str, object)
    store_needs_reconnect = Signal(int, str)


def test_low_stock_alert_once_per_fall(qtbot: Any, services: Services) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    runner = _Runner()
    notifier = Notifier(runner, tray=None, status_bar=window.statusBar())  # type: ignore[arg-type]
    shown: list[Notice] = []
    notifier.shown.connect(shown.append)
    set_on_hand("SKILLET-CI-10", 10, reason="Received stock")  # 10 - 1 allocated = 9 available
    set_product_place("SKILLET-CI-10", low_stock=5)
    watch = LowStockWatch(runner, notifier)  # type: ignore[arg-type]
    qtbot.waitSignal(watch.checked).wait()  # the first check, started by the watch itself
    assert shown == []  # nothing is low at start

    def check(trigger: Any) -> None:
        with qtbot.waitSignal(watch.checked):
            trigger()

    set_on_hand("SKILLET-CI-10", 6, reason="Damaged / lost")  # 5 available: at the level
    check(lambda: runner.job_finished.emit(1, "orders", SyncResult("orders", "Shop", "ok")))
    assert [n.title for n in shown] == ["Low stock: SKILLET-CI-10"]
    assert "5 available (bin C-07-2)" in shown[0].message
    check(lambda: runner.job_finished.emit(1, "orders", SyncResult("orders", "Shop", "ok")))
    assert len(shown) == 1  # still low: no second alert
    set_on_hand("SKILLET-CI-10", 20, reason="Received stock")
    check(watch.check)
    set_on_hand("SKILLET-CI-10", 2, reason="Cycle count")
    check(watch.check)
    assert len(shown) == 2  # recovered, then fell again
    assert window.statusBar().currentMessage().startswith("Low stock: SKILLET-CI-10")
    watch.wait_idle()
