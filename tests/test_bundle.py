"""The PyInstaller bundle: scripts/build_bundle.sh builds it and runs the bundle's ``--self-test`` offscreen.

Marked slow: the everyday test command skips it; ``pytest -m slow tests/test_bundle.py`` runs it
(``-m "slow or not slow"`` runs everything). The build takes about 15 s on 2 cores here, plus the self-test.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _only_when_asked_for(request: pytest.FixtureRequest) -> None:
    # With any -m expression pytest has already (de)selected this test by its marker; a plain run skips it.
    if not request.config.getoption("markexpr"):
        pytest.skip("builds the bundle (slow): run with -m slow")


def test_bundle_builds_and_its_self_test_passes_offscreen(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DIST_DIR": str(tmp_path / "dist"),
        "BUILD_DIR": str(tmp_path / "build"),
        "FBM_DESK_CREDENTIALS": "file",  # never the developer's real keyring
        "TMPDIR": str(tmp_path),
    }
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_bundle.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("bundle ok: "), last
    assert "self-test ok: fbm-desk " in last, last
    assert "(bundle)" in last, last
    bundle = tmp_path / "dist" / "fbm-desk"
    assert (bundle / "fbm-desk").is_file()
    assert (bundle / "install_desktop_entry.sh").is_file()
    assert (bundle / "_internal" / "resources" / "spapi-models" / "orders-v0.json").is_file()
