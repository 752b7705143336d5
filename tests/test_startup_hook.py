"""``FBM_DESK_EXIT_AFTER_START_MS``: the real app starts to an interactive window, reports, and quits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_app_reports_when_its_window_is_interactive_and_quits(
    tmp_path: Path, database_url: str | None
) -> None:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        FBM_DESK_CREDENTIALS="memory",
        FBM_DESK_EXIT_AFTER_START_MS="50",
        PYTHONPATH=str(ROOT),
    )
    spawned = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "fbm_desk", "--data-dir", str(tmp_path / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    started = next(ln for ln in out.stderr.splitlines() if ln.startswith("fbm-desk startup:"))
    fields = dict(part.split("=", 1) for part in started.split()[2:])
    assert spawned < float(fields["interactive_wall"]) < time.time()
    assert float(fields["rss_mb"]) > 0
    assert any(ln.startswith("fbm-desk exit: peak_rss_mb=") for ln in out.stderr.splitlines())
    assert (tmp_path / "data" / "logs" / "fbm-desk.log").exists()  # it really opened the data dir
    # ... and its database: the SQLite file there, or the suite's workspace (no file here then)
    assert (tmp_path / "data" / "fbm-desk.sqlite3").exists() == (database_url is None)
