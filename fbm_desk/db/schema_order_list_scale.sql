-- The Orders tab's two computed sorts at a million orders (issue 19): "Items" (units ordered) and "Tracking
-- push" (the worst state of the order's packages) were computed per order on every sort, a full pass over the
-- table. Both are kept on the order, by the triggers below in the same statement that changes an item or a
-- package, and indexed, so a sorted page is read in index order like every other column.
-- push_rank: 0 rejected, 1 queued, 2 sent, 3 confirmed (order_views.PUSH_WORST_FIRST); NULL: nothing packed.
ALTER TABLE orders ADD COLUMN units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN push_rank INTEGER;
UPDATE orders SET units = coalesce((SELECT sum(i.quantity) FROM order_item i WHERE i.order_id = orders.id), 0);
UPDATE orders SET push_rank = (
    SELECT min(CASE p.push_state WHEN 'rejected' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END)
    FROM package p WHERE p.order_id = orders.id
);
CREATE INDEX orders_units ON orders (units);
-- PostgreSQL keeps equal keys in no particular order: the tie-breaker of the sort (``o.id``) is in its index.
/*postgresql*/CREATE INDEX orders_units_id ON orders (units, id);
CREATE INDEX orders_push_rank ON orders (push_rank, purchase_date); -- also "Push rejected" (rank 0), newest first

CREATE TRIGGER orders_units_item_insert AFTER INSERT ON order_item BEGIN
    UPDATE orders SET units = units + NEW.quantity WHERE id = NEW.order_id;
END;
CREATE TRIGGER orders_units_item_update AFTER UPDATE OF order_id, quantity ON order_item BEGIN
    UPDATE orders SET units = coalesce((SELECT sum(i.quantity) FROM order_item i WHERE i.order_id = orders.id), 0)
    WHERE id IN (OLD.order_id, NEW.order_id);
END;
CREATE TRIGGER orders_units_item_delete AFTER DELETE ON order_item BEGIN
    UPDATE orders SET units = units - OLD.quantity WHERE id = OLD.order_id;
END;

CREATE TRIGGER orders_push_rank_package_insert AFTER INSERT ON package BEGIN
    UPDATE orders SET push_rank = (
        SELECT min(CASE p.push_state WHEN 'rejected' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END)
        FROM package p WHERE p.order_id = orders.id
    ) WHERE id = NEW.order_id;
END;
CREATE TRIGGER orders_push_rank_package_update AFTER UPDATE OF order_id, push_state ON package BEGIN
    UPDATE orders SET push_rank = (
        SELECT min(CASE p.push_state WHEN 'rejected' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END)
        FROM package p WHERE p.order_id = orders.id
    ) WHERE id IN (OLD.order_id, NEW.order_id);
END;
CREATE TRIGGER orders_push_rank_package_delete AFTER DELETE ON package BEGIN
    UPDATE orders SET push_rank = (
        SELECT min(CASE p.push_state WHEN 'rejected' THEN 0 WHEN 'queued' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END)
        FROM package p WHERE p.order_id = orders.id
    ) WHERE id = OLD.order_id;
END;

-- The search's prefixes (order id, SKU, tracking) on a workspace: PostgreSQL reads ``lower(col) LIKE lower(?)``
-- (dialect.py) from a pattern index whatever the server's collation; SQLite's NOCASE indexes serve it there.
/*postgresql*/CREATE INDEX orders_amazon_order_id_prefix ON orders (lower(amazon_order_id) text_pattern_ops);
/*postgresql*/CREATE INDEX order_item_sku_prefix ON order_item (lower(seller_sku) text_pattern_ops);
/*postgresql*/CREATE INDEX package_tracking_prefix ON package (lower(tracking_number) text_pattern_ops);

-- Shipped / Canceled / Held in the default order (newest first): a range of one index. Without it the newest
-- orders, all still open, were read one by one before the first shipped one.
CREATE INDEX orders_state_purchase ON orders (state, purchase_date);

-- "To pack" / "Packed, waiting for Amazon" at a million orders: whether an order is fully packed (an unconfirmed
-- package, queued or sent (states.UNCONFIRMED), and no unit left to pack) is kept on the order by the triggers
-- below, recomputed for the orders a change touches, in the same statement. Computing it for every unconfirmed
-- package on each refresh read thousands of shipped orders' packages (db/packing_queue.py).
ALTER TABLE orders ADD COLUMN fully_packed INTEGER NOT NULL DEFAULT 0 CHECK (fully_packed IN (0, 1));
UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (SELECT order_id FROM package WHERE push_state IN ('queued', 'sent'));
CREATE TRIGGER orders_fully_packed_package_insert AFTER INSERT ON package BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (NEW.order_id);
END;
CREATE TRIGGER orders_fully_packed_package_update AFTER UPDATE OF order_id, push_state ON package BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (OLD.order_id, NEW.order_id);
END;
CREATE TRIGGER orders_fully_packed_package_delete AFTER DELETE ON package BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (OLD.order_id);
END;
CREATE TRIGGER orders_fully_packed_package_item_insert AFTER INSERT ON package_item BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (SELECT order_id FROM package WHERE id = NEW.package_id);
END;
CREATE TRIGGER orders_fully_packed_package_item_update AFTER UPDATE OF package_id, order_item_id, quantity ON package_item BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (SELECT order_id FROM package WHERE id IN (OLD.package_id, NEW.package_id));
END;
CREATE TRIGGER orders_fully_packed_package_item_delete AFTER DELETE ON package_item BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (SELECT order_id FROM package WHERE id = OLD.package_id);
END;
CREATE TRIGGER orders_fully_packed_item_insert AFTER INSERT ON order_item BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (NEW.order_id);
END;
CREATE TRIGGER orders_fully_packed_item_update AFTER UPDATE OF order_id, quantity, quantity_shipped ON order_item BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (OLD.order_id, NEW.order_id);
END;
CREATE TRIGGER orders_fully_packed_item_delete AFTER DELETE ON order_item BEGIN
    UPDATE orders SET fully_packed = CASE WHEN EXISTS (
        SELECT 1 FROM package p WHERE p.order_id = orders.id AND p.push_state IN ('queued', 'sent')
    ) AND NOT EXISTS (
        SELECT 1 FROM order_item i WHERE i.order_id = orders.id AND i.quantity > i.quantity_shipped + coalesce((
            SELECT sum(pi.quantity) FROM package q JOIN package_item pi ON pi.package_id = q.id
            WHERE q.order_id = i.order_id AND q.push_state IN ('queued', 'sent') AND pi.order_item_id = i.id
        ), 0)
    ) THEN 1 ELSE 0 END WHERE id IN (OLD.order_id);
END;
-- "To pack" in urgency order from the partial index alone: state and the flag are in it (no row read).
DROP INDEX orders_packing_queue;
CREATE INDEX orders_packing_queue ON orders (latest_ship_date, is_prime, purchase_date, state, fully_packed)
WHERE state IN ('released', 'partially_shipped');

-- A SKU searched by many orders is probed order by order (order_search.py): on a workspace the probe reads the
-- order's items and their SKU from one index (SQLite's rows are next to each other in the table anyway).
/*postgresql*/CREATE INDEX order_item_order_sku ON order_item (order_id, lower(seller_sku) text_pattern_ops);

-- SQLite's indexes carry the row id, so a page's ids (and the tie-breaker ``o.id``) come from the index alone;
-- PostgreSQL's need it as a column: the packing queue in urgency order, the default order, the Ship to sort.
/*postgresql*/CREATE INDEX orders_packing_queue_id ON orders (latest_ship_date, is_prime, purchase_date, state, fully_packed, id)
WHERE state IN ('released', 'partially_shipped');
/*postgresql*/CREATE INDEX orders_purchase_date_id ON orders (purchase_date, id);
/*postgresql*/CREATE INDEX orders_ship_to_id ON orders (ship_country, ship_city, id);
