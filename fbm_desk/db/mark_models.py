"""peewee models of automation rules and what they (and staff) put on an order: firings, tags, notes, holds
(``schema_rules.sql``, ``schema_rules_speed.sql``). Kept beside ``models.py``, which maps the rest."""

from __future__ import annotations

import peewee as pw

from fbm_desk.db.models import BaseModel, FlagField, Order, utcnow_iso


class Rule(BaseModel):
    id = pw.AutoField()
    position = pw.IntegerField()
    name = pw.TextField(unique=True)
    enabled = FlagField(default=True)
    conditions = pw.TextField(default="[]")  # validated JSON (fbm_desk.db.rule_engine)
    actions = pw.TextField(default="[]")
    created_at = pw.TextField(default=utcnow_iso)
    updated_at = pw.TextField(default=utcnow_iso)


class RuleFiring(BaseModel):
    order_id: int  # foreign key value (typing only)
    # no foreign key to rule (schema_rules_speed.sql): rules.save_rules deletes a removed rule's firings
    rule = pw.IntegerField(column_name="rule_id")
    order = pw.ForeignKeyField(Order, on_delete="CASCADE", column_name="order_id")
    at = pw.TextField()

    class Meta:
        primary_key = pw.CompositeKey("order", "rule")


class OrderTag(BaseModel):
    order_id: int  # foreign key value (typing only)
    order = pw.ForeignKeyField(Order, on_delete="CASCADE", column_name="order_id")
    tag = pw.TextField()

    class Meta:
        primary_key = pw.CompositeKey("order", "tag")


class OrderNote(BaseModel):
    id = pw.AutoField()
    order_id: int  # foreign key value (typing only)
    order = pw.ForeignKeyField(Order, on_delete="CASCADE", column_name="order_id")
    at = pw.TextField()
    source = pw.TextField(default="")
    text = pw.TextField()


class OrderHold(BaseModel):
    id = pw.AutoField()
    order_id: int  # foreign key value (typing only)
    order = pw.ForeignKeyField(Order, on_delete="CASCADE", column_name="order_id")
    kind = pw.TextField()
    until_at = pw.TextField(null=True)
    reason = pw.TextField(default="")
    created_by = pw.TextField(default="")
    created_at = pw.TextField()
    released_at = pw.TextField(null=True)
    released_by = pw.TextField(default="")
    release_reason = pw.TextField(default="")


MARK_MODELS: tuple[type[BaseModel], ...] = (Rule, RuleFiring, OrderTag, OrderNote, OrderHold)
