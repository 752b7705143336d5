"""Tab hotkeys for the whole window: Ctrl+1…Ctrl+9 pick a tab, Ctrl+Tab / Ctrl+PgDn the next one and
Ctrl+Shift+Tab / Ctrl+PgUp the previous one — also while a table has the focus (a table keeps Ctrl+Tab for its
own focus chain, so ``QTabWidget``'s built-in handling never sees it; window shortcuts run first)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QWidget


def install_tab_hotkeys(window: QWidget, tabs: QTabWidget) -> list[QShortcut]:
    def step(delta: int) -> None:
        if tabs.count():
            tabs.setCurrentIndex((tabs.currentIndex() + delta) % tabs.count())

    def pick(index: int) -> None:
        if index < tabs.count():
            tabs.setCurrentIndex(index)

    shortcuts: list[QShortcut] = []
    for keys, delta in (("Ctrl+Tab", 1), ("Ctrl+PgDown", 1), ("Ctrl+Shift+Tab", -1), ("Ctrl+PgUp", -1)):
        shortcuts.append(QShortcut(QKeySequence(keys), window, lambda d=delta: step(d)))
    for n in range(min(tabs.count(), 9)):
        shortcuts.append(QShortcut(QKeySequence(f"Ctrl+{n + 1}"), window, lambda i=n: pick(i)))
        tabs.setTabToolTip(n, f"{tabs.tabText(n).replace('&', '')} (Ctrl+{n + 1})")
    return shortcuts
