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

-- Carrier codes follow Amazon's CarrierCode list (fbm_desk/domain/carriers.py). Packages not yet sent (queued or
-- refused) keep working after the update: the old, misspelled Japanese codes get Amazon's spelling, and a carrier
-- Amazon does not list goes as "Other" with its name, as Amazon accepts it.
UPDATE package SET carrier_code = 'YamatoTransport' WHERE carrier_code = 'Yamato Transport'
    AND source = 'local' AND push_state IN ('queued', 'rejected');
UPDATE package SET carrier_code = 'SagawaExpress' WHERE carrier_code = 'Sagawa Express'
    AND source = 'local' AND push_state IN ('queued', 'rejected');
UPDATE package SET carrier_code = 'Hermes Logistik Gruppe' WHERE carrier_code = 'Hermes'
    AND source = 'local' AND push_state IN ('queued', 'rejected');
UPDATE package
SET carrier_name = CASE WHEN carrier_name = '' THEN
        CASE carrier_code WHEN 'DHL-Paket' THEN 'DHL Paket' ELSE carrier_code END
    ELSE carrier_name END,
    carrier_code = 'Other'
WHERE carrier_code IN ('DHL Express', 'DHL eCommerce', 'DHL-Paket', 'Purolator', 'Colissimo', 'BRT', 'Japan Post',
                       'Estafeta', 'Asendia', 'InPost')
    AND source = 'local' AND push_state IN ('queued', 'rejected');
