"""Orders tab → Selected orders: add a tag, put on a hold, release it — asked with the count, one transaction,
and the held orders cannot be packed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from fbm_desk.core import build_core
from fbm_desk.db.holds import active_holds, blocking_hold
from fbm_desk.db.order_marks import order_marks
from fbm_desk.db.orders import find_order
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.ui.orders_tab import OrdersTab
from fbm_desk.ui.services import Services
from tests.support.demo_data import add_order, generate
from tests.support.pack_helpers import select_orders

A, B, C = "112-0000001-0000001", "112-0000002-0000002", "112-0000003-0000003"


@pytest.fixture
def services(app_paths: AppPaths) -> Iterator[Services]:
    core = build_core(app_paths)
    generate(core.db.db, orders=0)
    for oid in (A, B, C):
        add_order(core.db.db, oid, items=(("MUG-ENAMEL-GRN", 1),))
    yield Services(core=core)
    core.close()


class Answers:
    """Stands in for the modal input and question boxes (the user's answers, in order)."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, texts: list[str], items: list[str], yes: bool
    ) -> None:
        self.questions: list[str] = []
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (texts.pop(0), True))
        monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (items.pop(0), True))

        def question(_parent: Any, _title: str, text: str, *a: Any, **k: Any) -> QMessageBox.StandardButton:
            self.questions.append(text)
            return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No

        monkeypatch.setattr(QMessageBox, "question", question)


def _action(tab: OrdersTab, label: str) -> Any:
    return next(a for a in tab.batch.actions if a.label == label)


def _ids(*amazon_ids: str) -> list[int]:
    return [find_order(a).id for a in amazon_ids]


def test_tag_hold_and_release_the_selected_orders(
    qtbot: Any, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    tab.show()
    select_orders(tab, {A, B})

    answers = Answers(monkeypatch, texts=["fragile"], items=[], yes=True)
    tab.batch.trigger(_action(tab, "Add tag…"))
    assert answers.questions == ["Tag 2 order(s) 'fragile'?"]
    assert tab.message.text() == "Tagged 2 order(s) 'fragile'."
    marks = order_marks(_ids(A, B, C))
    assert [marks[i].tags for i in _ids(A, B, C)] == [("fragile",), ("fragile",), ()]

    answers = Answers(monkeypatch, texts=["address check"], items=["address"], yes=True)
    tab.batch.trigger(_action(tab, "Put on hold…"))
    assert answers.questions == ["Put 2 order(s) on address hold?"]
    assert tab.message.text() == "2 order(s) put on address hold."
    assert blocking_hold(_ids(A)[0]) is not None
    assert blocking_hold(_ids(C)[0]) is None

    select_orders(tab, {A, B, C})  # C has no such hold: released are the two that do
    answers = Answers(monkeypatch, texts=["checked"], items=["address"], yes=True)
    tab.batch.trigger(_action(tab, "Release hold…"))
    assert answers.questions == ["Release the address hold of 3 order(s)?"]
    assert tab.message.text() == "Released the address hold of 2 order(s)."
    assert all(not hs for hs in active_holds(_ids(A, B, C)).values())


def test_saying_no_changes_nothing(qtbot: Any, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    tab = OrdersTab(services)
    qtbot.addWidget(tab)
    select_orders(tab, {A, B, C})
    answers = Answers(monkeypatch, texts=["why"], items=["fraud"], yes=False)
    tab.batch.trigger(_action(tab, "Put on hold…"))
    assert answers.questions == ["Put 3 order(s) on fraud hold?"]
    assert all(not hs for hs in active_holds(_ids(A, B, C)).values())
