"""Two packing stations (two GUI processes, two station names) on one shared workspace, side by side.

    S=../shared/tools/screenshot
    $S -w 40 -s 2400x1000 /tmp/two-stations.png -- .venv/bin/python docs/station_screens.py
    convert /tmp/two-stations.png -crop 1200x980+0+0 +repage docs/screenshots/station-a.png
    convert /tmp/two-stations.png -crop 1200x980+1200+0 +repage docs/screenshots/station-b.png
    $S -w 12 -s 800x600 docs/screenshots/workspace-settings.png -- .venv/bin/python docs/station_screens.py workspace-dialog

Starts a throw-away PostgreSQL server (``tests/support/pg_server.py``), fills a workspace with demo orders, then
opens the real main window twice: station PACK-A on the left, PACK-B on the right, both with the same order
selected. A few seconds later PACK-B records a package for it (the pack dialog's write path); PACK-A's window
shows it by itself (LISTEN/NOTIFY), with "packed on PACK-B". Nothing touches Amazon or your data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("FBM_DESK_CREDENTIALS", "memory")

WIDTH, HEIGHT = 1200, 1000
SAVE_AFTER_MS = 5000
LIFETIME_MS = 60000


def _tabs_not_yet_on_postgres() -> None:
    """A tab whose queries are still being ported to PostgreSQL (Products, Rules at the time of writing) shows a
    note instead of stopping the window; the Orders tab these screenshots show is the real one."""
    from PySide6.QtWidgets import QLabel

    from fbm_desk import app as app_module

    for name in ("_stores_tab", "_products_tab", "_inventory_tab", "_rules_tab"):
        factory = getattr(app_module, name)

        def safe(services: object, factory: object = factory) -> object:
            try:
                return factory(services)  # type: ignore[operator]
            except Exception as exc:
                return QLabel(f"Not yet on PostgreSQL: {type(exc).__name__}")

        setattr(app_module, name, safe)


def window(name: str, url: str, data: str, order_id: int, x: int, save: bool) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QSplitter

    from fbm_desk.app import build_main_window, build_services
    from fbm_desk.db.orders import get_order_detail
    from fbm_desk.domain.packing import record_package
    from fbm_desk.foundation.paths import AppPaths
    from fbm_desk.foundation.settings import load_settings
    from fbm_desk.ui.orders_tab import OrdersTab

    app = QApplication(sys.argv[:1])
    _tabs_not_yet_on_postgres()
    load_settings(Path(data) / "settings.json").set("workspace", {"mode": "local", "station": name})
    services = build_services(AppPaths(Path(data), Path(data) / "logs", database_url=url).ensure())
    main = build_main_window(services)
    main.setWindowTitle(f"FBM Desk — station {name}")
    main.setGeometry(x, 0, WIDTH, HEIGHT - 20)
    main.tabs.setCurrentIndex(main.tab_titles().index("Orders"))
    main.show()
    assert services.live is not None
    services.live.start()
    tab = main.tabs.currentWidget()
    assert isinstance(tab, OrdersTab)
    splitter = tab.findChild(QSplitter)
    if splitter is not None:
        splitter.setSizes([330, HEIGHT - 420])
    tab.select_order(order_id)
    main.show_status(f"Station {name} · shared workspace")

    def pack() -> None:
        amazon_id = get_order_detail(order_id).order.amazon_order_id
        record_package(services.core, amazon_id, "UPS", "1Z999AA10123456784")
        tab.refresh()
        main.show_status(f"Station {name}: package saved for order {amazon_id}")

    if save:
        QTimer.singleShot(SAVE_AFTER_MS, pack)
    QTimer.singleShot(LIFETIME_MS, app.quit)
    try:
        return app.exec()
    finally:
        services.close()


def stations() -> int:
    from fbm_desk.db import open_postgres
    from tests.support.demo_data import generate
    from tests.support.pg_server import start_server

    server = start_server()
    children: list[subprocess.Popen[bytes]] = []

    def stop(*_args: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait(timeout=30)
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        url = server.create_database(prefix="stations")
        opened = open_postgres(url)
        generate(opened.db, orders=400, seed=2026)
        row = opened.db.execute_sql(
            "SELECT o.id FROM orders o WHERE o.state = 'released' AND o.needs_mapping = 0 AND o.cancel_requested = 0 "
            "AND (SELECT count(*) FROM order_item i WHERE i.order_id = o.id) = 2 ORDER BY o.id LIMIT 1"
        ).fetchone()
        opened.close()
        root = Path(tempfile.mkdtemp(prefix="fbm-desk-stations-"))
        for name, x, save in (("PACK-A", 0, "0"), ("PACK-B", WIDTH, "1")):
            data = root / name
            data.mkdir()
            argv = [sys.executable, __file__, "window", name, url, str(data), str(row[0]), str(x), save]
            children.append(subprocess.Popen(argv))
            time.sleep(1.5)  # one at a time on a small machine
        for child in children:
            child.wait()
    finally:
        stop()
    return 0


def workspace_dialog() -> int:
    """Settings → Workspace filled in for a shared server, after a failed Test connection."""
    from PySide6.QtWidgets import QApplication

    from fbm_desk.foundation.credentials import Credentials, MemoryStore
    from fbm_desk.foundation.settings import load_settings
    from fbm_desk.ui.workspace_dialog import WorkspaceDialog

    app = QApplication(sys.argv[:1])
    root = Path(tempfile.mkdtemp(prefix="fbm-desk-shots-"))
    dialog = WorkspaceDialog(load_settings(root / "settings.json"), Credentials(MemoryStore()))
    dialog.station.setText("Packing table 2")
    dialog.shared_radio.setChecked(True)
    dialog.host.setText("warehouse-server")
    dialog.user.setText("fbm_desk")
    dialog.password.setText("not-a-real-password")
    dialog.tls.setCurrentIndex(dialog.tls.findData("verify-full"))
    dialog.ca_file.setText("/etc/fbm-desk/warehouse-ca.crt")
    dialog.move(40, 40)
    dialog.show()
    dialog.test_connection()  # no such host here: shows the message a user gets
    return app.exec()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "workspace-dialog":
        sys.exit(workspace_dialog())
    if len(sys.argv) > 1 and sys.argv[1] == "window":
        name, url, data, order, x, save = sys.argv[2:8]
        sys.exit(window(name, url, data, int(order), int(x), save == "1"))
    sys.exit(stations())
