-- Storage at a million orders (issue 19): every index below was checked against the queries that read it
-- (EXPLAIN QUERY PLAN of the Orders tab, the sync, the CLI; tests/test_storage_schema.py); bench/bench_storage.py
-- prints what each table and index costs per order.

-- Indexes that no query needs: each is a prefix of another index that serves the same lookups, or indexes a
-- column no query filters or sorts by alone.
-- (order_id): the package UNIQUE (order_id, package_reference_id) serves it
DROP INDEX package_order;
-- (package_id): the package_item UNIQUE (package_id, order_item_id) serves it
DROP INDEX package_item_package;
-- no query filters or sorts by amazon_updated_at; by store: UNIQUE (store_id, ...)
DROP INDEX orders_store_updated;
-- the Ship-to sort reads orders_ship_country_city; nothing filters by city alone
DROP INDEX orders_ship_city;
-- SKU search uses order_item_sku_nocase; unmapped items go by product_id IS NULL
DROP INDEX order_item_sku;
-- tracking search uses package_tracking_nocase; nothing looks a number up exactly
DROP INDEX package_tracking;

-- An order's timeline is read by order (a handful of rows, sorted after): the event time in the index was
-- 20 bytes per event for nothing.
DROP INDEX order_event_order;
CREATE INDEX order_event_order ON order_event (order_id);

-- The blind name index clustered by token (WITHOUT ROWID: no rowid and no second copy of each row in a
-- (token, order_id) index), with 47-bit tokens (6 bytes in SQLite's record instead of 8): the old 63-bit token
-- shifted right by 16 is exactly the new token of the same word prefix (fbm_desk.foundation.workspace_key).
CREATE TABLE buyer_name_token_compact (
    token INTEGER NOT NULL,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    PRIMARY KEY (token, order_id)
) WITHOUT ROWID;
INSERT INTO buyer_name_token_compact (token, order_id) SELECT DISTINCT token >> 16, order_id FROM buyer_name_token;
DROP TABLE buyer_name_token;
ALTER TABLE buyer_name_token_compact RENAME TO buyer_name_token;
CREATE INDEX buyer_name_token_order ON buyer_name_token (order_id);
