-- Order details a packer needs (issue 12): the buyer's cancellation request, order programs and related
-- orders, the buyer's PO number, and the address parts Amazon sends beyond the address lines.
ALTER TABLE orders ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
ALTER TABLE orders ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN programs TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN associated_orders TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN buyer_po_number TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN ship_district TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN ship_municipality TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN ship_address_type TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN ship_extended TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN delivery_instructions TEXT NOT NULL DEFAULT '';
