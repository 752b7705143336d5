-- Who did it (issue 13, shared workspace): the station (its name in Settings → Workspace, by default the
-- computer's host name) and the operating-system user that recorded a package, a stock adjustment or a
-- timeline event. '' = recorded before stations were named (or by a step that names nobody).
ALTER TABLE package ADD COLUMN station TEXT NOT NULL DEFAULT '' CHECK (length(station) <= 100);
ALTER TABLE package ADD COLUMN os_user TEXT NOT NULL DEFAULT '' CHECK (length(os_user) <= 100);
ALTER TABLE inventory_adjustment ADD COLUMN station TEXT NOT NULL DEFAULT '' CHECK (length(station) <= 100);
ALTER TABLE inventory_adjustment ADD COLUMN os_user TEXT NOT NULL DEFAULT '' CHECK (length(os_user) <= 100);
ALTER TABLE order_event ADD COLUMN station TEXT NOT NULL DEFAULT '' CHECK (length(station) <= 100);
ALTER TABLE order_event ADD COLUMN os_user TEXT NOT NULL DEFAULT '' CHECK (length(os_user) <= 100);
