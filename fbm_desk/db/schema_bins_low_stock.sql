-- Bin locations and low-stock levels (issue 17): where a product sits in the warehouse (printed on pick lists,
-- shown in the pack dialog; '' = not set) and the available quantity at or below which it counts as low on
-- stock (NULL = no alert).
ALTER TABLE product ADD COLUMN bin TEXT NOT NULL DEFAULT '' CHECK (length(bin) <= 40);
ALTER TABLE product ADD COLUMN low_stock INTEGER CHECK (low_stock IS NULL OR low_stock >= 0);
