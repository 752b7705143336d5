-- Which process owns a running sync, precisely: a process id is reused after its process ends, so a run left
-- "running" by a dead process looked alive as long as another process had that id. process_start identifies
-- the process itself (on Linux: boot id + start time from /proc/<pid>/stat; '' where unknown).
ALTER TABLE sync_run ADD COLUMN process_start TEXT NOT NULL DEFAULT '';
