-- Schema version 4: which process owns a running sync, so a run left "running" by a process that died
-- (crash, kill, power loss) is found and marked interrupted at the next start.
ALTER TABLE sync_run ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;
