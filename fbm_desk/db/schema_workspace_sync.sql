-- Issue 13 (shared workspace): which station a run belongs to, and store secrets sealed with the workspace key.
-- sync_run.host: the computer that ran it; a run of another station is only marked interrupted when no session
-- holds its store's job lock any more (db.sync_runs.mark_interrupted_runs).
ALTER TABLE sync_run ADD COLUMN host TEXT NOT NULL DEFAULT '';

-- A store's refresh token on a shared workspace: AES-256-GCM with the workspace key (the ``workspace`` table's,
-- schema_privacy.sql) (nonce || ciphertext+tag),
-- the store id bound as associated data. Never plain text; on this computer's SQLite file tokens stay in the
-- keyring and this table stays empty.
CREATE TABLE store_secret (
    store_id INTEGER PRIMARY KEY REFERENCES store (id) ON DELETE CASCADE,
    sealed BLOB NOT NULL,
    updated_at TEXT NOT NULL
);
