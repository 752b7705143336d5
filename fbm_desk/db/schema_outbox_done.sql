-- A package's push queue entry goes once Amazon confirmed the package (fbm_desk.db.packages.drop_outbox): a
-- 'done' row per package, kept forever and read by nothing, was ~100 B per order at a million orders.
DELETE FROM outbox WHERE state = 'done';
