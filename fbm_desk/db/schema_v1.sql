-- Schema version 1: the whole FBM Desk domain. Frozen: never edit; add a new migration step instead.
-- Timestamps are ISO 8601 UTC text ("2026-11-24T09:30:00Z"); booleans are 0/1 integers.

CREATE TABLE store (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    marketplace_id TEXT NOT NULL,
    region TEXT NOT NULL CHECK (region IN ('NA', 'EU', 'FE')),
    selling_partner_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'connected' CHECK (status IN ('connected', 'needs_reconnect', 'disabled')),
    download_products_orders INTEGER NOT NULL DEFAULT 1,
    import_pending INTEGER NOT NULL DEFAULT 0,
    starting_inventory TEXT NOT NULL DEFAULT 'match' CHECK (starting_inventory IN ('match', 'zero')),
    remove_stock_external INTEGER NOT NULL DEFAULT 0,
    secret_storage TEXT NOT NULL DEFAULT 'keyring' CHECK (secret_storage IN ('keyring', 'insecure_fallback')),
    status_message TEXT NOT NULL DEFAULT '',
    token_updated_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (selling_partner_id, marketplace_id)
);

CREATE TABLE sync_cursor (
    store_id INTEGER NOT NULL REFERENCES store (id) ON DELETE CASCADE,
    job TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (store_id, job)
);

CREATE TABLE warehouse (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    is_primary INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX warehouse_one_primary ON warehouse (is_primary) WHERE is_primary = 1;

CREATE TABLE product (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    barcode TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

CREATE TABLE listing (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES store (id) ON DELETE CASCADE,
    seller_sku TEXT NOT NULL,
    asin TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    product_type TEXT NOT NULL DEFAULT 'PRODUCT',
    fulfillment_channel TEXT NOT NULL DEFAULT 'DEFAULT',
    status TEXT NOT NULL DEFAULT '',
    amazon_quantity INTEGER,
    product_id INTEGER REFERENCES product (id) ON DELETE SET NULL,
    opened_at TEXT,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    gone_at TEXT,
    pushed_quantity INTEGER,
    pushed_at TEXT,
    push_state TEXT NOT NULL DEFAULT 'none' CHECK (push_state IN ('none', 'sent', 'accepted', 'rejected')),
    push_issues TEXT NOT NULL DEFAULT '',
    UNIQUE (store_id, seller_sku)
);

CREATE TABLE sku_alias (
    id INTEGER PRIMARY KEY,
    store_id INTEGER REFERENCES store (id) ON DELETE CASCADE,
    seller_sku TEXT NOT NULL,
    product_id INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    UNIQUE (store_id, seller_sku)
);

CREATE TABLE inventory_level (
    product_id INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    warehouse_id INTEGER NOT NULL REFERENCES warehouse (id) ON DELETE CASCADE,
    on_hand INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (product_id, warehouse_id)
);

CREATE TABLE inventory_adjustment (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
    warehouse_id INTEGER NOT NULL REFERENCES warehouse (id) ON DELETE CASCADE,
    delta INTEGER NOT NULL,
    on_hand_after INTEGER NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'user',
    created_at TEXT NOT NULL
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES store (id) ON DELETE CASCADE,
    amazon_order_id TEXT NOT NULL,
    marketplace_id TEXT NOT NULL DEFAULT '',
    amazon_status TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('held', 'released', 'partially_shipped', 'shipped', 'canceled')),
    payment_hold INTEGER NOT NULL DEFAULT 0,
    needs_mapping INTEGER NOT NULL DEFAULT 0,
    purchase_date TEXT,
    amazon_updated_at TEXT,
    earliest_ship_date TEXT,
    latest_ship_date TEXT,
    latest_delivery_date TEXT,
    service_level TEXT NOT NULL DEFAULT '',
    is_prime INTEGER NOT NULL DEFAULT 0,
    is_business INTEGER NOT NULL DEFAULT 0,
    buyer_name TEXT NOT NULL DEFAULT '',
    ship_name TEXT NOT NULL DEFAULT '',
    ship_company TEXT NOT NULL DEFAULT '',
    ship_address1 TEXT NOT NULL DEFAULT '',
    ship_address2 TEXT NOT NULL DEFAULT '',
    ship_address3 TEXT NOT NULL DEFAULT '',
    ship_city TEXT NOT NULL DEFAULT '',
    ship_state TEXT NOT NULL DEFAULT '',
    ship_postal_code TEXT NOT NULL DEFAULT '',
    ship_country TEXT NOT NULL DEFAULT '',
    ship_phone TEXT NOT NULL DEFAULT '',
    total_amount TEXT NOT NULL DEFAULT '',
    currency TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (store_id, amazon_order_id)
);

CREATE TABLE order_item (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    order_item_id TEXT NOT NULL,
    seller_sku TEXT NOT NULL,
    asin TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    product_id INTEGER REFERENCES product (id) ON DELETE SET NULL,
    quantity INTEGER NOT NULL,
    quantity_shipped INTEGER NOT NULL DEFAULT 0,
    unit_price TEXT NOT NULL DEFAULT '',
    UNIQUE (order_id, order_item_id)
);

CREATE TABLE package (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    package_reference_id INTEGER NOT NULL CHECK (package_reference_id > 0),
    carrier_code TEXT NOT NULL,
    carrier_name TEXT NOT NULL DEFAULT '',
    shipping_method TEXT NOT NULL DEFAULT '',
    tracking_number TEXT NOT NULL,
    ship_date TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'amazon')),
    push_state TEXT NOT NULL DEFAULT 'queued' CHECK (push_state IN ('queued', 'sent', 'confirmed', 'rejected')),
    push_message TEXT NOT NULL DEFAULT '',
    pushed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (order_id, package_reference_id)
);

CREATE TABLE package_item (
    id INTEGER PRIMARY KEY,
    package_id INTEGER NOT NULL REFERENCES package (id) ON DELETE CASCADE,
    order_item_id INTEGER NOT NULL REFERENCES order_item (id) ON DELETE CASCADE,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    UNIQUE (package_id, order_item_id)
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    store_id INTEGER NOT NULL REFERENCES store (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('confirm_shipment')),
    ref_id INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, ref_id)
);

CREATE TABLE sync_run (
    id INTEGER PRIMARY KEY,
    store_id INTEGER REFERENCES store (id) ON DELETE CASCADE,
    job TEXT NOT NULL,
    trigger TEXT NOT NULL DEFAULT 'manual',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed', 'canceled')),
    fetched INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    api_calls INTEGER NOT NULL DEFAULT 0,
    throttled INTEGER NOT NULL DEFAULT 0,
    throttle_wait_s REAL NOT NULL DEFAULT 0,
    request_ids TEXT NOT NULL DEFAULT '',
    summary TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT ''
);

CREATE TABLE order_event (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT ''
);

INSERT INTO warehouse (name, is_primary) VALUES ('Primary warehouse', 1);

-- Client-side SP-API rate-limit buckets, persisted so that separate runs (CLI processes, app restarts) do not
-- each start with a full burst and overrun Amazon's limits. key = "<seller>|<region>|<operation>".
CREATE TABLE rate_bucket (
    key TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    updated_at REAL NOT NULL
);
