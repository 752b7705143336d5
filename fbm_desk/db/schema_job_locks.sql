-- Issue 11: one job of a store at a time across processes (the app, CLI commands). The row of a store is its
-- lock: claimed in a BEGIN IMMEDIATE transaction, renewed by a heartbeat (lease_until, wall-clock seconds),
-- released when the run ends; a holder whose process is gone or whose lease ran out is taken over.
CREATE TABLE job_lock (
    store_id INTEGER PRIMARY KEY REFERENCES store (id) ON DELETE CASCADE,
    job TEXT NOT NULL,
    owner TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    process_started REAL NOT NULL,
    acquired_at TEXT NOT NULL,
    lease_until REAL NOT NULL
);
