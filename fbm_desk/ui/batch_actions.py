"""Work on many orders at once from the Orders tab: a "Selected orders" menu over the selected rows.

Each action says how many orders it acts on before it does anything (the print dialog is that confirmation
for printing). Today: print a pick list, print packing slips. Extension point: tagging and holding/releasing
(the holds issue) add a ``BatchAction`` to ``BatchActions.actions``; their ``run`` gets the selected order ids
and must ask first with the count ("Hold 12 orders?") and change them in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from fbm_desk.db import paper
from fbm_desk.printing.documents import draw_pick_list, draw_slips
from fbm_desk.ui.print_dialog import PrintBatchDialog

MAX_BATCH = 2000  # more than a day's packing; keeps one batch on paper sensible


@dataclass(frozen=True)
class BatchAction:
    label: str
    run: Callable[[Sequence[int]], str]  # order ids -> the message shown afterwards ('' = cancelled)


class BatchActions:
    """The "Selected orders" button; ``selected()`` returns the local ids of the selected orders."""

    def __init__(
        self, parent: QWidget, selected: Callable[[], list[int]], show: Callable[[str], None]
    ) -> None:
        self._parent = parent
        self._selected = selected
        self._show = show
        self.last_dialog: PrintBatchDialog | None = None
        self.actions: list[BatchAction] = [
            BatchAction("Print pick list…", self.print_pick_list),
            BatchAction("Print packing slips…", self.print_slips),
        ]
        self.button = QToolButton(parent)
        self.button.setObjectName("batchActions")
        self.button.setText("Selected orders")
        self.button.setToolTip(
            "Print a pick list or packing slips for the selected orders (Shift/Ctrl+click)"
        )
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        for action in self.actions:
            menu.addAction(action.label, partial(self.trigger, action))
        self.button.setMenu(menu)

    def trigger(self, action: BatchAction) -> None:
        ids = self._selected()
        if not ids:
            self._show("Select one or more orders first (Shift+click or Ctrl+click to select many).")
            return
        if len(ids) > MAX_BATCH:
            self._show(f"{len(ids)} orders selected; a batch is at most {MAX_BATCH}.")
            return
        message = action.run(ids)
        if message:
            self._show(message)

    def _dialog(self, title: str, summary: str, draw: Callable[..., None], name: str) -> str:
        dialog = PrintBatchDialog(title, summary, draw, name, self._parent)
        self.last_dialog = dialog
        dialog.exec()
        return dialog.done_message

    def print_pick_list(self, ids: Sequence[int]) -> str:
        pick = paper.pick_list(ids, paper.amazon_ids(ids))
        summary = (
            f"Print a pick list for {len(ids)} order(s): {len(pick.lines)} SKU(s), {pick.units} unit(s)."
        )
        return self._dialog("Pick list", summary, lambda c: draw_pick_list(c, pick), "pick-list.pdf")

    def print_slips(self, ids: Sequence[int]) -> str:
        slips = paper.slips(ids)
        held = sum(1 for s in slips if s.order.ship_to is None)
        summary = f"Print {len(slips)} packing slip(s), one per order."
        if held:
            summary += f" {held} of them have no address yet (payment hold): their slip says so."
        return self._dialog("Packing slips", summary, lambda c: draw_slips(c, slips), "packing-slips.pdf")
