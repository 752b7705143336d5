"""The rules and holds commands as a script runs them (issue 15's public contract): subprocesses against the
sandbox over loopback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fbm_desk.sandbox import RunningSandbox
from tests.support.sync_env import merchant_skus, settle
from tests.test_cli_sync import Cli

pytestmark = pytest.mark.e2e

TEST_FIELDS = {"rule", "matched", "failed_condition", "actions"}


@pytest.fixture
def cli(quiet: RunningSandbox, tmp_path: Path) -> Cli:
    return Cli(quiet, tmp_path / "data")


def write(path: Path, rules: object) -> str:
    path.write_text(json.dumps(rules), encoding="utf-8")
    return str(path)


def rules_for(sku: str) -> list[dict[str, object]]:
    return [
        {
            "name": "Big orders on hold",
            "enabled": True,
            "conditions": [{"field": "units", "op": "greater_than", "value": 2}],
            "actions": [{"type": "set_hold", "value": "operator"}, {"type": "add_tag", "value": "big"}],
        },
        {
            "name": "Alaska",
            "enabled": True,
            "conditions": [
                {"field": "sku", "op": "equals", "value": sku},
                {"field": "ship_state", "op": "in", "value": ["ZZ", "YY"]},
            ],
            "actions": [{"type": "set_priority", "value": "urgent"}],
        },
    ]


def test_rules_import_test_hold_blocks_ship_release(cli: Cli, quiet: RunningSandbox, tmp_path: Path) -> None:
    cli.add_store("Demo US")
    sku = merchant_skus(quiet, 1)[0]
    proc = cli.run("rules", "import", write(tmp_path / "rules.json", rules_for(sku)))
    assert proc.returncode == 0, proc.stderr
    assert cli.json("rules", "list", "--json") == rules_for(sku)
    order_id = quiet.world.add_order(skus={sku: 3})
    settle(quiet, order_id)
    assert cli.run("sync", "orders").returncode == 0

    results = cli.json("rules", "test", order_id, "--json")
    assert isinstance(results, list)
    assert [set(r) for r in results] == [TEST_FIELDS, TEST_FIELDS]
    big, alaska = results
    assert (big["rule"], big["matched"], big["failed_condition"]) == ("Big orders on hold", True, None)
    assert big["actions"] == [{"type": "set_hold", "value": "operator"}, {"type": "add_tag", "value": "big"}]
    assert alaska["matched"] is False
    assert alaska["failed_condition"].startswith("ship-to state was ")
    assert alaska["failed_condition"].endswith(", not ZZ/YY")
    assert alaska["actions"] == []

    (order,) = cli.json("orders", "list", "--json")  # type: ignore[misc]
    assert (order["tags"], order["priority"], order["holds"]) == (["big"], "normal", ["operator"])
    ship = ("ship", order_id, "--carrier", "UPS", "--tracking", "1Z999AA10123456784")
    refused = cli.run(*ship)
    assert refused.returncode == 2
    assert "operator hold" in refused.stderr
    no_reason = cli.run("orders", "release", order_id, "--type", "operator")
    assert no_reason.returncode == 2
    wrong = cli.run("orders", "release", order_id, "--type", "fraud", "--reason", "checked")
    assert (wrong.returncode, "no active fraud hold" in wrong.stderr) == (2, True)
    assert cli.run("orders", "release", order_id, "--type", "operator", "--reason", "checked").returncode == 0
    assert cli.json("orders", "list", "--json")[0]["holds"] == []  # type: ignore[index]
    assert cli.run(*ship).returncode == 0

    # by hand, with a date; an unknown order id (or a row number) is refused
    assert cli.run("orders", "hold", order_id, "--type", "fraud", "--until", "2099-01-01").returncode == 0
    assert cli.json("orders", "list", "--json")[0]["holds"] == ["fraud"]  # type: ignore[index]
    assert cli.run("orders", "hold", "1", "--type", "fraud").returncode == 2


def test_invalid_rules_file_changes_nothing(cli: Cli, quiet: RunningSandbox, tmp_path: Path) -> None:
    cli.add_store("Demo US")
    sku = merchant_skus(quiet, 1)[0]
    assert cli.run("rules", "import", write(tmp_path / "good.json", rules_for(sku))).returncode == 0
    before = cli.query("SELECT * FROM rule ORDER BY id")
    bad = rules_for(sku)
    bad.append(
        {
            "name": "Broken",
            "enabled": True,
            "conditions": [{"field": "units", "op": "between", "value": 2}],
            "actions": [{"type": "add_tag", "value": "x"}],
        }
    )
    proc = cli.run("rules", "import", write(tmp_path / "bad.json", bad[1:]))
    assert proc.returncode == 2
    assert "rule 2 (Broken), condition 1: unknown operator 'between'" in proc.stderr
    assert "Nothing was changed" in proc.stderr
    not_a_list = cli.run("rules", "import", write(tmp_path / "x.json", {"name": "x"}))
    assert (not_a_list.returncode, "JSON list" in not_a_list.stderr) == (2, True)
    assert cli.run("rules", "import", str(tmp_path / "missing.json")).returncode == 2
    (tmp_path / "broken.json").write_text("[{", encoding="utf-8")
    assert cli.run("rules", "import", str(tmp_path / "broken.json")).returncode == 2
    assert cli.query("SELECT * FROM rule ORDER BY id") == before


def test_apply_open_dry_run_then_apply(cli: Cli, quiet: RunningSandbox, tmp_path: Path) -> None:
    cli.add_store("Demo US")
    sku = merchant_skus(quiet, 1)[0]
    order_id = quiet.world.add_order(skus={sku: 4})
    settle(quiet, order_id)
    assert cli.run("sync", "orders").returncode == 0
    assert cli.run("rules", "import", write(tmp_path / "r.json", rules_for(sku)[:1])).returncode == 0
    preview = cli.json("rules", "apply", "--open", "--dry-run", "--json")
    expected = [
        {
            "amazon_order_id": order_id,
            "rule": "Big orders on hold",
            "actions": [{"type": "set_hold", "value": "operator"}, {"type": "add_tag", "value": "big"}],
        }
    ]
    assert preview == expected
    assert cli.json("orders", "list", "--json")[0]["tags"] == []  # type: ignore[index]
    assert cli.json("rules", "apply", "--open", "--json") == expected
    assert cli.json("orders", "list", "--json")[0]["tags"] == ["big"]  # type: ignore[index]
    assert cli.json("rules", "apply", "--open", "--json") == []
