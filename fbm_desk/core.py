"""Qt-free services shared by the CLI and the GUI: paths, database, settings, credentials, Amazon access.

``build_core`` is called once per process (by ``fbm_desk.app`` for the GUI, by ``fbm_desk.cli`` for headless
commands). Nothing here imports Qt.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.db import OpenedDatabase, open_database, open_postgres
from fbm_desk.db.change_feed import install_notify_triggers
from fbm_desk.db.migration_progress import MigrationProgress
from fbm_desk.db.privacy import WorkspaceStatus, attach_workspace, workspace_row
from fbm_desk.db.rows import StoreRow
from fbm_desk.db.stations import host_name, set_actor
from fbm_desk.db.stores import flag_keyring_secrets_insecure
from fbm_desk.db.sync_runs import mark_interrupted_runs
from fbm_desk.db.workspace_secrets import WorkspaceCredentials
from fbm_desk.foundation.app_secret import amazon_settings, move_client_secret
from fbm_desk.foundation.credentials import Credentials, open_credentials
from fbm_desk.foundation.errors import Action, FbmError
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.foundation.private_files import restrict_data_folder
from fbm_desk.foundation.settings import Settings, load_settings
from fbm_desk.foundation.workspace_settings import with_password

if TYPE_CHECKING:
    from fbm_desk.amazon.client import SpApiClient
    from fbm_desk.amazon.connection import StoreConnection
    from fbm_desk.amazon.ratelimit import RateLimiter

log = logging.getLogger(__name__)


@dataclass
class CoreServices:
    paths: AppPaths
    db: OpenedDatabase
    settings: Settings
    credentials: Credentials
    spapi_config: SpApiConfig
    workspace: WorkspaceStatus | None = None  # the buyer-data key of this database (db/privacy.py)
    _limiter: RateLimiter | None = field(default=None, repr=False)
    _limiter_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _connections: dict[int, StoreConnection] = field(default_factory=dict, repr=False)
    _connections_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set_consent_beta(self, draft: bool) -> None:
        """The visible "app is a Draft" setting: persisted in settings.json (``amazon.consent_beta``) and used
        by the next consent URL."""
        amazon = self.settings.amazon
        amazon["consent_beta"] = draft
        self.settings.set("amazon", amazon)
        self.spapi_config = replace(self.spapi_config, consent_beta=draft)

    @property
    def limiter(self) -> RateLimiter:
        """One rate limiter per process, shared by every client; its buckets live in the ``rate_bucket`` table,
        shared with every other process of the same database (each token taken atomically there)."""
        with self._limiter_lock:
            if self._limiter is None:
                from fbm_desk.amazon.ratelimit import RateLimiter
                from fbm_desk.db.rate_buckets import DbBucketStore

                self._limiter = RateLimiter(speedup=self.spapi_config.speedup, shared=DbBucketStore())
            return self._limiter

    def client_for(self, store: StoreRow, cancel: threading.Event | None = None) -> SpApiClient:
        """An SP-API client for one run of one store: its own ``cancel`` and counters (``client.stats``),
        on the store's connection (session + access token), which lives until ``close()``.

        The refresh token is read from the credentials layer on every call: a store reconnected since (new
        token) or disconnected (none) gets its old connection closed, never reused.
        """
        from fbm_desk.amazon.client import SpApiClient

        token = self.credentials.get_refresh_token(store.id)
        if not token:
            self.forget_store(store.id)
            raise FbmError(
                f"Store '{store.name}' has no Amazon authorization on this computer. Reconnect the store.",
                action=Action.RECONNECT,
            )
        if not self.spapi_config.has_app_credentials:
            raise FbmError(
                "Amazon app credentials are missing: set FBM_DESK_LWA_CLIENT_ID and FBM_DESK_LWA_CLIENT_SECRET "
                "(or the 'amazon' section of settings.json), or run the demo.",
                action=Action.FIX_INPUT,
            )
        return SpApiClient(
            self.spapi_config,
            connection=self._connection(store.id, token),
            selling_partner_id=store.selling_partner_id,
            region=store.region,
            limiter=self.limiter,
            cancel=cancel,
        )

    def _connection(self, store_id: int, refresh_token: str) -> StoreConnection:
        from fbm_desk.amazon.connection import StoreConnection

        with self._connections_lock:
            current = self._connections.get(store_id)
            if current is not None and current.uses(self.spapi_config, refresh_token):
                return current
            if current is not None:
                log.info("Store %s: authorization changed, opening a new Amazon connection", store_id)
                current.close()
            fresh = self._connections[store_id] = StoreConnection(self.spapi_config, refresh_token)
            return fresh

    def forget_store(self, store_id: int) -> None:
        """Close the store's Amazon connection (store removed or disconnected); the next run opens a new one."""
        with self._connections_lock:
            connection = self._connections.pop(store_id, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Close every store's Amazon connection, then the database."""
        with self._connections_lock:
            connections = list(self._connections.values())
            self._connections.clear()
        for connection in connections:
            connection.close()
        self.db.close()


def workspace_url(paths: AppPaths, settings: Settings) -> str | None:
    """The shared workspace this station uses: ``--database`` / ``FBM_DESK_DATABASE_URL``, else Settings →
    Workspace ("Shared server"); None: this computer's SQLite file."""
    if paths.database_url:
        return paths.database_url
    workspace = settings.get("workspace")
    if isinstance(workspace, dict) and workspace.get("mode") == "shared" and workspace.get("url"):
        return str(workspace["url"])
    return None


def station_name(settings: Settings) -> str:
    """This station's name (Settings → Workspace), by default the computer's host name."""
    workspace = settings.get("workspace")
    name = workspace.get("station") if isinstance(workspace, dict) else None
    return str(name).strip() if isinstance(name, str) and name.strip() else host_name()


def build_core(
    paths: AppPaths, *, spapi_config: SpApiConfig | None = None, read_only: bool = False
) -> CoreServices:
    """Open everything the app needs below the UI. Raises ``DatabaseError`` for an unusable database.

    ``read_only`` (a read-only data folder): the database is opened for reading only and the fix-up of runs
    interrupted by a stopped process is left for a writable start.
    """
    if not read_only:
        paths.ensure()
        restrict_data_folder(paths.data_dir, private_files(paths), (paths.backup_dir, paths.log_dir))
    settings = load_settings(paths.settings_file)
    set_actor(station_name(settings))  # who did it: recorded with packages, stock changes and events
    credentials = open_credentials(paths.data_dir, settings.instance_id)
    url = workspace_url(paths, settings)
    if url and not paths.database_url:  # Settings → Workspace: its password is in the credentials layer
        url = with_password(url, credentials.get_workspace_password())
    if url:
        db = open_postgres(url)
        if not read_only:
            install_notify_triggers(url)  # live screens: other stations hear of this station's changes
    else:
        db = open_database(paths.db_file, backup_dir=paths.backup_dir, read_only=read_only)
    interrupted = 0 if read_only else mark_interrupted_runs()
    if interrupted:
        log.warning("%d sync run(s) were interrupted by a stopped process; marked failed", interrupted)
    if url:  # tokens sealed in the workspace with its key, which this station keeps in its keyring
        credentials = WorkspaceCredentials(credentials)
    if credentials.unencrypted_keyring and not read_only and flag_keyring_secrets_insecure():
        log.warning("Stores with tokens in the unencrypted keyring are now flagged INSECURE")
    try:
        workspace = attach_workspace(credentials, backup_dir=paths.backup_dir, read_only=read_only)
        if not read_only:
            move_client_secret(settings, credentials)
    except BaseException:
        db.close()
        raise
    if not read_only:  # the files the first open created or rewrote (WAL, backups) are private too
        restrict_data_folder(paths.data_dir, private_files(paths), (paths.backup_dir, paths.log_dir))
    config = spapi_config or SpApiConfig.from_env(amazon_settings(settings, credentials))
    return CoreServices(
        paths=paths,
        db=db,
        settings=settings,
        credentials=credentials,
        spapi_config=config,
        workspace=workspace,
    )


def encrypt_if_older(paths: AppPaths, progress: MigrationProgress) -> None:
    """A file older than the encryption of buyer data (no workspace row yet) has it sealed now: on the thread that
    migrated it, while the upgrade window shows (minutes at a million orders, with every backup rewritten), not
    in ``build_core`` before any window exists. ``build_core`` then finds the workspace and its key."""
    if workspace_row() is not None:
        return
    progress.encrypting()
    settings = load_settings(paths.settings_file)
    attach_workspace(open_credentials(paths.data_dir, settings.instance_id), backup_dir=paths.backup_dir)


def private_files(paths: AppPaths) -> tuple[Path, ...]:
    """The files of the data folder that hold data of this installation (mode 0600)."""
    return (paths.db_file, paths.settings_file, paths.insecure_secrets_file)
