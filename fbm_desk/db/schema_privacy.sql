-- Buyer data protection (issue 14). The buyer's name, the ship-to name, company, street lines, phone, the
-- extended street fields and delivery instructions are stored encrypted per field (fbm_desk/db/pii.py); this
-- step adds what that needs. Existing plain values are encrypted on the first open that has the key
-- (fbm_desk/db/privacy.py), in one transaction.

-- The workspace this database is: a random id naming its key in the credentials layer, and a check value of
-- that key (never the key itself). One row, written on the first open.
CREATE TABLE workspace (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    workspace_id TEXT NOT NULL,
    key_check TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retention_days INTEGER NOT NULL DEFAULT 30 CHECK (retention_days BETWEEN 1 AND 30)
);

-- Blind index of buyer and ship-to names: one row per (order, keyed hash of a word prefix). Searching by name
-- hashes the typed words with the same key; the table reveals no name without it.
CREATE TABLE buyer_name_token (
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    token INTEGER NOT NULL
);
CREATE INDEX buyer_name_token_token ON buyer_name_token (token, order_id);
CREATE INDEX buyer_name_token_order ON buyer_name_token (order_id);

-- The name indexes indexed ciphertext from now on: useless, and a copy of every name in the old plain form
-- until the next VACUUM. Searching by name uses buyer_name_token instead.
DROP INDEX orders_buyer_name;
DROP INDEX orders_ship_name;

-- Retention: when the buyer data of an order was removed, and after how many days (shown instead of blanks).
ALTER TABLE orders ADD COLUMN pii_purged_at TEXT;
ALTER TABLE orders ADD COLUMN pii_purged_days INTEGER;

-- Who viewed, printed or exported an address: ids only, no buyer data.
CREATE TABLE access_trail (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('view', 'print', 'export')),
    purpose TEXT NOT NULL DEFAULT '',
    order_count INTEGER NOT NULL,
    order_ids TEXT NOT NULL DEFAULT '',
    user_name TEXT NOT NULL,
    station TEXT NOT NULL
);
CREATE INDEX access_trail_at ON access_trail (at);
