"""Rules tab: the automation rules, top to bottom (drag to reorder), an editor, **Test** against one order or
all open orders (matched or the condition that failed), import from a file and "Apply to open orders" with a
preview. Rules run by themselves when an order becomes workable (imported released, or released by Amazon)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db.order_marks import tally_open_orders
from fbm_desk.db.order_views import find_order_ids
from fbm_desk.db.rule_engine import Action, RuleSpec
from fbm_desk.db.rule_runs import apply_to_open, describe_action, evaluate_order
from fbm_desk.db.rules import list_rules, picker_values, replace_rules, save_rules
from fbm_desk.foundation.errors import FbmError
from fbm_desk.ui.rule_editor import RuleEditor

if TYPE_CHECKING:
    from fbm_desk.ui.services import Services

ALL_OPEN = "All open orders"


class RulesTab(QWidget):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rulesTab")
        self.setMinimumSize(420, 300)  # the window may be small; the splitter and editor shrink
        self.services = services
        self.specs: list[RuleSpec] = []
        self.rule_list = QListWidget()
        self.rule_list.setObjectName("ruleList")
        self.rule_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.rule_list.model().rowsMoved.connect(self._on_reordered)
        self.rule_list.currentRowChanged.connect(self._on_selected)
        buttons = QHBoxLayout()
        self._button("New rule", "newRule", self.new_rule, buttons)
        self._button("Delete", "deleteRule", self.delete_rule, buttons)
        self._button("Import…", "importRules", self.import_file, buttons)
        self._button("Apply to open orders…", "applyRules", self.apply_open, buttons)
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>Rules</b> — top to bottom, each at most once per order; drag to reorder"))
        left.addWidget(self.rule_list, 1)
        left.addLayout(buttons)
        left_widget = QWidget()
        left_widget.setLayout(left)

        self.editor = RuleEditor(picker_values())
        self.save_button = QPushButton("Save rule")
        self.save_button.setObjectName("saveRule")
        self.save_button.clicked.connect(self.save_current)
        self.message = QLabel()
        self.message.setObjectName("rulesMessage")
        self.message.setWordWrap(True)
        self.test_order = QComboBox()
        self.test_order.setObjectName("testOrder")
        self.test_order.setEditable(True)
        self.test_order.addItem(ALL_OPEN)
        self.test_order.setMinimumWidth(240)
        self.test_order.setToolTip("Type or paste an Amazon order id, or choose all open orders")
        test_button = QPushButton("Test")
        test_button.setObjectName("testRules")
        test_button.clicked.connect(self.run_test)
        self.results = QTreeWidget()
        self.results.setObjectName("testResults")
        self.results.setHeaderLabels(["Rule", "Result", "Why / what it does"])
        self.results.setRootIsDecorated(False)
        self.results.setColumnWidth(0, 200)
        self.results.setColumnWidth(1, 130)
        test_row = QHBoxLayout()
        test_row.addWidget(QLabel("<b>Test</b> on"))
        test_row.addWidget(self.test_order, 1)
        test_row.addWidget(test_button)
        right = QVBoxLayout()
        right.addWidget(self.editor, 3)
        save_row = QHBoxLayout()
        save_row.addWidget(self.message, 1)
        save_row.addWidget(self.save_button)
        right.addLayout(save_row)
        right.addLayout(test_row)
        right.addWidget(self.results, 2)
        right_widget = QWidget()
        right_widget.setLayout(right)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_widget)
        splitter.addWidget(right_widget)
        splitter.setSizes([320, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.reload()

    @staticmethod
    def _button(text: str, name: str, slot: object, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # --- the list ----------------------------------------------------------------------------------------

    def reload(self, select: int = 0) -> None:
        self.specs = [r.spec for r in list_rules()]
        self.rule_list.blockSignals(True)
        self.rule_list.clear()
        for spec in self.specs:
            item = QListWidgetItem(("" if spec.enabled else "(off) ") + spec.name)
            item.setToolTip(", ".join(map(describe_action, spec.actions)))
            self.rule_list.addItem(item)
        self.rule_list.blockSignals(False)
        if self.specs:
            self.rule_list.setCurrentRow(min(select, len(self.specs) - 1))
            self._on_selected(self.rule_list.currentRow())

    def _on_selected(self, row: int) -> None:
        if 0 <= row < len(self.specs):
            self.editor.load(self.specs[row])

    def _on_reordered(self, *_args: object) -> None:
        by_name = {s.name: s for s in self.specs}
        names = [self.rule_list.item(i).text().removeprefix("(off) ") for i in range(self.rule_list.count())]
        self._store([by_name[n] for n in names], self.rule_list.currentRow(), "Order saved.")

    def _store(self, specs: list[RuleSpec], select: int, done: str) -> None:
        try:
            save_rules(specs)
        except FbmError as exc:
            self.message.setText(f"<span style='color:#9b1111'>{exc.user_message}</span>")
            return
        self.reload(select)
        self.message.setText(done)

    def new_rule(self) -> None:
        names = {s.name for s in self.specs}
        name = next(f"New rule {n}" for n in range(1, 1000) if f"New rule {n}" not in names)
        spec = RuleSpec(name, False, (), (Action("add_tag", "new"),))
        self._store(
            [*self.specs, spec], len(self.specs), "New rule added (off): edit it, test it, switch it on."
        )

    def delete_rule(self) -> None:
        row = self.rule_list.currentRow()
        if 0 <= row < len(self.specs):
            self._store(
                self.specs[:row] + self.specs[row + 1 :], row, f"Rule {self.specs[row].name} deleted."
            )

    def save_current(self) -> None:
        row = self.rule_list.currentRow()
        try:
            spec = self.editor.spec(row + 1)
        except FbmError as exc:
            self.message.setText(f"<span style='color:#9b1111'>{exc.user_message}</span>")
            return
        specs = list(self.specs)
        if 0 <= row < len(specs):
            specs[row] = spec
        else:
            specs.append(spec)
        self._store(specs, max(row, 0), f"Rule {spec.name} saved. It runs on orders released from now on.")

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import rules", "", "Rules (*.json)")
        if not path:
            return
        try:
            replace_rules(json.loads(Path(path).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            self.message.setText(f"<span style='color:#9b1111'>Not imported: {exc}. Nothing changed.</span>")
            return
        except FbmError as exc:
            self.message.setText(f"<span style='color:#9b1111'>{exc.user_message} Nothing changed.</span>")
            return
        self.reload()
        self.message.setText(f"{len(self.specs)} rule(s) imported.")

    def apply_open(self) -> None:
        preview = apply_to_open(dry_run=True)
        if not preview:
            self.message.setText("Nothing to do: every rule already ran on the open orders it matches.")
            return
        lines = [f"{f.amazon_order_id}: {f.rule}" for f in preview[:15]]
        more = f"\n… and {len(preview) - 15} more" if len(preview) > 15 else ""
        answer = QMessageBox.question(
            self,
            "Apply to open orders",
            f"{len(preview)} rule firing(s) on open orders:\n" + "\n".join(lines) + more + "\n\nApply them?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.message.setText(f"{len(apply_to_open(dry_run=False))} rule firing(s) applied.")

    # --- test --------------------------------------------------------------------------------------------

    def run_test(self) -> None:
        self.results.clear()
        text = self.test_order.currentText().strip()
        if not text or text == ALL_OPEN:
            for t in tally_open_orders():
                why = t.top_reason if t.matched < t.tested else "every open order"
                QTreeWidgetItem(self.results, [t.rule, f"{t.matched} of {t.tested}", why])
            return
        found = find_order_ids(text)
        if not found:
            QTreeWidgetItem(self.results, ["", "unknown order", f"No imported order has the id {text}."])
            return
        for r in evaluate_order(found[0][0]):
            does = ", ".join(map(describe_action, r.actions))
            item = QTreeWidgetItem(
                self.results,
                [r.rule, "matched" if r.matched else "skipped", does or r.failed_condition or ""],
            )
            item.setForeground(1, Qt.GlobalColor.darkGreen if r.matched else Qt.GlobalColor.darkRed)
