-- Deleting a row makes the database look for the rows that reference it through a foreign key (to cascade, or to
-- refuse). Without an index on the referencing column, each deleted row reads the whole referencing table.
-- A store's removal deletes its orders and their items, and every deleted order item looked for its package lines
-- in all of package_item: 47 ms per order at 200,000 orders (removing a store of 100,000 orders: ~80 minutes),
-- days at a million. With this index: 0.2 ms per order. tests/test_cascade_indexes.py checks every foreign key
-- that a store's removal follows.
CREATE INDEX package_item_order_item ON package_item (order_item_id);
