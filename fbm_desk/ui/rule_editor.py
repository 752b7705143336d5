"""The editor of one rule on the Rules screen: name, on/off, conditions (all must hold) and actions, with
pickers where the values are known (stores, marketplaces, SKUs, countries, states, service levels, carriers)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fbm_desk.db.rule_engine import ACTIONS, FIELDS, RuleSpec, parse_rule
from fbm_desk.db.states import HoldKind, Priority
from fbm_desk.domain.carriers import CARRIERS

OPS_BY_KIND = {
    "text": ("equals", "not_equals", "in", "not_in", "starts_with", "contains"),
    "skus": ("equals", "not_equals", "in", "not_in", "starts_with", "contains"),
    "number": ("equals", "not_equals", "in", "not_in", "greater_than", "less_than"),
    "bool": ("equals", "not_equals"),
    "time": ("less_than", "greater_than", "equals"),
}
ACTION_CHOICES: dict[str, list[str]] = {
    "set_priority": [p.value for p in Priority],
    "set_hold": [k.value for k in HoldKind],
    "set_carrier": [c.code for c in CARRIERS],
}


def _label(text: str) -> str:
    return text.replace("_", " ")


class _Row(QWidget):
    """One condition (field, operator, value) or one action (type, value)."""

    removed = Signal(object)

    def __init__(self, kinds: list[str], pickers: dict[str, list[str]], *, condition: bool) -> None:
        super().__init__()
        self.condition, self.pickers = condition, pickers
        self.kind = QComboBox()
        for k in kinds:
            self.kind.addItem(_label(k), k)
        self.op = QComboBox()
        self.value = QComboBox()
        self.value.setEditable(True)
        self.value.setMinimumWidth(220)
        remove = QPushButton("✕")
        remove.setFixedWidth(28)
        remove.setToolTip("Remove")
        remove.clicked.connect(lambda: self.removed.emit(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind)
        if condition:
            layout.addWidget(self.op)
        else:
            self.op.hide()
        layout.addWidget(self.value, 1)
        layout.addWidget(remove)
        self.kind.currentIndexChanged.connect(self._refill)
        self._refill()

    def _refill(self, *_args: object) -> None:
        key = str(self.kind.currentData())
        text = self.value.currentText()
        self.value.clear()
        if self.condition:
            ops = OPS_BY_KIND[FIELDS[key][0]]
            current = self.op.currentData()
            self.op.clear()
            for op in ops:
                self.op.addItem(_label(op), op)
            self.op.setCurrentIndex(max(0, self.op.findData(current)))
            choices = ["true", "false"] if FIELDS[key][0] == "bool" else self.pickers.get(key, [])
        else:
            choices = ACTION_CHOICES.get(key) or self.pickers.get(key, [])
        self.value.addItems(choices)
        self.value.setEditable(
            key not in ("set_priority", "set_hold") and FIELDS.get(key, ("",))[0] != "bool"
        )
        self.value.setEditText(
            text if text and not choices else (choices[0] if choices and not text else text)
        )
        self.value.setToolTip(
            "Several values: separate with commas (with 'in' / 'not in')" if self.condition else ""
        )

    def set(self, kind: str, op: str, value: Any) -> None:
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind)))
        self.op.setCurrentIndex(max(0, self.op.findData(op)))
        if isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = json.dumps(value) if isinstance(value, bool) else str(value)
        if self.value.isEditable():
            self.value.setEditText(text)
        else:  # a closed list (priority, hold, true/false): pick the entry
            self.value.setCurrentIndex(max(0, self.value.findText(text)))

    def to_json(self) -> dict[str, object]:
        key, text = str(self.kind.currentData()), self.value.currentText().strip()
        if not self.condition:
            return {"type": key, "value": text}
        op, kind = str(self.op.currentData()), FIELDS[key][0]

        def typed(part: str) -> object:
            if kind == "bool":
                return part.lower() in ("true", "yes", "1")
            if kind == "number":
                try:
                    return float(part) if "." in part else int(part)
                except ValueError:
                    return part
            return part

        value: object = (
            [typed(p.strip()) for p in text.split(",") if p.strip()]
            if op in ("in", "not_in")
            else typed(text)
        )
        return {"field": key, "op": op, "value": value}


class RuleEditor(QGroupBox):
    """Edits one rule; ``spec()`` raises ``InvalidInput`` (with the reason) when it is not a valid rule."""

    def __init__(self, pickers: dict[str, list[str]], parent: QWidget | None = None) -> None:
        super().__init__("Rule", parent)
        self.setObjectName("ruleEditor")
        self.pickers = pickers
        self.name = QLineEdit()
        self.name.setObjectName("ruleName")
        self.enabled = QCheckBox("On")
        self.enabled.setChecked(True)
        self.conditions_box = QVBoxLayout()
        self.actions_box = QVBoxLayout()
        add_condition = QPushButton("+ Condition")
        add_condition.setObjectName("addCondition")
        add_condition.clicked.connect(lambda: self.add_condition())
        add_action = QPushButton("+ Action")
        add_action.setObjectName("addAction")
        add_action.clicked.connect(lambda: self.add_action())
        form = QFormLayout()
        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        top.addWidget(self.enabled)
        form.addRow("Name", top)
        grid = QGridLayout()
        grid.addWidget(QLabel("<b>When all of these hold</b>"), 0, 0)
        grid.addLayout(self.conditions_box, 1, 0)
        grid.addWidget(add_condition, 2, 0)
        grid.addWidget(QLabel("<b>Then</b>"), 3, 0)
        grid.addLayout(self.actions_box, 4, 0)
        grid.addWidget(add_action, 5, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(grid)
        layout.addStretch(1)

    def _rows(self, box: QVBoxLayout) -> list[_Row]:
        items = (box.itemAt(i) for i in range(box.count()))
        return [w for item in items if item is not None and isinstance(w := item.widget(), _Row)]

    def _add(self, box: QVBoxLayout, kinds: list[str], *, condition: bool) -> _Row:
        row = _Row(kinds, self.pickers, condition=condition)
        row.removed.connect(lambda r: self._remove(box, r))
        box.addWidget(row)
        return row

    @staticmethod
    def _remove(box: QVBoxLayout, row: _Row) -> None:
        box.removeWidget(row)
        row.deleteLater()

    def add_condition(self, field: str = "sku", op: str = "equals", value: Any = "") -> _Row:
        row = self._add(self.conditions_box, list(FIELDS), condition=True)
        row.set(field, op, value)
        return row

    def add_action(self, kind: str = "add_tag", value: Any = "") -> _Row:
        row = self._add(self.actions_box, list(ACTIONS), condition=False)
        row.set(kind, "", value)
        return row

    def load(self, spec: RuleSpec) -> None:
        for box in (self.conditions_box, self.actions_box):
            for row in self._rows(box):
                self._remove(box, row)
        self.name.setText(spec.name)
        self.enabled.setChecked(spec.enabled)
        for c in spec.conditions:
            self.add_condition(c.field, c.op, c.value)
        for a in spec.actions:
            self.add_action(a.type, a.value)

    def spec(self, position: int) -> RuleSpec:
        return parse_rule(
            {
                "name": self.name.text(),
                "enabled": self.enabled.isChecked(),
                "conditions": [r.to_json() for r in self._rows(self.conditions_box)],
                "actions": [r.to_json() for r in self._rows(self.actions_box)],
            },
            position,
        )
