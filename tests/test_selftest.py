"""``fbm-desk --self-test``: the smoke test of an installation (also run inside the built bundle).

The end-to-end tests run the real command in a subprocess (it creates a QApplication and configures logging,
which must not leak into the test process) against the built-in sandbox on loopback.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import fbm_desk
from fbm_desk.db import LATEST_VERSION
from fbm_desk.foundation.errors import FbmError
from fbm_desk.selftest import (
    SelfTestFailed,
    StepProgress,
    check_keyring_backends,
    check_modules,
    check_qt,
    check_triggers,
    check_version,
    run_self_test,
)
from fbm_desk.sync.schedule import SCHEDULE

OK_LINE = re.compile(
    r"^self-test ok: fbm-desk (?P<version>\S+) \(source\), (?P<modules>\d+) modules, qt offscreen ok, "
    r"(?P<triggers>\d+) triggers ok, db schema (?P<schema>\d+), secrets (?P<secrets>\w+), sandbox ok, "
    r"orders sync fetched (?P<fetched>\d+) created (?P<created>\d+) in \d+\.\d\d s, "
    r"main window (?P<tabs>\d+) tabs ok$"
)


def _run_self_test(env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fbm_desk", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def isolated_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a user whose real data dir, config and temp folder the self-test must not touch."""
    env = dict(os.environ)
    env["TMPDIR"] = str(tmp_path / "tmp")
    env["FBM_DESK_DATA_DIR"] = str(tmp_path / "user-data")
    env["FBM_DESK_CREDENTIALS"] = "file"  # the flagged fallback: never the developer's real keyring
    env["QT_QPA_PLATFORM"] = "offscreen"
    (tmp_path / "tmp").mkdir()
    return env


@pytest.mark.e2e
def test_self_test_passes_and_leaves_nothing_behind(isolated_env: dict[str, str], tmp_path: Path) -> None:
    proc = _run_self_test(isolated_env)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout
    match = OK_LINE.match(lines[0])
    assert match, lines[0]
    assert int(match["schema"]) == LATEST_VERSION
    assert match["secrets"] == "insecure_fallback"
    assert int(match["triggers"]) == 2 * len(SCHEDULE)
    assert int(match["fetched"]) > 0
    assert int(match["created"]) > 0
    assert int(match["tabs"]) >= 4
    # The user's data dir was never created and the temporary folder was removed.
    assert not (tmp_path / "user-data").exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_self_test_failure_is_one_line_with_exit_code_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))  # no temporary folder can be made inside a file

    code = run_self_test(argparse.Namespace(verbose=False))

    assert code == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("self-test FAILED: data folder: cannot create a temporary folder")


def test_version_comes_from_the_package_metadata() -> None:
    assert check_version() == fbm_desk.__version__


def test_every_package_module_imports() -> None:
    assert check_modules() > 20


def test_every_schedule_trigger_is_built_as_an_instance() -> None:
    assert check_triggers() == 2 * len(SCHEDULE)


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux keyring backend")
def test_the_system_keyring_backend_is_installed() -> None:
    assert check_keyring_backends() == "SecretService"


def test_qt_check_runs_offscreen_and_finds_the_icon(qapp: object) -> None:
    assert check_qt() == "offscreen"


def test_known_errors_keep_their_user_message_and_bugs_name_their_type() -> None:
    progress = StepProgress()
    with pytest.raises(SelfTestFailed) as known, progress.step_of("orders sync"):
        raise FbmError("Amazon is not answering. Try again later.")
    assert str(known.value) == "orders sync: Amazon is not answering. Try again later."

    with pytest.raises(SelfTestFailed) as bug, progress.step_of("database"):
        raise KeyError("store_id")
    assert str(bug.value) == "database: KeyError: 'store_id'"
    assert progress.step == "database"
