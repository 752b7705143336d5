-- The Inventory tab's filters and sorts at 20,000 SKUs (issue 16): each product's row of the stock model
-- (``fbm_desk.db.stock``: on hand, allocated, available, what Amazon last accepted, listings the next push sends)
-- kept in a table, so "Differs from Amazon", "Low stock", "Push issues" and the stock sorts read one indexed
-- table instead of computing the whole push plan. The numbers are always written by the stock model's own SQL
-- (``db/stock_summary.refresh_stock_summary``); the triggers below only mark a product ``dirty`` in the same
-- statement that changes one of the plan's inputs, and a dirty row is computed live by every reader until it is
-- refreshed, so a reader never sees a number the plan would not compute. A row already dirty is not written again
-- ("AND dirty = 0"): an import that touches a product many times pays for one write.
CREATE TABLE stock_summary (
    product_id INTEGER PRIMARY KEY REFERENCES product (id) ON DELETE CASCADE,
    dirty INTEGER NOT NULL DEFAULT 1 CHECK (dirty IN (0, 1)),
    on_hand INTEGER NOT NULL DEFAULT 0,
    allocated INTEGER NOT NULL DEFAULT 0,
    available INTEGER NOT NULL DEFAULT 0,
    pushed_quantity INTEGER,
    pushed_at TEXT,
    push_state TEXT NOT NULL DEFAULT 'none',
    push_issues TEXT NOT NULL DEFAULT '',
    listings INTEGER NOT NULL DEFAULT 0,
    to_send INTEGER NOT NULL DEFAULT 0,
    amazon_shows INTEGER,
    amazon_read_at TEXT
);
CREATE INDEX stock_summary_dirty ON stock_summary (dirty) WHERE dirty = 1;
CREATE INDEX stock_summary_to_send ON stock_summary (to_send) WHERE to_send > 0;
-- The tab's stock sorts read a page in index order (the expressions are ``stock.SORT_SQL``'s).
CREATE INDEX stock_summary_on_hand ON stock_summary (on_hand);
CREATE INDEX stock_summary_allocated ON stock_summary (allocated);
CREATE INDEX stock_summary_available ON stock_summary (available);
CREATE INDEX stock_summary_pushed ON stock_summary (coalesce(pushed_quantity, -1));
CREATE INDEX stock_summary_pushed_at ON stock_summary (coalesce(pushed_at, ''));
CREATE INDEX stock_summary_push_state ON stock_summary (push_state);
INSERT INTO stock_summary (product_id) SELECT id FROM product;
-- The tab's default order (SKU) and the title sort, read a page at a time.
CREATE INDEX product_sku_nocase ON product (sku COLLATE NOCASE);
CREATE INDEX product_title_nocase ON product (title COLLATE NOCASE);

-- Products
CREATE TRIGGER stock_summary_product_insert AFTER INSERT ON product BEGIN
    INSERT INTO stock_summary (product_id) VALUES (NEW.id);
END;

-- On hand
CREATE TRIGGER stock_summary_level_insert AFTER INSERT ON inventory_level BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE product_id = NEW.product_id AND dirty = 0;
END;
CREATE TRIGGER stock_summary_level_update AFTER UPDATE OF product_id, warehouse_id, on_hand ON inventory_level BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE product_id IN (OLD.product_id, NEW.product_id) AND dirty = 0;
END;
CREATE TRIGGER stock_summary_level_delete AFTER DELETE ON inventory_level BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE product_id = OLD.product_id AND dirty = 0;
END;

-- Allocation: order items, and the order's state and warehouse
CREATE TRIGGER stock_summary_item_insert AFTER INSERT ON order_item WHEN NEW.product_id IS NOT NULL BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE product_id = NEW.product_id AND dirty = 0;
END;
CREATE TRIGGER stock_summary_item_update
AFTER UPDATE OF order_id, product_id, quantity, quantity_shipped, warehouse_id ON order_item BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE product_id IN (OLD.product_id, NEW.product_id) AND dirty = 0;
END;
CREATE TRIGGER stock_summary_item_delete AFTER DELETE ON order_item WHEN OLD.product_id IS NOT NULL BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE product_id = OLD.product_id AND dirty = 0;
END;
CREATE TRIGGER stock_summary_order_update AFTER UPDATE OF state, warehouse_id ON orders BEGIN
    UPDATE stock_summary SET dirty = 1
    WHERE product_id IN (SELECT product_id FROM order_item WHERE order_id = NEW.id) AND dirty = 0;
END;
CREATE TRIGGER stock_summary_order_delete BEFORE DELETE ON orders BEGIN
    UPDATE stock_summary SET dirty = 1
    WHERE product_id IN (SELECT product_id FROM order_item WHERE order_id = OLD.id) AND dirty = 0;
END;

-- Listings: every column the push rule reads
CREATE TRIGGER stock_summary_listing_insert AFTER INSERT ON listing WHEN NEW.product_id IS NOT NULL BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE product_id = NEW.product_id AND dirty = 0;
END;
CREATE TRIGGER stock_summary_listing_update
AFTER UPDATE OF store_id, product_id, gone_at, fulfillment_channel, amazon_quantity, amazon_quantity_at,
    pushed_quantity, pushed_at, push_state, push_issues, feed_id ON listing BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE product_id IN (OLD.product_id, NEW.product_id) AND dirty = 0;
END;
CREATE TRIGGER stock_summary_listing_delete AFTER DELETE ON listing WHEN OLD.product_id IS NOT NULL BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE product_id = OLD.product_id AND dirty = 0;
END;

-- Stores: connected or not, and the warehouses that feed them
CREATE TRIGGER stock_summary_store_update AFTER UPDATE OF status ON store BEGIN
    UPDATE stock_summary SET dirty = 1
    WHERE product_id IN (SELECT product_id FROM listing WHERE store_id = NEW.id) AND dirty = 0;
END;
CREATE TRIGGER stock_summary_store_delete BEFORE DELETE ON store BEGIN
    UPDATE stock_summary SET dirty = 1
    WHERE product_id IN (SELECT product_id FROM listing WHERE store_id = OLD.id) AND dirty = 0;
END;
CREATE TRIGGER stock_summary_feed_insert AFTER INSERT ON store_warehouse BEGIN
    UPDATE stock_summary SET dirty = 1
    WHERE product_id IN (SELECT product_id FROM listing WHERE store_id = NEW.store_id) AND dirty = 0;
END;
CREATE TRIGGER stock_summary_feed_update AFTER UPDATE ON store_warehouse BEGIN
    UPDATE stock_summary SET dirty = 1
    WHERE product_id IN (SELECT product_id FROM listing WHERE store_id IN (OLD.store_id, NEW.store_id))
    AND dirty = 0;
END;
CREATE TRIGGER stock_summary_feed_delete AFTER DELETE ON store_warehouse BEGIN
    UPDATE stock_summary SET dirty = 1
    WHERE product_id IN (SELECT product_id FROM listing WHERE store_id = OLD.store_id) AND dirty = 0;
END;

-- Warehouses: an order not routed yet is allocated in the primary (rare changes: every product)
CREATE TRIGGER stock_summary_warehouse_update AFTER UPDATE OF is_primary ON warehouse BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE dirty = 0;
END;
CREATE TRIGGER stock_summary_warehouse_delete AFTER DELETE ON warehouse BEGIN
    UPDATE stock_summary SET dirty = 1 WHERE dirty = 0;
END;
