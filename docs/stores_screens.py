"""Open the Stores tab (in the main window) or the Add Store dialog on sample data, for screenshots.

    S=../shared/tools/screenshot; RUN=".venv/bin/python docs/stores_screens.py"
    $S docs/screenshots/stores-tab.png -- $RUN tab
    $S docs/screenshots/stores-add-dialog.png -- $RUN dialog
    $S docs/screenshots/stores-add-waiting.png -- $RUN waiting
    $S docs/screenshots/stores-add-connected.png -- $RUN connected

Uses a throw-away data dir and the built-in sandbox; nothing touches real Amazon or your data.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FBM_DESK_CREDENTIALS", "file")


def main(what: str) -> int:
    from PySide6.QtWidgets import QApplication

    from fbm_desk.app import build_tabs
    from fbm_desk.core import build_core
    from fbm_desk.db import stores as store_db
    from fbm_desk.db import sync_runs
    from fbm_desk.domain.stores import StoreOptions, add_store
    from fbm_desk.foundation.paths import AppPaths
    from fbm_desk.sandbox import start_sandbox
    from fbm_desk.ui.add_store_dialog import AddStoreDialog
    from fbm_desk.ui.main_window import MainWindow
    from fbm_desk.ui.services import Services

    app = QApplication(sys.argv[:1])
    sandbox = start_sandbox(order_count=0)
    root = Path(tempfile.mkdtemp(prefix="fbm-desk-shots-"))
    core = build_core(AppPaths(root, root / "logs").ensure(), spapi_config=sandbox.spapi_config())
    services = Services(core=core)
    info = sandbox.info
    if what == "tab":
        seller, token = info.selling_partner_id, info.refresh_token
        pending = StoreOptions(import_pending=True)
        us = add_store(core, name="Maple & Pine US", marketplace="US", selling_partner_id=seller,
                       refresh_token=token, options=pending)  # fmt: skip
        add_store(
            core, name="Maple & Pine CA", marketplace="CA", selling_partner_id=seller, refresh_token=token
        )
        sample = "Atzr|sample-not-a-real-token"
        de = add_store(core, name="Northwind DE", marketplace="DE", selling_partner_id="A3NORTHWIND7Q",
                       refresh_token=sample)  # fmt: skip
        uk = add_store(core, name="Northwind UK", marketplace="UK", selling_partner_id="A3NORTHWIND7Q",
                       refresh_token=sample)  # fmt: skip
        now = datetime.now(UTC)
        store_db.update_store(de.id, token_updated_at=(now - timedelta(days=351)).isoformat())
        store_db.set_status(de.id, "needs_reconnect", "Amazon no longer accepts this store's authorization")
        store_db.set_status(uk.id, "disabled", "Disabled by the user: not synced.")
        for job, minutes, status in (("orders", 7, "ok"), ("products", 21, "ok"), ("inventory", 3, "ok"),
                                     ("shipments", 12, "failed")):  # fmt: skip
            run = sync_runs.start_run(
                us.id, job, "schedule", started_at=(now - timedelta(minutes=minutes)).isoformat()
            )
            sync_runs.finish_run(run, status)
        window = MainWindow(services, build_tabs(services))
        window.resize(1400, 820)
        window.show()
        tab = window.tabs.widget(0)
        tab.select_store(us.id)  # type: ignore[attr-defined]
    else:
        dialog = AddStoreDialog(core, open_url=lambda _url: True)
        dialog.show()
        if what in ("waiting", "connected"):
            dialog.name_edit.setText("Maple & Pine US")
            dialog.marketplace_combo.setCurrentIndex(dialog.marketplace_combo.findData("US"))
            dialog.pending_check.setChecked(True)
            dialog.on_connect_clicked()
        if what == "connected":
            import threading

            from tests.support.oauth_browser import consent_redirect, follow

            url = dialog.url_edit.text()
            threading.Thread(target=lambda: follow(consent_redirect(url)), daemon=True).start()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "tab"))
