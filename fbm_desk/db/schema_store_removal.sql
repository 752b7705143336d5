-- Removing a store in steps (issue 19): a store of 100,000 orders took 18 s to delete in one transaction, holding
-- the write lock (and the window) all that time. Its removal now starts by stamping the store, then deletes its
-- orders, sync history and listings a few hundred rows per transaction, and the store row last
-- (fbm_desk.db.store_removal). A store with a stamp is being removed: no job syncs it, and whoever opens the
-- database next finishes a removal a crash interrupted.
ALTER TABLE store ADD COLUMN removing_since TEXT;
