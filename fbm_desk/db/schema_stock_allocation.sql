-- The stock model's allocation at a million orders (issue 19): the unshipped units of open orders, per product
-- and warehouse, were summed from every open order's items on each read of the push preview, the inventory job's
-- plan, the per-warehouse split and every refresh of the kept stock rows (3 s at 1,000,000 orders with 120,000
-- open ones, 0.3 s at 200,000). They are kept here instead, by the triggers below, in the same statement that
-- changes an order item, an order's state or warehouse, or deletes an order or product: each adds the change's
-- difference (new units minus old), so a write costs the same at any number of orders and a read is one row per
-- product and warehouse. ``db/stock.py`` reads it (``WALLOC_SQL``); tests/test_stock_allocation.py compares it
-- with the sum over the orders after random changes, on both backends.
-- An item holds units (quantity - quantity_shipped, when positive) while its order is held, released or
-- partially shipped (``states.OPEN_ORDER_STATES``), in its own warehouse, else its order's, else
-- ``warehouse_id = 0``: not routed, counted in whichever warehouse is the primary when it is read.
CREATE TABLE stock_allocation (
    product_id INTEGER NOT NULL,
    warehouse_id INTEGER NOT NULL,
    units INTEGER NOT NULL,
    PRIMARY KEY (product_id, warehouse_id)
) WITHOUT ROWID;
INSERT INTO stock_allocation (product_id, warehouse_id, units)
SELECT i.product_id, coalesce(i.warehouse_id, o.warehouse_id, 0), sum(i.quantity - i.quantity_shipped)
FROM orders o JOIN order_item i ON i.order_id = o.id
WHERE o.state IN ('held', 'released', 'partially_shipped') AND i.product_id IS NOT NULL
    AND i.quantity > i.quantity_shipped
GROUP BY i.product_id, coalesce(i.warehouse_id, o.warehouse_id, 0);

CREATE TRIGGER stock_allocation_item_insert AFTER INSERT ON order_item
WHEN NEW.product_id IS NOT NULL AND NEW.quantity > NEW.quantity_shipped BEGIN
    INSERT INTO stock_allocation (product_id, warehouse_id, units)
    SELECT NEW.product_id, coalesce(NEW.warehouse_id, o.warehouse_id, 0), NEW.quantity - NEW.quantity_shipped
    FROM orders o WHERE o.id = NEW.order_id AND o.state IN ('held', 'released', 'partially_shipped')
    ON CONFLICT (product_id, warehouse_id) DO UPDATE SET units = stock_allocation.units + excluded.units;
END;
-- The old units come off only while their product exists: a deleted product's rows go with it (below), and the
-- SET NULL its deletion makes on the items (which runs this trigger) must not bring them back.
CREATE TRIGGER stock_allocation_item_update
AFTER UPDATE OF order_id, product_id, quantity, quantity_shipped, warehouse_id ON order_item BEGIN
    INSERT INTO stock_allocation (product_id, warehouse_id, units)
    SELECT d.pid, d.wid, sum(d.n) FROM (
        SELECT OLD.product_id AS pid, coalesce(OLD.warehouse_id, o.warehouse_id, 0) AS wid,
            OLD.quantity_shipped - OLD.quantity AS n
        FROM orders o WHERE o.id = OLD.order_id AND o.state IN ('held', 'released', 'partially_shipped')
            AND OLD.quantity > OLD.quantity_shipped AND OLD.product_id IN (SELECT id FROM product)
        UNION ALL
        SELECT NEW.product_id, coalesce(NEW.warehouse_id, o.warehouse_id, 0), NEW.quantity - NEW.quantity_shipped
        FROM orders o WHERE o.id = NEW.order_id AND o.state IN ('held', 'released', 'partially_shipped')
            AND NEW.quantity > NEW.quantity_shipped AND NEW.product_id IS NOT NULL
    ) AS d WHERE 1 GROUP BY d.pid, d.wid HAVING sum(d.n) != 0
    ON CONFLICT (product_id, warehouse_id) DO UPDATE SET units = stock_allocation.units + excluded.units;
END;
-- An item deleted with its order (ON DELETE CASCADE) finds no order here: the order's own trigger took its units.
CREATE TRIGGER stock_allocation_item_delete AFTER DELETE ON order_item
WHEN OLD.product_id IS NOT NULL AND OLD.quantity > OLD.quantity_shipped BEGIN
    INSERT INTO stock_allocation (product_id, warehouse_id, units)
    SELECT OLD.product_id, coalesce(OLD.warehouse_id, o.warehouse_id, 0), OLD.quantity_shipped - OLD.quantity
    FROM orders o WHERE o.id = OLD.order_id AND o.state IN ('held', 'released', 'partially_shipped')
        AND OLD.product_id IN (SELECT id FROM product)
    ON CONFLICT (product_id, warehouse_id) DO UPDATE SET units = stock_allocation.units + excluded.units;
END;
CREATE TRIGGER stock_allocation_order_update AFTER UPDATE OF state, warehouse_id ON orders
WHEN (OLD.state != NEW.state OR coalesce(OLD.warehouse_id, 0) != coalesce(NEW.warehouse_id, 0))
    AND (OLD.state IN ('held', 'released', 'partially_shipped') OR NEW.state IN ('held', 'released', 'partially_shipped'))
BEGIN
    INSERT INTO stock_allocation (product_id, warehouse_id, units)
    SELECT d.pid, d.wid, sum(d.n) FROM (
        SELECT i.product_id AS pid, coalesce(i.warehouse_id, OLD.warehouse_id, 0) AS wid,
            i.quantity_shipped - i.quantity AS n
        FROM order_item i WHERE i.order_id = OLD.id AND OLD.state IN ('held', 'released', 'partially_shipped')
            AND i.product_id IS NOT NULL AND i.quantity > i.quantity_shipped
        UNION ALL
        SELECT i.product_id, coalesce(i.warehouse_id, NEW.warehouse_id, 0), i.quantity - i.quantity_shipped
        FROM order_item i WHERE i.order_id = NEW.id AND NEW.state IN ('held', 'released', 'partially_shipped')
            AND i.product_id IS NOT NULL AND i.quantity > i.quantity_shipped
    ) AS d WHERE 1 GROUP BY d.pid, d.wid HAVING sum(d.n) != 0
    ON CONFLICT (product_id, warehouse_id) DO UPDATE SET units = stock_allocation.units + excluded.units;
END;
CREATE TRIGGER stock_allocation_order_delete BEFORE DELETE ON orders
WHEN OLD.state IN ('held', 'released', 'partially_shipped') BEGIN
    INSERT INTO stock_allocation (product_id, warehouse_id, units)
    SELECT i.product_id, coalesce(i.warehouse_id, OLD.warehouse_id, 0), sum(i.quantity_shipped - i.quantity)
    FROM order_item i WHERE i.order_id = OLD.id AND i.product_id IS NOT NULL AND i.quantity > i.quantity_shipped
    GROUP BY i.product_id, coalesce(i.warehouse_id, OLD.warehouse_id, 0)
    ON CONFLICT (product_id, warehouse_id) DO UPDATE SET units = stock_allocation.units + excluded.units;
END;
CREATE TRIGGER stock_allocation_product_delete AFTER DELETE ON product BEGIN
    DELETE FROM stock_allocation WHERE product_id = OLD.id;
END;

-- Deactivating a warehouse first checks that no open order is allocated to it (``warehouses.holds``), inside the
-- write's transaction: it read every open order (or every order ever routed there) and scanned every item, 1.5 s
-- at 1,000,000 orders. These partial indexes hold only the open orders and the items routed on their own (a split
-- order), so the check reads what it finds.
CREATE INDEX orders_open_warehouse ON orders (warehouse_id) WHERE state IN ('held', 'released', 'partially_shipped');
CREATE INDEX order_item_routed ON order_item (warehouse_id) WHERE warehouse_id IS NOT NULL;

-- "Why is available N?" (the Inventory tab, on selecting a SKU) lists the open orders holding its units, the most
-- urgent first (``holding_orders.py``). It read every item ever sold of the SKU, shipped ones included, on the GUI
-- thread: 0.9-1.6 s at 1,000,000 orders. The units each open order holds of each product are kept here, keyed in
-- the list's order (ship-by, '' when unknown, then the order), by the same kind of triggers: a selection reads its
-- first rows in key order. A row is deleted when its order no longer holds units of that product, so the table
-- only ever holds the open orders.
CREATE TABLE held_units (
    product_id INTEGER NOT NULL,
    ship_by TEXT NOT NULL,
    order_id INTEGER NOT NULL,
    units INTEGER NOT NULL,
    PRIMARY KEY (product_id, ship_by, order_id)
) WITHOUT ROWID;
CREATE INDEX held_units_empty ON held_units (units) WHERE units = 0;
INSERT INTO held_units (product_id, ship_by, order_id, units)
SELECT i.product_id, coalesce(o.latest_ship_date, ''), o.id, sum(i.quantity - i.quantity_shipped)
FROM orders o JOIN order_item i ON i.order_id = o.id
WHERE o.state IN ('held', 'released', 'partially_shipped') AND i.product_id IS NOT NULL
    AND i.quantity > i.quantity_shipped
GROUP BY i.product_id, coalesce(o.latest_ship_date, ''), o.id;

CREATE TRIGGER held_units_item_insert AFTER INSERT ON order_item
WHEN NEW.product_id IS NOT NULL AND NEW.quantity > NEW.quantity_shipped BEGIN
    INSERT INTO held_units (product_id, ship_by, order_id, units)
    SELECT NEW.product_id, coalesce(o.latest_ship_date, ''), o.id, NEW.quantity - NEW.quantity_shipped
    FROM orders o WHERE o.id = NEW.order_id AND o.state IN ('held', 'released', 'partially_shipped')
    ON CONFLICT (product_id, ship_by, order_id) DO UPDATE SET units = held_units.units + excluded.units;
END;
CREATE TRIGGER held_units_item_update
AFTER UPDATE OF order_id, product_id, quantity, quantity_shipped ON order_item BEGIN
    INSERT INTO held_units (product_id, ship_by, order_id, units)
    SELECT d.pid, d.ship_by, d.oid, sum(d.n) FROM (
        SELECT OLD.product_id AS pid, coalesce(o.latest_ship_date, '') AS ship_by, o.id AS oid,
            OLD.quantity_shipped - OLD.quantity AS n
        FROM orders o WHERE o.id = OLD.order_id AND o.state IN ('held', 'released', 'partially_shipped')
            AND OLD.quantity > OLD.quantity_shipped AND OLD.product_id IN (SELECT id FROM product)
        UNION ALL
        SELECT NEW.product_id, coalesce(o.latest_ship_date, ''), o.id, NEW.quantity - NEW.quantity_shipped
        FROM orders o WHERE o.id = NEW.order_id AND o.state IN ('held', 'released', 'partially_shipped')
            AND NEW.quantity > NEW.quantity_shipped AND NEW.product_id IS NOT NULL
    ) AS d WHERE 1 GROUP BY d.pid, d.ship_by, d.oid HAVING sum(d.n) != 0
    ON CONFLICT (product_id, ship_by, order_id) DO UPDATE SET units = held_units.units + excluded.units;
    DELETE FROM held_units WHERE units = 0;
END;
CREATE TRIGGER held_units_item_delete AFTER DELETE ON order_item
WHEN OLD.product_id IS NOT NULL AND OLD.quantity > OLD.quantity_shipped BEGIN
    INSERT INTO held_units (product_id, ship_by, order_id, units)
    SELECT OLD.product_id, coalesce(o.latest_ship_date, ''), o.id, OLD.quantity_shipped - OLD.quantity
    FROM orders o WHERE o.id = OLD.order_id AND o.state IN ('held', 'released', 'partially_shipped')
        AND OLD.product_id IN (SELECT id FROM product)
    ON CONFLICT (product_id, ship_by, order_id) DO UPDATE SET units = held_units.units + excluded.units;
    DELETE FROM held_units WHERE units = 0;
END;
CREATE TRIGGER held_units_order_update AFTER UPDATE OF state, latest_ship_date ON orders
WHEN (OLD.state != NEW.state OR coalesce(OLD.latest_ship_date, '') != coalesce(NEW.latest_ship_date, ''))
    AND (OLD.state IN ('held', 'released', 'partially_shipped') OR NEW.state IN ('held', 'released', 'partially_shipped'))
BEGIN
    INSERT INTO held_units (product_id, ship_by, order_id, units)
    SELECT d.pid, d.ship_by, d.oid, sum(d.n) FROM (
        SELECT i.product_id AS pid, coalesce(OLD.latest_ship_date, '') AS ship_by, OLD.id AS oid,
            i.quantity_shipped - i.quantity AS n
        FROM order_item i WHERE i.order_id = OLD.id AND OLD.state IN ('held', 'released', 'partially_shipped')
            AND i.product_id IS NOT NULL AND i.quantity > i.quantity_shipped
        UNION ALL
        SELECT i.product_id, coalesce(NEW.latest_ship_date, ''), NEW.id, i.quantity - i.quantity_shipped
        FROM order_item i WHERE i.order_id = NEW.id AND NEW.state IN ('held', 'released', 'partially_shipped')
            AND i.product_id IS NOT NULL AND i.quantity > i.quantity_shipped
    ) AS d WHERE 1 GROUP BY d.pid, d.ship_by, d.oid HAVING sum(d.n) != 0
    ON CONFLICT (product_id, ship_by, order_id) DO UPDATE SET units = held_units.units + excluded.units;
    DELETE FROM held_units WHERE units = 0;
END;
CREATE TRIGGER held_units_order_delete BEFORE DELETE ON orders
WHEN OLD.state IN ('held', 'released', 'partially_shipped') BEGIN
    DELETE FROM held_units
    WHERE product_id IN (SELECT product_id FROM order_item WHERE order_id = OLD.id)
        AND ship_by = coalesce(OLD.latest_ship_date, '') AND order_id = OLD.id;
END;
CREATE TRIGGER held_units_product_delete AFTER DELETE ON product BEGIN
    DELETE FROM held_units WHERE product_id = OLD.id;
END;
