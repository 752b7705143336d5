"""The db layer's shape: no import hidden in a function to dodge a cycle, and the state enums match the schema's
CHECK lists. (Cycles and peewee outside ``fbm_desk.db`` are refused by the import contracts: ``lint-imports``.)"""

from __future__ import annotations

import ast
import json
import re
from importlib import resources
from pathlib import Path

import fbm_desk
from fbm_desk.db.states import (
    ListingPushState,
    OrderState,
    OutboxState,
    PackageSource,
    PushState,
    StoreStatus,
    SyncRunStatus,
)

PACKAGE = Path(fbm_desk.__file__).parent
DB = PACKAGE / "db"


def _imports(path: Path) -> tuple[set[str], list[str]]:
    """(modules imported at module level, modules imported inside functions) of one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: set[str] = set()
    local: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        (top.update(names) if node.col_offset == 0 else local.extend(names))
    return top, local


def test_no_function_local_imports_in_the_db_layer() -> None:
    for path in DB.glob("*.py"):
        _, local = _imports(path)
        assert not [n for n in local if n.startswith("fbm_desk")], f"{path.name} imports inside a function"


def _check_values(table: str, column: str) -> set[str]:
    """The values a CHECK constraint of ``schema_v1.sql`` allows for ``table.column``."""
    schema = resources.files("fbm_desk.db").joinpath("schema_v1.sql").read_text(encoding="utf-8")
    body = re.search(rf"CREATE TABLE {table} \((.*?)\n\);", schema, re.S)
    assert body is not None, table
    match = re.search(rf"\b{column} TEXT [^,]*CHECK \({column} IN \(([^)]*)\)\)", body.group(1))
    assert match is not None, f"{table}.{column}"
    return set(re.findall(r"'([^']*)'", match.group(1)))


def test_state_enums_are_the_stored_strings() -> None:
    assert {s.value for s in OrderState} == _check_values("orders", "state")
    assert {s.value for s in PushState} == _check_values("package", "push_state")
    assert {s.value for s in PackageSource} == _check_values("package", "source")
    assert {s.value for s in OutboxState} == _check_values("outbox", "state")
    assert {s.value for s in ListingPushState} == _check_values("listing", "push_state")
    assert {s.value for s in StoreStatus} == _check_values("store", "status")
    assert {s.value for s in SyncRunStatus} == _check_values("sync_run", "status")
    # the CLI's JSON shows the stored strings: a member serializes as its value
    assert json.dumps({"state": OrderState.HELD, "push": PushState.REJECTED}) == (
        '{"state": "held", "push": "rejected"}'
    )
