"""peewee models of Buy Shipping (``schema_buy_shipping.sql``): box presets, Amazon's rate quotes for an
order's package, and the labels bought. Kept beside ``models.py``, which maps the rest."""

from __future__ import annotations

import peewee as pw

from fbm_desk.db.models import BaseModel, FlagField, Order, Package, Warehouse


class BoxPreset(BaseModel):
    id = pw.AutoField()
    warehouse_id: int | None  # foreign key value (typing only)
    warehouse = pw.ForeignKeyField(Warehouse, null=True, on_delete="CASCADE", column_name="warehouse_id")
    name = pw.TextField()
    length_cm = pw.FloatField()
    width_cm = pw.FloatField()
    height_cm = pw.FloatField()
    tare_g = pw.IntegerField(default=0)


class LabelQuote(BaseModel):
    id = pw.AutoField()
    order_id: int  # foreign key value (typing only)
    order = pw.ForeignKeyField(Order, on_delete="CASCADE", column_name="order_id")
    request_token = pw.TextField()
    rate_id = pw.TextField()
    carrier_id = pw.TextField()
    carrier_name = pw.TextField()
    service_id = pw.TextField()
    service_name = pw.TextField()
    price = pw.TextField()
    currency = pw.TextField()
    promise = pw.TextField(null=True)  # promised delivery (end of the window), ISO 8601 UTC
    late = FlagField(default=False)
    documents = pw.TextField()  # JSON: the label formats this rate can be bought with
    package_reference = pw.TextField()
    weight_g = pw.IntegerField()
    items = pw.TextField()  # JSON: [[order item row id, quantity], ...]
    created_at = pw.TextField()


class PackageLabel(BaseModel):
    package_id: int  # foreign key value (typing only)
    package = pw.ForeignKeyField(Package, primary_key=True, on_delete="CASCADE", column_name="package_id")
    shipment_id = pw.TextField(unique=True)
    carrier_id = pw.TextField()
    service_name = pw.TextField()
    price = pw.TextField()
    currency = pw.TextField()
    package_reference = pw.TextField()
    format = pw.TextField()
    document = pw.BlobField()
    purchased_at = pw.TextField()


LABEL_MODELS: tuple[type[BaseModel], ...] = (BoxPreset, LabelQuote, PackageLabel)
