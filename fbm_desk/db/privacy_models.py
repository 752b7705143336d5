"""peewee models of buyer data protection (``schema_privacy.sql``): the workspace row, the blind name index and
the access trail. Kept beside ``models.py``, which maps the rest."""

from __future__ import annotations

import peewee as pw

from fbm_desk.db.models import BaseModel, Order


class Workspace(BaseModel):
    id = pw.IntegerField(primary_key=True)
    workspace_id = pw.TextField()
    key_check = pw.TextField()
    created_at = pw.TextField()
    retention_days = pw.IntegerField(default=30)


class BuyerNameToken(BaseModel):
    order_id: int  # foreign key value (typing only)
    order = pw.ForeignKeyField(Order, on_delete="CASCADE", column_name="order_id")
    token = pw.IntegerField()

    class Meta:
        table_name = "buyer_name_token"
        primary_key = False


class AccessTrail(BaseModel):
    id = pw.AutoField()
    at = pw.TextField()
    action = pw.TextField()
    purpose = pw.TextField(default="")
    order_count = pw.IntegerField()
    order_ids = pw.TextField(default="")
    user_name = pw.TextField()
    station = pw.TextField()

    class Meta:
        table_name = "access_trail"


PRIVACY_MODELS: tuple[type[BaseModel], ...] = (Workspace, BuyerNameToken, AccessTrail)
