"""Where FBM Desk keeps its files: data dir (database, backups, fallback secrets), log dir, config.

The data dir comes from ``--data-dir`` / ``FBM_DESK_DATA_DIR`` or the platform default (platformdirs). Logs
live in ``<data dir>/logs`` when a data dir is given explicitly, so one folder holds everything of that
instance; otherwise in the platform log dir.
"""

from __future__ import annotations

import errno
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from fbm_desk import APP_ID

ENV_DATA_DIR = "FBM_DESK_DATA_DIR"
ENV_DATABASE_URL = "FBM_DESK_DATABASE_URL"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    log_dir: Path
    # A shared workspace (``postgresql://...``) from ``--database`` / ``FBM_DESK_DATABASE_URL``; None: the
    # settings' workspace, else the SQLite file in the data dir (``core.workspace_url`` decides).
    database_url: str | None = None

    @property
    def db_file(self) -> Path:
        return self.data_dir / "fbm-desk.sqlite3"

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def settings_file(self) -> Path:
        return self.data_dir / "settings.json"

    @property
    def insecure_secrets_file(self) -> Path:
        return self.data_dir / "secrets-INSECURE.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "fbm-desk.log"

    def data_writable(self) -> bool:
        """False when the data folder is on a read-only disk or not writable for this user (read-only mode:
        read commands work, writes are refused with a clear message)."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.data_dir):
                pass
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                return False
            raise
        return True

    def ensure(self) -> AppPaths:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(
    data_dir: str | os.PathLike[str] | None = None, database_url: str | None = None
) -> AppPaths:
    """Pick the data and log dirs: explicit argument, then ``FBM_DESK_DATA_DIR``, then platform defaults; and the
    shared workspace's URL: explicit argument, then ``FBM_DESK_DATABASE_URL``."""
    url = database_url or os.environ.get(ENV_DATABASE_URL) or None
    chosen = data_dir or os.environ.get(ENV_DATA_DIR)
    if chosen:
        root = Path(chosen).expanduser().resolve()
        return AppPaths(data_dir=root, log_dir=root / "logs", database_url=url)
    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_ID, appauthor=False)),
        log_dir=Path(platformdirs.user_log_dir(APP_ID, appauthor=False)),
        database_url=url,
    )
