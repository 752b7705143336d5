-- Storage at a million orders, continued (issue 19): the sealed buyer fields as bytes on SQLite.
--
-- SQLite: each sealed value "pii1:" || base64(nonce || ciphertext || tag) becomes the BLOB
-- x'01' || nonce || ciphertext || tag (fbm_desk.db.sealed_values): 21 to 25 bytes less per field, the same
-- AES-GCM value (same nonce, tag and column as associated data), so no key is needed and a station without
-- it converts its file too. pii_binary() is a function the migration's connection registers
-- (connection._apply_migrations); it leaves plain, empty and already converted values as they are. The app
-- writes bytes from now on; readers open both forms. No trigger of orders watches these columns, and no index
-- or generated column reads them.
--
-- Updated in place, not rebuilt: a rebuild of orders (16 indexes, triggers, generated sort keys) would take
-- several times as long at a million orders. The shrunk rows leave room in their pages that the table's
-- later updates reuse; a new file is compact from the start (README's storage row has the figures).
--
-- PostgreSQL keeps the text form (its columns are TEXT): nothing to do there.
/*sqlite*/UPDATE orders SET
    buyer_name = pii_binary(buyer_name),
    ship_name = pii_binary(ship_name),
    ship_company = pii_binary(ship_company),
    ship_address1 = pii_binary(ship_address1),
    ship_address2 = pii_binary(ship_address2),
    ship_address3 = pii_binary(ship_address3),
    ship_phone = pii_binary(ship_phone),
    ship_extended = pii_binary(ship_extended),
    delivery_instructions = pii_binary(delivery_instructions)
WHERE substr(buyer_name, 1, 5) = 'pii1:' OR substr(ship_name, 1, 5) = 'pii1:'
    OR substr(ship_company, 1, 5) = 'pii1:' OR substr(ship_address1, 1, 5) = 'pii1:'
    OR substr(ship_address2, 1, 5) = 'pii1:' OR substr(ship_address3, 1, 5) = 'pii1:'
    OR substr(ship_phone, 1, 5) = 'pii1:' OR substr(ship_extended, 1, 5) = 'pii1:'
    OR substr(delivery_instructions, 1, 5) = 'pii1:';
