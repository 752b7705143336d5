-- Buy Shipping (issue 18): box presets (per warehouse, or for every warehouse when warehouse_id is NULL),
-- product weights, the rates Amazon quoted for an order's package (a purchase needs the quote's request
-- token, and `fbm-desk label buy` runs in another process than `label rates`), and the labels bought: the
-- package of a purchased label is already Amazon's (no confirmShipment), its label document is kept to reprint.
CREATE TABLE box_preset (
    id INTEGER PRIMARY KEY,
    warehouse_id INTEGER REFERENCES warehouse (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    length_cm REAL NOT NULL CHECK (length_cm > 0),
    width_cm REAL NOT NULL CHECK (width_cm > 0),
    height_cm REAL NOT NULL CHECK (height_cm > 0),
    tare_g INTEGER NOT NULL DEFAULT 0 CHECK (tare_g >= 0)
);
CREATE UNIQUE INDEX box_preset_name ON box_preset (COALESCE(warehouse_id, 0), name);
INSERT INTO box_preset (warehouse_id, name, length_cm, width_cm, height_cm, tare_g) VALUES
    (NULL, 'Small', 23, 17, 10, 120),
    (NULL, 'Medium', 30, 23, 15, 220),
    (NULL, 'Large', 40, 30, 25, 400);

ALTER TABLE product ADD COLUMN weight_g INTEGER CHECK (weight_g IS NULL OR weight_g > 0);

CREATE TABLE label_quote (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    request_token TEXT NOT NULL,
    rate_id TEXT NOT NULL,
    carrier_id TEXT NOT NULL,
    carrier_name TEXT NOT NULL,
    service_id TEXT NOT NULL,
    service_name TEXT NOT NULL,
    price TEXT NOT NULL,
    currency TEXT NOT NULL,
    promise TEXT,
    late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    documents TEXT NOT NULL,
    package_reference TEXT NOT NULL,
    weight_g INTEGER NOT NULL,
    items TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX label_quote_order ON label_quote (order_id, rate_id);

CREATE TABLE package_label (
    package_id INTEGER PRIMARY KEY REFERENCES package (id) ON DELETE CASCADE,
    shipment_id TEXT NOT NULL UNIQUE,
    carrier_id TEXT NOT NULL,
    service_name TEXT NOT NULL,
    price TEXT NOT NULL,
    currency TEXT NOT NULL,
    package_reference TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('PDF', 'PNG', 'ZPL')),
    document BLOB NOT NULL,
    purchased_at TEXT NOT NULL
);
