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
