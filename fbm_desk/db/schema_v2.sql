-- Schema version 2: indexes that keep the Orders tab fast at 200,000 orders and the sync lookups cheap.
CREATE INDEX orders_state ON orders (state, latest_ship_date);
CREATE INDEX orders_purchase_date ON orders (purchase_date);
CREATE INDEX orders_latest_ship_date ON orders (latest_ship_date);
CREATE INDEX orders_store_updated ON orders (store_id, amazon_updated_at);
CREATE INDEX order_item_order ON order_item (order_id);
CREATE INDEX order_item_sku ON order_item (seller_sku);
CREATE INDEX order_item_product ON order_item (product_id);
CREATE INDEX package_order ON package (order_id);
CREATE INDEX package_tracking ON package (tracking_number);
CREATE INDEX package_item_package ON package_item (package_id);
CREATE INDEX outbox_pending ON outbox (store_id, state);
CREATE INDEX sync_run_store_job ON sync_run (store_id, job, started_at);
CREATE INDEX order_event_order ON order_event (order_id, at);
CREATE INDEX listing_product ON listing (product_id);
