"""peewee models mirroring the migrated schema (``schema_v*.sql``). The SQL files own the schema; these
classes only map it. ``tests/test_db_migrations.py`` checks that every model column exists in a freshly
migrated database, so the two cannot drift apart silently. Models stay inside ``fbm_desk.db``: queries hand
frozen dataclasses (``fbm_desk.db.rows``) to the rest of the app."""

from __future__ import annotations

from datetime import UTC, datetime

import peewee as pw

from fbm_desk.db.sealed_values import SealedField
from fbm_desk.db.states import (
    ListingPushState,
    OutboxState,
    PackageSource,
    PushState,
    StoreStatus,
    SyncRunStatus,
)
from fbm_desk.db.stations import current_os_user, current_station
from fbm_desk.db.time_fields import SecondsTextField

database_proxy = pw.DatabaseProxy()  # bound at runtime by ``fbm_desk.db.connection.open_database``


def utcnow_iso() -> str:
    """Current UTC time as the ISO 8601 text stored in every timestamp column."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FlagField(pw.IntegerField):
    """A yes/no column stored as integer 0/1 on both backends, so hand-written SQL says ``flag = 1`` on both."""

    def db_value(self, value: object) -> int | None:
        return None if value is None else int(bool(value))

    def python_value(self, value: object) -> bool | None:
        return None if value is None else bool(value)


class BaseModel(pw.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Store(BaseModel):
    id = pw.AutoField()
    name = pw.TextField(unique=True)
    marketplace_id = pw.TextField()
    region = pw.TextField()
    selling_partner_id = pw.TextField()
    status = pw.TextField(default=StoreStatus.CONNECTED)
    download_products_orders = FlagField(default=True)
    import_pending = FlagField(default=False)
    starting_inventory = pw.TextField(default="match")
    remove_stock_external = FlagField(default=False)
    require_item_scan = FlagField(default=True)
    secret_storage = pw.TextField(default="keyring")
    status_message = pw.TextField(default="")
    token_updated_at = pw.TextField(null=True)
    created_at = pw.TextField(default=utcnow_iso)
    routing = pw.TextField(default="primary")  # primary | priority (schema_warehouses.sql)
    allow_split = FlagField(default=False)
    removing_since = pw.TextField(null=True)  # being removed in steps (db/store_removal.py)


class SyncCursor(BaseModel):
    store_id: int  # foreign key value (typing only)
    store = pw.ForeignKeyField(Store, on_delete="CASCADE", column_name="store_id")
    job = pw.TextField()
    value = pw.TextField()
    updated_at = pw.TextField(default=utcnow_iso)

    class Meta:
        primary_key = pw.CompositeKey("store", "job")


class Warehouse(BaseModel):
    id = pw.AutoField()
    name = pw.TextField(unique=True)
    is_primary = FlagField(default=False)
    priority = pw.IntegerField(default=1)  # routing order, lowest first (schema_warehouses.sql)
    active = FlagField(default=True)
    ship_name = pw.TextField(default="")
    ship_address1 = pw.TextField(default="")
    ship_address2 = pw.TextField(default="")
    ship_city = pw.TextField(default="")
    ship_state = pw.TextField(default="")
    ship_postal_code = pw.TextField(default="")
    ship_country = pw.TextField(default="")
    ship_phone = pw.TextField(default="")


class StoreWarehouse(BaseModel):
    """A warehouse whose stock a store offers on Amazon (a store without rows: every active warehouse)."""

    store_id: int  # foreign key value (typing only)
    warehouse_id: int  # foreign key value (typing only)
    store = pw.ForeignKeyField(Store, on_delete="CASCADE", column_name="store_id")
    warehouse = pw.ForeignKeyField(Warehouse, on_delete="CASCADE", column_name="warehouse_id")

    class Meta:
        primary_key = pw.CompositeKey("store", "warehouse")  # a WITHOUT ROWID table in the schema


class Product(BaseModel):
    id = pw.AutoField()
    sku = pw.TextField(unique=True)
    title = pw.TextField(default="")
    barcode = pw.TextField(default="")
    created_at = pw.TextField(default=utcnow_iso)
    bin = pw.TextField(default="")  # bin location ('' = not set)
    low_stock = pw.IntegerField(null=True)  # low when available <= this (None = no alert)
    weight_g = pw.IntegerField(null=True)  # one unit's shipping weight (schema_buy_shipping.sql)


class StockSummary(BaseModel):
    """A product's row of the stock model kept for the Inventory tab (``db/stock_summary.py``); ``dirty``: an
    input changed since it was computed (set by the schema's triggers), readers compute it live."""

    product_id: int  # foreign key value (typing only)
    product = pw.ForeignKeyField(Product, on_delete="CASCADE", column_name="product_id", primary_key=True)
    dirty = FlagField(default=True)
    on_hand = pw.IntegerField(default=0)
    allocated = pw.IntegerField(default=0)
    available = pw.IntegerField(default=0)
    pushed_quantity = pw.IntegerField(null=True)
    pushed_at = pw.TextField(null=True)
    push_state = pw.TextField(default="none")
    push_issues = pw.TextField(default="")
    listings = pw.IntegerField(default=0)
    to_send = pw.IntegerField(default=0)
    amazon_shows = pw.IntegerField(null=True)
    amazon_read_at = pw.TextField(null=True)


class Listing(BaseModel):
    id = pw.AutoField()
    store_id: int  # foreign key value (typing only)
    product_id: int | None  # foreign key value (typing only)
    store = pw.ForeignKeyField(Store, on_delete="CASCADE", column_name="store_id")
    seller_sku = pw.TextField()
    asin = pw.TextField(default="")
    title = pw.TextField(default="")
    product_type = pw.TextField(default="PRODUCT")
    fulfillment_channel = pw.TextField(default="DEFAULT")
    status = pw.TextField(default="")
    amazon_quantity = pw.IntegerField(null=True)
    product = pw.ForeignKeyField(Product, null=True, on_delete="SET NULL", column_name="product_id")
    opened_at = pw.TextField(null=True)
    first_seen_at = pw.TextField(default=utcnow_iso)
    last_seen_at = pw.TextField(default=utcnow_iso)
    gone_at = pw.TextField(null=True)
    pushed_quantity = pw.IntegerField(null=True)
    pushed_at = pw.TextField(null=True)
    push_state = pw.TextField(default=ListingPushState.NONE)
    push_issues = pw.TextField(default="")
    amazon_quantity_at = pw.TextField(null=True)  # when ``amazon_quantity`` was read (an import)
    feed_id = pw.TextField(null=True)  # the feed still carrying its quantity (push_state 'sent')
    feed_message_id = pw.IntegerField(null=True)
    feed_quantity = pw.IntegerField(null=True)
    image_url = pw.TextField(default="")  # summaries.mainImage.link ('' = not known yet)
    image_checked_at = pw.TextField(null=True)  # when the link was last read (None = never)


class SkuAlias(BaseModel):
    id = pw.AutoField()
    store_id: int | None  # foreign key value (typing only)
    product_id: int  # foreign key value (typing only)
    store = pw.ForeignKeyField(Store, null=True, on_delete="CASCADE", column_name="store_id")
    seller_sku = pw.TextField()
    product = pw.ForeignKeyField(Product, on_delete="CASCADE", column_name="product_id")
    created_at = pw.TextField(default=utcnow_iso)


class InventoryLevel(BaseModel):
    product_id: int  # foreign key value (typing only)
    warehouse_id: int  # foreign key value (typing only)
    product = pw.ForeignKeyField(Product, on_delete="CASCADE", column_name="product_id")
    warehouse = pw.ForeignKeyField(Warehouse, on_delete="CASCADE", column_name="warehouse_id")
    on_hand = pw.IntegerField(default=0)
    updated_at = pw.TextField(default=utcnow_iso)

    class Meta:
        primary_key = pw.CompositeKey("product", "warehouse")


class InventoryAdjustment(BaseModel):
    id = pw.AutoField()
    product_id: int  # foreign key value (typing only)
    warehouse_id: int  # foreign key value (typing only)
    product = pw.ForeignKeyField(Product, on_delete="CASCADE", column_name="product_id")
    warehouse = pw.ForeignKeyField(Warehouse, on_delete="CASCADE", column_name="warehouse_id")
    delta = pw.IntegerField()
    on_hand_after = pw.IntegerField()
    reason = pw.TextField()
    source = pw.TextField(default="user")
    created_at = pw.TextField(default=utcnow_iso)
    station = pw.TextField(default=current_station)  # who did it (schema_stations.sql)
    os_user = pw.TextField(default=current_os_user)


class Order(BaseModel):
    id = pw.AutoField()
    store_id: int  # foreign key value (typing only)
    store = pw.ForeignKeyField(Store, on_delete="CASCADE", column_name="store_id")
    amazon_order_id = pw.TextField()
    marketplace_id = pw.TextField(default="")
    amazon_status = pw.TextField()
    state = pw.TextField()
    payment_hold = FlagField(default=False)
    needs_mapping = FlagField(default=False)
    purchase_date = pw.TextField(null=True)
    amazon_updated_at = pw.TextField(null=True)
    earliest_ship_date = pw.TextField(null=True)
    latest_ship_date = pw.TextField(null=True)
    latest_delivery_date = pw.TextField(null=True)
    service_level = pw.TextField(default="")
    is_prime = FlagField(default=False)
    is_business = FlagField(default=False)
    buyer_name = SealedField(default="")
    ship_name = SealedField(default="")
    ship_company = SealedField(default="")
    ship_address1 = SealedField(default="")
    ship_address2 = SealedField(default="")
    ship_address3 = SealedField(default="")
    ship_city = pw.TextField(default="")
    ship_state = pw.TextField(default="")
    ship_postal_code = pw.TextField(default="")
    ship_country = pw.TextField(default="")
    ship_phone = SealedField(default="")
    total_amount = pw.TextField(default="")
    currency = pw.TextField(default="")
    imported_at = pw.TextField(default=utcnow_iso)
    updated_at = pw.TextField(default=utcnow_iso)
    cancel_requested = FlagField(default=False)
    cancel_reason = pw.TextField(default="")
    programs = pw.TextField(default="")
    associated_orders = pw.TextField(default="")
    buyer_po_number = pw.TextField(default="")
    ship_district = pw.TextField(default="")
    ship_municipality = pw.TextField(default="")
    ship_address_type = pw.TextField(default="")
    ship_extended = SealedField(default="")
    delivery_instructions = SealedField(default="")
    priority = pw.TextField(default="normal")  # schema_rules
    default_carrier = pw.TextField(default="")  # schema_rules: a rule's set_carrier
    default_method = pw.TextField(default="")  # schema_rules: a rule's set_method
    warehouse_id = pw.IntegerField(null=True)  # allocated to (NULL: primary; schema_warehouses.sql)
    pii_purged_at = pw.TextField(null=True)  # buyer data removed (schema_privacy.sql)
    pii_purged_days = pw.IntegerField(null=True)  # ... after this many days

    class Meta:
        table_name = "orders"


class OrderItem(BaseModel):
    id = pw.AutoField()
    order_id: int  # foreign key value (typing only)
    product_id: int | None  # foreign key value (typing only)
    order = pw.ForeignKeyField(Order, on_delete="CASCADE", column_name="order_id", backref="items")
    order_item_id = pw.TextField()
    seller_sku = pw.TextField()
    asin = pw.TextField(default="")
    title = pw.TextField(default="")
    product = pw.ForeignKeyField(Product, null=True, on_delete="SET NULL", column_name="product_id")
    quantity = pw.IntegerField()
    quantity_shipped = pw.IntegerField(default=0)
    unit_price = pw.TextField(default="")
    warehouse_id = pw.IntegerField(null=True)  # a split order's item: its own warehouse (NULL: the order's)


class Package(BaseModel):
    id = pw.AutoField()
    order_id: int  # foreign key value (typing only)
    order = pw.ForeignKeyField(Order, on_delete="CASCADE", column_name="order_id", backref="packages")
    package_reference_id = pw.IntegerField()
    carrier_code = pw.TextField()
    carrier_name = pw.TextField(default="")
    shipping_method = pw.TextField(default="")
    tracking_number = pw.TextField()
    ship_date = SecondsTextField()  # whole seconds on SQLite (schema_package_times.sql), ISO text to the app
    source = pw.TextField(default=PackageSource.LOCAL)
    push_state = pw.TextField(default=PushState.QUEUED)
    push_message = pw.TextField(default="")
    pushed_at = SecondsTextField(null=True)
    created_at = SecondsTextField(default=utcnow_iso)
    updated_at = SecondsTextField(default=utcnow_iso)
    station = pw.TextField(default=current_station)  # who recorded it (schema_stations.sql)
    os_user = pw.TextField(default=current_os_user)


class PackageItem(BaseModel):
    id = pw.AutoField()
    package_id: int  # foreign key value (typing only)
    order_item_id: int  # foreign key value (typing only)
    package = pw.ForeignKeyField(Package, on_delete="CASCADE", column_name="package_id", backref="items")
    order_item = pw.ForeignKeyField(OrderItem, on_delete="CASCADE", column_name="order_item_id")
    quantity = pw.IntegerField()


class Outbox(BaseModel):
    id = pw.AutoField()
    store_id: int  # foreign key value (typing only)
    store = pw.ForeignKeyField(Store, on_delete="CASCADE", column_name="store_id")
    kind = pw.TextField()
    ref_id = pw.IntegerField()
    state = pw.TextField(default=OutboxState.PENDING)
    attempts = pw.IntegerField(default=0)
    last_error = pw.TextField(default="")
    created_at = pw.TextField(default=utcnow_iso)
    updated_at = pw.TextField(default=utcnow_iso)


class SyncRun(BaseModel):
    id = pw.AutoField()
    store_id: int | None  # foreign key value (typing only)
    store = pw.ForeignKeyField(Store, null=True, on_delete="CASCADE", column_name="store_id")
    job = pw.TextField()
    trigger = pw.TextField(default="manual")
    started_at = pw.TextField(default=utcnow_iso)
    finished_at = pw.TextField(null=True)
    status = pw.TextField(default=SyncRunStatus.RUNNING)
    fetched = pw.IntegerField(default=0)
    created = pw.IntegerField(default=0)
    updated = pw.IntegerField(default=0)
    skipped = pw.IntegerField(default=0)
    rejected = pw.IntegerField(default=0)
    api_calls = pw.IntegerField(default=0)
    throttled = pw.IntegerField(default=0)
    throttle_wait_s = pw.FloatField(default=0.0)
    request_ids = pw.TextField(default="")
    summary = pw.TextField(default="")
    error = pw.TextField(default="")
    pid = pw.IntegerField(default=0)  # the process running it (schema v4)
    process_start = pw.TextField(default="")  # which process had that pid (schema_sync_run_process.sql)
    host = pw.TextField(default="")  # the station (computer) that ran it (schema_workspace_sync.sql)


class OrderEvent(BaseModel):
    id = pw.AutoField()
    order_id: int  # foreign key value (typing only)
    order = pw.ForeignKeyField(Order, on_delete="CASCADE", column_name="order_id", backref="events")
    at = pw.TextField(default=utcnow_iso)
    kind = pw.TextField()
    message = pw.TextField(default="")
    station = pw.TextField(default=current_station)  # who did it (schema_stations.sql)
    os_user = pw.TextField(default=current_os_user)


class RateBucket(BaseModel):
    key = pw.TextField(primary_key=True)
    tokens = pw.FloatField()
    updated_at = pw.FloatField()


class JobLock(BaseModel):
    """The holder of a store's job lock (``fbm_desk.db.job_locks``)."""

    store = pw.ForeignKeyField(Store, primary_key=True, column_name="store_id", on_delete="CASCADE")
    job = pw.TextField()
    owner = pw.TextField()
    host = pw.TextField()
    pid = pw.IntegerField()
    process_started = pw.FloatField()
    acquired_at = pw.TextField()
    lease_until = pw.FloatField()


class StoreSecret(BaseModel):
    """A store's refresh token sealed with the workspace key (shared workspace only)."""

    store = pw.ForeignKeyField(Store, primary_key=True, column_name="store_id", on_delete="CASCADE")
    sealed = pw.BlobField()
    updated_at = pw.TextField()


ALL_MODELS: tuple[type[BaseModel], ...] = (
    Store,
    SyncCursor,
    Warehouse,
    StoreWarehouse,
    Product,
    Listing,
    SkuAlias,
    InventoryLevel,
    InventoryAdjustment,
    Order,
    OrderItem,
    Package,
    PackageItem,
    Outbox,
    SyncRun,
    OrderEvent,
    RateBucket,
    JobLock,
    StoreSecret,
)
