"""A list command piped into ``head`` stops quietly, like a Unix tool (issue 11, item 11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fbm_desk.db import OpenedDatabase
from fbm_desk.db.stores import insert_store
from tests.test_packing import amazon_order, put

REPO = Path(__file__).resolve().parent.parent
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE, as a shell reports a tool ended by a closed pipe


@pytest.mark.parametrize("as_json", [False, True])
def test_list_into_a_closed_pipe_exits_quietly(db: OpenedDatabase, data_dir: Path, as_json: bool) -> None:
    store = insert_store(
        name="Shop", marketplace_id="ATVPDKIKX0DER", region="NA", selling_partner_id="A1SELLER"
    )
    put(store, *(amazon_order(f"114-000000{n}-000000{n}") for n in range(5)))
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte (``head -0``): every write meets EPIPE
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "fbm_desk", "--data-dir", str(data_dir), "orders", "list"]
            + (["--json"] if as_json else []),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert proc.stderr == ""
    assert proc.returncode == EXIT_PIPE_CLOSED
