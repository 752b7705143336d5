-- Automation rules and order holds (issue 15).
-- A rule's conditions and actions are stored as JSON text validated by fbm_desk.db.rule_engine on the one
-- write path (fbm_desk.db.rules): they are always read and written whole with their rule, never queried one
-- by one in SQL, and the import replaces the list in one transaction.
CREATE TABLE rule (
    id INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    name TEXT NOT NULL UNIQUE,
    enabled INTEGER NOT NULL DEFAULT 1,
    conditions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(conditions)),
    actions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(actions)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Which rule fired on which order: at most once per (rule, order).
-- WITHOUT ROWID, keyed by order first: one b-tree, read by order (a page's orders, the detail panel).
CREATE TABLE rule_firing (
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    rule_id INTEGER NOT NULL REFERENCES rule (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    PRIMARY KEY (order_id, rule_id)
) WITHOUT ROWID;
CREATE INDEX rule_firing_rule ON rule_firing (rule_id);

CREATE TABLE order_tag (
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (order_id, tag)
) WITHOUT ROWID;

-- Packing notes (a rule's add_note), shown in the pack dialog.
CREATE TABLE order_note (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL
);
CREATE INDEX order_note_order ON order_note (order_id);

-- Holds set here (operator, address, fraud; optionally until a date). Amazon's payment hold stays
-- orders.payment_hold. Active = released_at IS NULL and (until_at IS NULL or until_at > now).
CREATE TABLE order_hold (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('operator', 'address', 'fraud')),
    until_at TEXT,
    reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    released_at TEXT,
    released_by TEXT NOT NULL DEFAULT '',
    release_reason TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX order_hold_open ON order_hold (order_id, kind) WHERE released_at IS NULL;

ALTER TABLE orders ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'
    CHECK (priority IN ('low', 'normal', 'high', 'urgent'));
ALTER TABLE orders ADD COLUMN default_carrier TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN default_method TEXT NOT NULL DEFAULT '';
