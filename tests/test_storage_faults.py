"""Issue 11 #7 and #8: a full disk is not a damaged database; a read-only data folder still serves reads.

Each fault runs twice where it can: on a real small tmpfs / read-only bind mount (skipped where mounting is
not permitted) and as an injected OSError / SQLite error code (always).
"""

from __future__ import annotations

import errno
import io
import logging
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from fbm_desk.cli import main
from fbm_desk.db import connection, errors
from fbm_desk.db.connection import LATEST_VERSION, open_database
from fbm_desk.db.errors import StorageProblem, classify
from fbm_desk.foundation import logging_setup
from fbm_desk.foundation.errors import DatabaseError
from fbm_desk.foundation.paths import AppPaths

pytestmark = pytest.mark.sqlite_only  # the SQLite file itself (a workspace: tests/test_workspace_schema.py)

DAMAGED = "is damaged"
FULL = "disk is full"


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs (root only)."""
    mnt = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)):
        pytest.skip("mounting a tmpfs is not permitted here")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(disk: Path) -> Path:
    filler = disk / "filler"

    def write_until_full() -> None:
        with filler.open("wb") as fh:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()

    with pytest.raises(OSError, match="No space left") as info:
        write_until_full()
    assert info.value.errno == errno.ENOSPC
    return filler


def _cli(capsys: pytest.CaptureFixture[str], data: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    import sys

    old = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    try:
        code = main(["--data-dir", str(data), *args])
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    return code, out, err


def test_a_full_disk_is_reported_as_full_and_the_file_is_fine_afterwards(
    small_disk: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "memory")
    data = small_disk / "data"
    assert _cli(capsys, data, "orders", "list", "--json")[0] == 0  # creates the database
    filler = _fill(small_disk)

    code, _, err = _cli(capsys, data, "orders", "list", "--json")
    assert code == 1
    assert FULL in err
    assert DAMAGED not in err
    assert "restore a backup" not in err
    assert "internal error" not in err
    with pytest.raises(DatabaseError, match=FULL):
        open_database(data / "fbm-desk.sqlite3")

    filler.unlink()  # space freed: the same file opens and passes its integrity check
    opened = open_database(data / "fbm-desk.sqlite3")
    try:
        assert opened.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"  # type: ignore[no-untyped-call]
    finally:
        opened.close()


def test_an_io_error_on_a_disk_without_space_is_the_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    io_error = sqlite3.OperationalError("disk I/O error")
    io_error.sqlite_errorcode = sqlite3.SQLITE_IOERR_SHMSIZE  # type: ignore[attr-defined]
    assert classify(io_error, tmp_path) is StorageProblem.IO_ERROR  # space left: a real I/O error
    monkeypatch.setattr(errors.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(10**9, 10**9, 0))
    assert classify(io_error, tmp_path) is StorageProblem.DISK_FULL


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        (errno.ENOSPC, StorageProblem.DISK_FULL),
        (errno.EROFS, StorageProblem.READ_ONLY),
        (errno.EACCES, StorageProblem.READ_ONLY),
        (errno.EIO, StorageProblem.IO_ERROR),
    ],
)
def test_os_errors_on_storage_paths_are_classified_by_errno(code: int, problem: StorageProblem) -> None:
    def rewrapped() -> None:
        try:
            raise OSError(code, "injected")
        except OSError:
            raise RuntimeError("while writing") from None

    with pytest.raises(RuntimeError) as info:
        rewrapped()
    assert classify(info.value) is None  # "from None" cut the chain: not a storage error
    assert classify(OSError(code, "injected")) is problem


def test_a_full_disk_during_the_backup_before_migrating_says_so(
    app_paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(app_paths.db_file).close()
    with sqlite3.connect(app_paths.db_file) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION - 1}")  # an older file: backed up, then migrated

    def backup(*_: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(connection, "_backup", backup)
    with pytest.raises(DatabaseError, match=FULL) as info:
        open_database(app_paths.db_file)
    assert DAMAGED not in info.value.user_message


def test_a_log_file_that_cannot_be_written_is_noted_once_not_a_traceback_per_line(
    app_paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert logging_setup.setup_logging(app_paths) == app_paths.log_file
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging_setup._LogFileHandler))

    class FullDisk(io.StringIO):
        def write(self, _: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    handler.setStream(FullDisk()).close()  # type: ignore[arg-type,union-attr]
    for _ in range(3):
        logging.getLogger("fbm_desk.test").warning("a line")
    err = capsys.readouterr().err
    assert err.count("cannot be written") == 1
    assert "Traceback" not in err


def _read_only_checks(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, out, err = _cli(capsys, data, "store", "list", "--json")
    assert (code, out.startswith("[")) == (0, True), err
    assert "read-only" in err  # says what cannot be written
    code, out, err = _cli(capsys, data, "orders", "list", "--json")
    assert code == 0, err
    assert out.strip() == "[]"
    code, out, err = _cli(
        capsys,
        data,
        "store", "add", "--name", "Y", "--marketplace", "US", "--selling-partner-id", "A2SELLERSELLER",
        "--refresh-token-stdin",
        stdin="Atzr|token\n",
    )  # fmt: skip
    assert code == 1
    assert "read-only" in err
    assert "internal error" not in err
    assert "Traceback" not in err
    code, out, err = _cli(capsys, data, "sync", "orders", "--json")
    assert code == 1
    assert "read-only" in err


def _seed(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    code, _, err = _cli(
        capsys,
        data,
        "store", "add", "--name", "X", "--marketplace", "US", "--selling-partner-id", "A1SELLERSELLER",
        "--refresh-token-stdin",
        stdin="Atzr|token\n",
    )  # fmt: skip
    assert code == 0, err


def test_a_read_only_data_folder_serves_read_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "file")
    data = tmp_path / "data"
    _seed(capsys, data)
    monkeypatch.setattr(
        AppPaths, "data_writable", lambda self: False
    )  # as a non-root user without write access
    _read_only_checks(capsys, data)


def test_a_read_only_mounted_data_folder_serves_read_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "file")
    data = tmp_path / "data"
    _seed(capsys, data)
    view = tmp_path / "ro"
    view.mkdir()
    if not _mount("--bind", str(data), str(view)):
        pytest.skip("bind mounts are not permitted here")
    try:
        assert _mount("-o", "remount,bind,ro", str(view))
        _read_only_checks(capsys, view)
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)
