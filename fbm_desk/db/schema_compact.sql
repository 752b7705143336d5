-- Storage at a million orders, continued (issue 19; bench/bench_storage.py prints each table and index).

-- SQLite: the blind name index keeps only its clustered (token, order_id) key. Its second index, by order
-- (141 B/order at 200,000 orders, as much as the table itself), served only the deletes of an order's tokens;
-- those now go by key: a name change deletes the tokens of the old names (fbm_desk.db.name_index); the
-- retention purge and a store's removal delete the tokens of all their orders in one statement. Without that index, a foreign key to orders would scan the whole table for every order deleted,
-- so the SQLite table keeps none (the code above deletes the tokens first). PostgreSQL keeps both.
/*sqlite*/CREATE TABLE buyer_name_token_keyed (
    token INTEGER NOT NULL,
    order_id INTEGER NOT NULL,
    PRIMARY KEY (token, order_id)
) WITHOUT ROWID;
/*sqlite*/INSERT INTO buyer_name_token_keyed (token, order_id) SELECT token, order_id FROM buyer_name_token;
/*sqlite*/DROP TABLE buyer_name_token;
/*sqlite*/ALTER TABLE buyer_name_token_keyed RENAME TO buyer_name_token;

-- Two indexes that an earlier step made redundant (each query below still reads an index: tests/test_storage_compact.py):
-- order_item (order_id, product_id, quantity, quantity_shipped), schema_v5: covered computing the allocation from
-- the open orders' items; since schema_stock_allocation.sql the allocation is kept in stock_allocation by
-- triggers, and an order's items are found by the UNIQUE (order_id, order_item_id) (31 B/order at 200,000).
DROP INDEX order_item_allocation;
-- package (order_id, push_state), schema_v3: an order's packages (fewer than one per order) are found by the UNIQUE
-- (order_id, package_reference_id), its unconfirmed ones by package_push_state (push_state, order_id) (21 B/order).
DROP INDEX package_order_state;

-- SQLite: the timeline's times as whole seconds since 1970, UTC (4 bytes) instead of 20 bytes of ISO text
-- (44 B/order at 200,000 orders). Only a value that is exactly a second-precision UTC time ("...T...Z": it reads
-- back as the same text) is converted; any other stays as written. The triggers convert every new row, so each
-- writer keeps writing ISO text; readers get ISO text back (fbm_desk.db.stored_times). The table is rebuilt,
-- not updated in place: shrunk rows would leave their pages as many as before. PostgreSQL keeps text.
/*sqlite*/CREATE TABLE order_event_compact (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    station TEXT NOT NULL DEFAULT '' CHECK (length(station) <= 100),
    os_user TEXT NOT NULL DEFAULT '' CHECK (length(os_user) <= 100)
);
/*sqlite*/INSERT INTO order_event_compact (id, order_id, at, kind, message, station, os_user)
SELECT id, order_id,
    CASE WHEN strftime('%Y-%m-%dT%H:%M:%SZ', at) = at THEN CAST(strftime('%s', at) AS INTEGER) ELSE at END,
    kind, message, station, os_user
FROM order_event ORDER BY id;
/*sqlite*/DROP TABLE order_event;
/*sqlite*/ALTER TABLE order_event_compact RENAME TO order_event;
/*sqlite*/CREATE INDEX order_event_order ON order_event (order_id);
/*sqlite*/CREATE TRIGGER order_event_at_seconds_insert AFTER INSERT ON order_event
WHEN typeof(NEW.at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.at) = NEW.at BEGIN
    UPDATE order_event SET at = CAST(strftime('%s', NEW.at) AS INTEGER) WHERE id = NEW.id;
END;
/*sqlite*/CREATE TRIGGER order_event_at_seconds_update AFTER UPDATE OF at ON order_event
WHEN typeof(NEW.at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.at) = NEW.at BEGIN
    UPDATE order_event SET at = CAST(strftime('%s', NEW.at) AS INTEGER) WHERE id = NEW.id;
END;

-- SQLite: the stock history's times the same way (a row per shipped order line: 22 B/order at 200,000 orders).
/*sqlite*/CREATE TABLE inventory_adjustment_compact (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    warehouse_id INTEGER NOT NULL REFERENCES warehouse (id) ON DELETE CASCADE,
    delta INTEGER NOT NULL,
    on_hand_after INTEGER NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'user',
    created_at INTEGER NOT NULL,
    station TEXT NOT NULL DEFAULT '' CHECK (length(station) <= 100),
    os_user TEXT NOT NULL DEFAULT '' CHECK (length(os_user) <= 100)
);
/*sqlite*/INSERT INTO inventory_adjustment_compact (id, product_id, warehouse_id, delta, on_hand_after, reason,
    source, created_at, station, os_user)
SELECT id, product_id, warehouse_id, delta, on_hand_after, reason, source,
    CASE WHEN strftime('%Y-%m-%dT%H:%M:%SZ', created_at) = created_at
        THEN CAST(strftime('%s', created_at) AS INTEGER) ELSE created_at END,
    station, os_user
FROM inventory_adjustment ORDER BY id;
/*sqlite*/DROP TABLE inventory_adjustment;
/*sqlite*/ALTER TABLE inventory_adjustment_compact RENAME TO inventory_adjustment;
/*sqlite*/CREATE TRIGGER inventory_adjustment_created_at_seconds_insert AFTER INSERT ON inventory_adjustment
WHEN typeof(NEW.created_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.created_at) = NEW.created_at BEGIN
    UPDATE inventory_adjustment SET created_at = CAST(strftime('%s', NEW.created_at) AS INTEGER) WHERE id = NEW.id;
END;
/*sqlite*/CREATE TRIGGER inventory_adjustment_created_at_seconds_update AFTER UPDATE OF created_at ON inventory_adjustment
WHEN typeof(NEW.created_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.created_at) = NEW.created_at BEGIN
    UPDATE inventory_adjustment SET created_at = CAST(strftime('%s', NEW.created_at) AS INTEGER) WHERE id = NEW.id;
END;
