"""``db.read_budget``: a read on the window's thread that passes its time budget is stopped, on both backends."""

from __future__ import annotations

import pytest

from fbm_desk.db import OpenedDatabase, dialect
from fbm_desk.db.read_budget import ReadOverBudget, read_budget
from fbm_desk.db.transactions import transaction

# Runs for seconds on either backend (tens of millions of rows), in the same SQL on both.
_SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) SELECT count(*) FROM c"
_MEDIUM = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000) SELECT count(*) FROM c"
)


def test_a_read_past_its_budget_is_stopped_and_the_connection_reads_on(db: OpenedDatabase) -> None:
    with pytest.raises(ReadOverBudget), read_budget(20, min_steps=0):
        dialect.execute(_SLOW).fetchall()
    assert dialect.execute(_MEDIUM).fetchone()[0] == 2000  # no budget left behind
    if dialect.is_postgres():
        assert dialect.execute("SHOW statement_timeout").fetchone()[0] == "0"


def test_a_read_within_its_budget_returns_its_rows(db: OpenedDatabase) -> None:
    with read_budget(60_000, min_steps=0):
        assert dialect.execute(_MEDIUM).fetchone()[0] == 2000


@pytest.mark.sqlite_only  # PostgreSQL's budget is the server's clock alone
def test_a_small_read_is_never_stopped_however_busy_the_machine(db: OpenedDatabase) -> None:
    # the time is up before the read starts; it is still too little work to be stopped
    with read_budget(0):
        assert dialect.execute(_MEDIUM).fetchone()[0] == 2000


def test_no_budget_is_set_inside_a_transaction(db: OpenedDatabase) -> None:
    # a stopped statement could take the transaction with it: inside one, the read runs to its end
    with transaction(), read_budget(0, min_steps=0):
        assert dialect.execute(_MEDIUM).fetchone()[0] == 2000
        dialect.execute("UPDATE orders SET state = state WHERE id = 0")
    assert dialect.execute(_MEDIUM).fetchone()[0] == 2000


def test_other_errors_pass_through(db: OpenedDatabase) -> None:
    with pytest.raises(Exception) as raised, read_budget(60_000, min_steps=0):
        dialect.execute("SELECT no_such_column FROM orders").fetchall()
    assert not isinstance(raised.value, ReadOverBudget)
    assert dialect.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


@pytest.mark.sqlite_only
def test_without_the_budget_the_same_read_would_be_stopped(db: OpenedDatabase) -> None:
    # the reference for the two tests above: the read is long enough to be stopped when nothing prevents it
    with pytest.raises(ReadOverBudget), read_budget(0, min_steps=0):
        dialect.execute(_MEDIUM).fetchall()
