-- The import writes one rule_firing row per firing (bench/bench_rules.py): the row no longer carries a
-- foreign key to rule nor an index on rule_id, each of which cost a b-tree lookup or insert per firing.
-- A rule's firings go when the rule goes: fbm_desk.db.rules.save_rules (the only place a rule is deleted)
-- deletes them in the same transaction. An order's firings still go with the order (ON DELETE CASCADE,
-- found by the primary key's first column).
CREATE TABLE rule_firing_speed (
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    rule_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (order_id, rule_id)
) WITHOUT ROWID;
INSERT INTO rule_firing_speed (order_id, rule_id, at)
    SELECT order_id, rule_id, at FROM rule_firing WHERE rule_id IN (SELECT id FROM rule);
DROP TABLE rule_firing;
ALTER TABLE rule_firing_speed RENAME TO rule_firing;
