"""File modes of the data folder (issue 14): the folders 0700, every file of ours 0600.

Applied on every writable start: the process umask becomes 077 (files SQLite, the log and backups create from
now on are private), and what exists already (a database made by an older version with 0644, its WAL and
shared-memory files, backups, logs, settings, the insecure secrets file) is narrowed. On Windows modes mean little; the user profile
folder protects the data there.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
DIR_MODE = 0o700
FILE_MODE = 0o600


def _narrow(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            path.chmod(mode)
    except OSError as exc:  # not ours, or vanished meanwhile: report, never fail the start
        log.warning("Could not restrict %s to mode %o: %s", path, mode, exc.strerror)


def restrict_data_folder(data_dir: Path, files: tuple[Path, ...], folders: tuple[Path, ...]) -> None:
    """umask 077, then 0700 for ``data_dir`` and ``folders``, 0600 for ``files`` (with a database's ``-wal`` and
    ``-shm``) and for every file directly inside ``folders`` (backups, logs). Nothing else of the folder is
    touched: a data folder chosen with ``--data-dir`` may hold the user's own files."""
    os.umask(0o077)
    for folder in (data_dir, *folders):
        if folder.is_dir():
            _narrow(folder, DIR_MODE)
    for file in files:
        for path in (file, file.with_name(file.name + "-wal"), file.with_name(file.name + "-shm")):
            if path.is_file():
                _narrow(path, FILE_MODE)
    for folder in folders:
        if folder.is_dir():
            for path in folder.iterdir():
                if path.is_file():
                    _narrow(path, FILE_MODE)
