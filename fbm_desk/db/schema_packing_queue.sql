-- The packing station (issue 17): whether packing an order of this store requires scanning every unit
-- (on by default; the store settings dialog turns it off for stores whose products carry no barcode).
ALTER TABLE store ADD COLUMN require_item_scan INTEGER NOT NULL DEFAULT 1 CHECK (require_item_scan IN (0, 1));
-- "To pack" in urgency order (late, due today, Prime, oldest) sorted from the index alone (no row reads).
-- Partial: only the open orders, so the planner never prefers it for the other filters (Shipped, Canceled).
CREATE INDEX orders_packing_queue ON orders (latest_ship_date, is_prime, purchase_date)
WHERE state IN ('released', 'partially_shipped');
