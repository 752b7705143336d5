-- Schema version 5: one covering index for stock allocation (open orders -> their items' product and unshipped
-- quantity), so the Inventory tab and the inventory push read it from the index alone. It supersedes the
-- narrower indexes on the same leading column.
CREATE INDEX order_item_allocation ON order_item (order_id, product_id, quantity, quantity_shipped);
DROP INDEX order_item_order_qty;
DROP INDEX order_item_order;
