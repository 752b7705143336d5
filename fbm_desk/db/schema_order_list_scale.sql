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
CREATE INDEX orders_push_rank ON orders (push_rank);

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
