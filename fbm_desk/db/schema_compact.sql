-- Storage at a million orders, continued (issue 19; bench/bench_storage.py prints each table and index).

-- SQLite: the blind name index keeps only its clustered (token, order_id) key. Its second index, by order
-- (141 B/order at 200,000 orders, as much as the table itself), served only the deletes of an order's tokens;
-- those now go by key: a name change deletes the tokens of the old names (fbm_desk.db.name_index), the
-- retention purge, a store's removal and a backup's purge delete the tokens of all their orders in one
-- statement. Without that index, a foreign key to orders would scan the whole table for every order deleted,
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
