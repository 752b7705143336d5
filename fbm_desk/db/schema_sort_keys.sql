-- Storage at a million orders (issue 19): the Orders tab's sort and filter indexes keyed by whole seconds.
-- Each of these indexes ended in the purchase date or the ship-by date as 20 bytes of ISO text; as an integer
-- it takes 4. Two VIRTUAL generated columns give the seconds (computed when read, never stored in the table
-- row; an index stores its own copy), and the indexes are rebuilt on them: about 200 bytes less per order
-- (bench/bench_storage.py). The text columns stay what every reader and writer uses.
--
-- SQLite only: on a PostgreSQL workspace (where storage is the server's business) ``dialect`` reads
-- ``purchase_ts``/``ship_by_ts`` as the text columns themselves, whose indexes it keeps.
-- strftime('%s') rather than unixepoch(): generated columns need SQLite 3.31, unixepoch() 3.38.
/*sqlite*/ALTER TABLE orders ADD COLUMN purchase_ts INTEGER
    GENERATED ALWAYS AS (CAST(strftime('%s', purchase_date) AS INTEGER)) VIRTUAL;
/*sqlite*/ALTER TABLE orders ADD COLUMN ship_by_ts INTEGER
    GENERATED ALWAYS AS (CAST(strftime('%s', latest_ship_date) AS INTEGER)) VIRTUAL;

/*sqlite*/DROP INDEX orders_purchase_date;
/*sqlite*/CREATE INDEX orders_purchase_date ON orders (purchase_ts);
/*sqlite*/DROP INDEX orders_store_purchase;
/*sqlite*/CREATE INDEX orders_store_purchase ON orders (store_id, purchase_ts);
/*sqlite*/DROP INDEX orders_service_level;
/*sqlite*/CREATE INDEX orders_service_level ON orders (service_level, purchase_ts);
/*sqlite*/DROP INDEX orders_prime_business;
/*sqlite*/CREATE INDEX orders_prime_business ON orders (is_prime, is_business, purchase_ts);
/*sqlite*/DROP INDEX orders_payment_hold;
/*sqlite*/CREATE INDEX orders_payment_hold ON orders (payment_hold, purchase_ts);
/*sqlite*/DROP INDEX orders_warehouse;
/*sqlite*/CREATE INDEX orders_warehouse ON orders (warehouse_id, purchase_ts);
/*sqlite*/DROP INDEX orders_state_purchase;
/*sqlite*/CREATE INDEX orders_state_purchase ON orders (state, purchase_ts);
-- also "Push rejected" (rank 0), newest first
/*sqlite*/DROP INDEX orders_push_rank;
/*sqlite*/CREATE INDEX orders_push_rank ON orders (push_rank, purchase_ts);
/*sqlite*/DROP INDEX orders_state;
/*sqlite*/CREATE INDEX orders_state ON orders (state, ship_by_ts);
/*sqlite*/DROP INDEX orders_latest_ship_date;
/*sqlite*/CREATE INDEX orders_latest_ship_date ON orders (ship_by_ts);
