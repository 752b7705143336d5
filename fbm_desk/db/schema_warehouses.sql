-- Several warehouses (issue 16): a priority order, active/inactive, a ship-from address per warehouse; which
-- warehouses feed each store's inventory push (no rows: every active warehouse); how a store's orders are
-- routed and whether they may be split; the warehouse an order (or, split, an order item) is allocated to
-- (NULL: the primary warehouse).
ALTER TABLE warehouse ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
ALTER TABLE warehouse ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
ALTER TABLE warehouse ADD COLUMN ship_name TEXT NOT NULL DEFAULT '';
ALTER TABLE warehouse ADD COLUMN ship_address1 TEXT NOT NULL DEFAULT '';
ALTER TABLE warehouse ADD COLUMN ship_address2 TEXT NOT NULL DEFAULT '';
ALTER TABLE warehouse ADD COLUMN ship_city TEXT NOT NULL DEFAULT '';
ALTER TABLE warehouse ADD COLUMN ship_state TEXT NOT NULL DEFAULT '';
ALTER TABLE warehouse ADD COLUMN ship_postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE warehouse ADD COLUMN ship_country TEXT NOT NULL DEFAULT '';
ALTER TABLE warehouse ADD COLUMN ship_phone TEXT NOT NULL DEFAULT '';

CREATE TABLE store_warehouse (
    store_id INTEGER NOT NULL REFERENCES store (id) ON DELETE CASCADE,
    warehouse_id INTEGER NOT NULL REFERENCES warehouse (id) ON DELETE CASCADE,
    PRIMARY KEY (store_id, warehouse_id)
) WITHOUT ROWID;

ALTER TABLE store ADD COLUMN routing TEXT NOT NULL DEFAULT 'primary' CHECK (routing IN ('primary', 'priority'));
ALTER TABLE store ADD COLUMN allow_split INTEGER NOT NULL DEFAULT 0 CHECK (allow_split IN (0, 1));

ALTER TABLE orders ADD COLUMN warehouse_id INTEGER REFERENCES warehouse (id);
ALTER TABLE order_item ADD COLUMN warehouse_id INTEGER REFERENCES warehouse (id);
CREATE INDEX orders_warehouse ON orders (warehouse_id, purchase_date);
CREATE INDEX inventory_level_warehouse ON inventory_level (warehouse_id, on_hand);
