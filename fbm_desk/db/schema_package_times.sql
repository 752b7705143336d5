-- Storage at a million orders, continued (issue 19): the package table's four times as whole seconds on SQLite.

-- SQLite: a package's ship date, push answer, creation and last change as whole seconds since 1970, UTC (4 to 6
-- bytes each) instead of 20 bytes of ISO text (57 B/order at 200,000 orders, 0.85 packages each), as schema_compact.sql
-- did for the timeline. Only a value that is exactly a second-precision UTC time ("...T...Z": it reads back as the
-- same text) is converted; any other stays as written. The model's fields (fbm_desk.db.time_fields) write and
-- compare seconds and read ISO text back; the triggers below convert what raw SQL writes as ISO text; raw SQL
-- reads through fbm_desk.db.stored_times. The table is rebuilt (SQLite's 12-step procedure: the migration runs
-- with foreign keys off), not updated in place: shrunk rows would leave their pages as many as before. Its
-- indexes and triggers are created again as they were; package_item's and package_label's foreign keys keep
-- naming "package". The triggers on package_item and order_item read package: renaming the new table while the
-- old one is gone needs legacy_alter_table (a 3.26+ rename checks every trigger and fails on them; the legacy
-- one leaves other tables' SQL alone, which is what this step wants). PostgreSQL keeps text: nothing to do.
/*sqlite*/CREATE TABLE package_seconds (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    package_reference_id INTEGER NOT NULL CHECK (package_reference_id > 0),
    carrier_code TEXT NOT NULL,
    carrier_name TEXT NOT NULL DEFAULT '',
    shipping_method TEXT NOT NULL DEFAULT '',
    tracking_number TEXT NOT NULL,
    ship_date INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'amazon')),
    push_state TEXT NOT NULL DEFAULT 'queued' CHECK (push_state IN ('queued', 'sent', 'confirmed', 'rejected')),
    push_message TEXT NOT NULL DEFAULT '',
    pushed_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    station TEXT NOT NULL DEFAULT '' CHECK (length(station) <= 100),
    os_user TEXT NOT NULL DEFAULT '' CHECK (length(os_user) <= 100),
    UNIQUE (order_id, package_reference_id)
);
/*sqlite*/INSERT INTO package_seconds (id, order_id, package_reference_id, carrier_code, carrier_name, shipping_method,
    tracking_number, ship_date, source, push_state, push_message, pushed_at, created_at, updated_at, station, os_user)
SELECT id, order_id, package_reference_id, carrier_code, carrier_name, shipping_method, tracking_number,
    CASE WHEN typeof(ship_date) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', ship_date) = ship_date
        THEN CAST(strftime('%s', ship_date) AS INTEGER) ELSE ship_date END,
    source, push_state, push_message,
    CASE WHEN typeof(pushed_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', pushed_at) = pushed_at
        THEN CAST(strftime('%s', pushed_at) AS INTEGER) ELSE pushed_at END,
    CASE WHEN typeof(created_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', created_at) = created_at
        THEN CAST(strftime('%s', created_at) AS INTEGER) ELSE created_at END,
    CASE WHEN typeof(updated_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) = updated_at
        THEN CAST(strftime('%s', updated_at) AS INTEGER) ELSE updated_at END,
    station, os_user
FROM package ORDER BY id;
/*sqlite*/DROP TABLE package;
/*sqlite*/PRAGMA legacy_alter_table = ON;
/*sqlite*/ALTER TABLE package_seconds RENAME TO package;
/*sqlite*/PRAGMA legacy_alter_table = OFF;
-- the table's indexes and triggers, as schema_v3.sql and schema_order_list_scale.sql created them
/*sqlite*/CREATE INDEX package_tracking_nocase ON package (tracking_number COLLATE NOCASE);
/*sqlite*/CREATE INDEX package_push_state ON package (push_state, order_id);
/*sqlite*/CREATE TRIGGER orders_push_rank_package_insert AFTER INSERT ON package BEGIN
    UPDATE orders SET push_rank = (
        SELECT min(CASE p.push_state WHEN 'rejected' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END)
        FROM package p WHERE p.order_id = orders.id
    ) WHERE id = NEW.order_id;
END;
/*sqlite*/CREATE TRIGGER orders_push_rank_package_update AFTER UPDATE OF order_id, push_state ON package BEGIN
    UPDATE orders SET push_rank = (
        SELECT min(CASE p.push_state WHEN 'rejected' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END)
        FROM package p WHERE p.order_id = orders.id
    ) WHERE id IN (OLD.order_id, NEW.order_id);
END;
/*sqlite*/CREATE TRIGGER orders_push_rank_package_delete AFTER DELETE ON package BEGIN
    UPDATE orders SET push_rank = (
        SELECT min(CASE p.push_state WHEN 'rejected' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END)
        FROM package p WHERE p.order_id = orders.id
    ) WHERE id = OLD.order_id;
END;
/*sqlite*/CREATE TRIGGER orders_fully_packed_package_insert AFTER INSERT ON package BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (NEW.order_id);
END;
/*sqlite*/CREATE TRIGGER orders_fully_packed_package_update AFTER UPDATE OF order_id, push_state ON package BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (OLD.order_id, NEW.order_id);
END;
/*sqlite*/CREATE TRIGGER orders_fully_packed_package_delete AFTER DELETE ON package BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (OLD.order_id);
END;
-- a time written as second-precision ISO text by raw SQL (a writer that is not the model) becomes its seconds
/*sqlite*/CREATE TRIGGER package_times_seconds_insert AFTER INSERT ON package
WHEN (typeof(NEW.ship_date) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.ship_date) = NEW.ship_date)
    OR (typeof(NEW.pushed_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.pushed_at) = NEW.pushed_at)
    OR (typeof(NEW.created_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.created_at) = NEW.created_at)
    OR (typeof(NEW.updated_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.updated_at) = NEW.updated_at) BEGIN
    UPDATE package SET
        ship_date = CASE WHEN typeof(ship_date) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', ship_date) = ship_date
            THEN CAST(strftime('%s', ship_date) AS INTEGER) ELSE ship_date END,
        pushed_at = CASE WHEN typeof(pushed_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', pushed_at) = pushed_at
            THEN CAST(strftime('%s', pushed_at) AS INTEGER) ELSE pushed_at END,
        created_at = CASE WHEN typeof(created_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', created_at) = created_at
            THEN CAST(strftime('%s', created_at) AS INTEGER) ELSE created_at END,
        updated_at = CASE WHEN typeof(updated_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) = updated_at
            THEN CAST(strftime('%s', updated_at) AS INTEGER) ELSE updated_at END
    WHERE id = NEW.id;
END;
/*sqlite*/CREATE TRIGGER package_times_seconds_update
AFTER UPDATE OF ship_date, pushed_at, created_at, updated_at ON package
WHEN (typeof(NEW.ship_date) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.ship_date) = NEW.ship_date)
    OR (typeof(NEW.pushed_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.pushed_at) = NEW.pushed_at)
    OR (typeof(NEW.created_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.created_at) = NEW.created_at)
    OR (typeof(NEW.updated_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', NEW.updated_at) = NEW.updated_at) BEGIN
    UPDATE package SET
        ship_date = CASE WHEN typeof(ship_date) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', ship_date) = ship_date
            THEN CAST(strftime('%s', ship_date) AS INTEGER) ELSE ship_date END,
        pushed_at = CASE WHEN typeof(pushed_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', pushed_at) = pushed_at
            THEN CAST(strftime('%s', pushed_at) AS INTEGER) ELSE pushed_at END,
        created_at = CASE WHEN typeof(created_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', created_at) = created_at
            THEN CAST(strftime('%s', created_at) AS INTEGER) ELSE created_at END,
        updated_at = CASE WHEN typeof(updated_at) = 'text' AND strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) = updated_at
            THEN CAST(strftime('%s', updated_at) AS INTEGER) ELSE updated_at END
    WHERE id = NEW.id;
END;
