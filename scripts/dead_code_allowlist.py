"""Names the dead-code check (vulture, run by scripts/test.sh) must not report: they are used by a framework,
by name at run time or as data. Anything else it reports is dead: remove it rather than list it here."""

# ruff: noqa: B018, F821
# Called by the standard library's http.server / socketserver (handler hooks and class settings).
_.do_GET
_.do_POST
_.do_PUT
_.do_PATCH
_.do_DELETE
_.log_message
_.version_string
_.close_connection
daemon_threads
allow_reuse_address
request_queue_size
protocol_version
disable_nagle_algorithm
server_version
sys_version

# Called by Qt (virtual overrides) or kept alive for Qt.
_.eventFilter
_.fetchMore
_._about_box

# peewee model configuration.
Meta
database
legacy_table_names
primary_key
barcode  # a column of the products table, shown by the screens through SQL
released_by  # order_hold columns written by db/holds.py through update(**fields) (who released, why)
release_reason

# The sandbox's control API calls World methods by name (fbm_desk/sandbox/control.py METHODS).
_.add_orders
_.set_listing_quantity

# Vocabulary: every state, event kind and column index is named, used or not.
ACCEPTED
NEEDS_RECONNECT
DISABLED
STOCK_REMOVED
COL_DONE
COL_LEFT
OPERATOR  # hold kinds and priorities: validated and offered by iterating the enum
FRAUD
LOW
NORMAL
HIGH
URGENT
is_premium  # a rule fact read by its field name (fbm_desk/db/rule_engine.py FIELDS)

# Typed answers and rows carry the whole record they describe.
has_suspended_listings
order_item_row_id
listings_mapped

# logging.Handler hook: called by logging when a record cannot be written.
handleError

# The pack dialog's packing-note slot: automation rules (issue 15) fill it.
set_note

# peewee Field hooks (models.FlagField) and psycopg's connection setting (pg_connection.PgDatabase._connect).
db_value
python_value
cursor_factory
redact_url
