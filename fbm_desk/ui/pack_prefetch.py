"""The pack dialog's modules, imported while the window is idle instead of when the first order is opened.

Importing them took ~20–30 ms (from bytecode; ~0.1 s compiling from source) on the window's thread, inside the
first "Pack…" of a session. A moment after start-up they are imported one group per event-loop pass, each a
few milliseconds, so input and painting go on between them. The list is only the order of the groups: a
module missing from it is imported with the dialog's own module, the last one.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import QTimer

PREFETCH_MS = 1500  # after start-up, once the window is painted and idle
PACK_DIALOG_MODULES = (
    "fbm_desk.domain.packing",
    "fbm_desk.domain.buy_shipping",
    "fbm_desk.ui.buy_label_dialog",
    "fbm_desk.ui.pack_shipping",
    "fbm_desk.ui.pack_side",
    "fbm_desk.ui.pack_scanning",
    "fbm_desk.ui.pack_dialog",
)


def prefetch_pack_dialog(modules: tuple[str, ...] = PACK_DIALOG_MODULES) -> None:
    """Import ``modules[0]`` now and the others in later passes of the event loop."""
    if not modules:
        return
    importlib.import_module(modules[0])
    if len(modules) > 1:
        QTimer.singleShot(0, lambda: prefetch_pack_dialog(modules[1:]))
