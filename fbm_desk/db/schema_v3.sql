-- Schema version 3: indexes for the warehouse screens (Orders tab search/sort/quick filters at 200,000 orders).
-- Search uses case-insensitive prefix LIKE, which SQLite answers from a NOCASE index.
CREATE INDEX orders_amazon_order_id_nocase ON orders (amazon_order_id COLLATE NOCASE);
CREATE INDEX orders_buyer_name ON orders (buyer_name);
CREATE INDEX orders_ship_name ON orders (ship_name);
CREATE INDEX orders_needs_mapping ON orders (needs_mapping) WHERE needs_mapping = 1;
CREATE INDEX orders_store_purchase ON orders (store_id, purchase_date);
CREATE INDEX orders_service_level ON orders (service_level, purchase_date);
CREATE INDEX orders_ship_country_city ON orders (ship_country, ship_city);
CREATE INDEX orders_ship_city ON orders (ship_city);
CREATE INDEX orders_prime_business ON orders (is_prime, is_business, purchase_date);
CREATE INDEX orders_payment_hold ON orders (payment_hold, purchase_date);
-- Covering indexes: sorting by units / tracking push state reads them instead of the tables.
CREATE INDEX order_item_order_qty ON order_item (order_id, quantity);
CREATE INDEX package_order_state ON package (order_id, push_state);
CREATE INDEX order_item_sku_nocase ON order_item (seller_sku COLLATE NOCASE);
CREATE INDEX package_tracking_nocase ON package (tracking_number COLLATE NOCASE);
CREATE INDEX package_push_state ON package (push_state, order_id);
CREATE INDEX listing_store_sku ON listing (store_id, seller_sku COLLATE NOCASE);
