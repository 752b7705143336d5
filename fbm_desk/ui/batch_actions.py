"""Work on many orders at once from the Orders tab: a "Selected orders" menu over the selected rows.

Each action says how many orders it acts on before it does anything (the print dialog is that confirmation
for printing; the others ask "Hold 12 orders?"). Print a pick list, print packing slips, add a tag, put on a
hold, release a hold; each change is one transaction over all the selected orders (``db.holds``,
``db.order_marks``). A new action is a ``BatchAction`` in ``BatchActions.actions``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog, QMenu, QMessageBox, QToolButton, QWidget

from fbm_desk.db.holds import hold_orders, release_orders
from fbm_desk.db.order_marks import tag_orders
from fbm_desk.db.states import HoldKind
from fbm_desk.foundation.errors import FbmError

if TYPE_CHECKING:
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
            BatchAction("Add tag…", self.add_tag),
            BatchAction("Put on hold…", self.hold),
            BatchAction("Release hold…", self.release),
        ]
        self.button = QToolButton(parent)
        self.button.setObjectName("batchActions")
        self.button.setText("Selected orders")
        self.button.setToolTip(
            "Print, tag, hold or release the selected orders (Shift/Ctrl+click to select many)"
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
        from fbm_desk.ui.print_dialog import PrintBatchDialog  # printing: imported when first used (start-up)

        dialog = PrintBatchDialog(title, summary, draw, name, self._parent)
        self.last_dialog = dialog
        dialog.exec()
        return dialog.done_message

    def print_pick_list(self, ids: Sequence[int]) -> str:
        from fbm_desk.db import paper
        from fbm_desk.printing.documents import draw_pick_list

        pick = paper.pick_list(ids, paper.amazon_ids(ids))
        summary = (
            f"Print a pick list for {len(ids)} order(s): {len(pick.lines)} SKU(s), {pick.units} unit(s)."
        )
        return self._dialog("Pick list", summary, lambda c: draw_pick_list(c, pick), "pick-list.pdf")

    def print_slips(self, ids: Sequence[int]) -> str:
        from fbm_desk.db import paper
        from fbm_desk.printing.documents import draw_slips

        slips = paper.slips(ids)
        held = sum(1 for s in slips if s.order.ship_to is None)
        summary = f"Print {len(slips)} packing slip(s), one per order."
        if held:
            summary += f" {held} of them have no address yet (payment hold): their slip says so."
        return self._dialog("Packing slips", summary, lambda c: draw_slips(c, slips), "packing-slips.pdf")

    # --- changes: ask with the count, then one transaction -------------------------------------------------

    def _text(self, title: str, label: str) -> str | None:
        text, ok = QInputDialog.getText(self._parent, title, label)
        return text.strip() if ok and text.strip() else None

    def _kind(self, title: str) -> str | None:
        kinds = [str(k) for k in HoldKind]
        kind, ok = QInputDialog.getItem(self._parent, title, "Hold type:", kinds, 0, False)
        return kind if ok else None

    def _confirm(self, question: str) -> bool:
        answer = QMessageBox.question(self._parent, "Selected orders", question)
        return answer == QMessageBox.StandardButton.Yes

    def _apply(self, change: Callable[[], int], done: str) -> str:
        try:
            return done.format(n=change())
        except FbmError as exc:
            return exc.user_message

    def add_tag(self, ids: Sequence[int]) -> str:
        tag = self._text("Add tag", f"Tag to add to {len(ids)} order(s):")
        if tag is None or not self._confirm(f"Tag {len(ids)} order(s) '{tag}'?"):
            return ""
        return self._apply(lambda: tag_orders(ids, tag), f"Tagged {{n}} order(s) '{tag}'.")

    def hold(self, ids: Sequence[int]) -> str:
        kind = self._kind("Put on hold")
        reason = self._text("Put on hold", "Reason (shown in each order's timeline):") if kind else None
        if kind is None or reason is None or not self._confirm(f"Put {len(ids)} order(s) on {kind} hold?"):
            return ""
        return self._apply(
            lambda: hold_orders(ids, kind, reason=reason), f"{{n}} order(s) put on {kind} hold."
        )

    def release(self, ids: Sequence[int]) -> str:
        kind = self._kind("Release hold")
        reason = self._text("Release hold", "Reason for releasing:") if kind else None
        if (
            kind is None
            or reason is None
            or not self._confirm(f"Release the {kind} hold of {len(ids)} order(s)?")
        ):
            return ""
        return self._apply(
            lambda: release_orders(ids, kind, reason=reason), f"Released the {kind} hold of {{n}} order(s)."
        )
