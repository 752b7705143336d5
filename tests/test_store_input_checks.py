"""What a user, a script or a browser hands us is checked before a store is saved (issue 11, item 10).

``store add`` in process (``fbm_desk.cli.main``) against the built-in sandbox: a seller id that is not
Amazon's format, token bytes that are not text, a token without Amazon's ``Atzr|`` prefix and a token Login
with Amazon refuses (``invalid_grant``) exit 2 and store nothing; the sandbox's own token is added. A consent
redirect whose ``selling_partner_id`` was changed (right state, real code) is refused.
"""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fbm_desk.cli import main
from fbm_desk.core import CoreServices
from fbm_desk.db import stores as store_db
from fbm_desk.foundation.errors import FbmError
from fbm_desk.oauth import ConnectFlow, ConnectRequest
from fbm_desk.sandbox import RunningSandbox
from tests.support.oauth_browser import consent_redirect, follow, with_params

pytestmark = pytest.mark.e2e


class _Stdin:
    """A piped stdin carrying raw bytes."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)

    def isatty(self) -> bool:
        return False


def _add(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path, seller: str, token: bytes, name: str = "Acme US"
) -> int:
    monkeypatch.setattr("sys.stdin", _Stdin(token))
    return main(
        [
            *("--data-dir", str(data_dir), "store", "add", "--name", name, "--marketplace", "US"),
            *("--selling-partner-id", seller, "--refresh-token-stdin"),
        ]
    )


@pytest.fixture
def amazon(quiet: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> RunningSandbox:
    for key, value in quiet.env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("FBM_DESK_CREDENTIALS", "file")  # each main() is a new process's worth of services
    return quiet


def _stores(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["--data-dir", str(data_dir), "store", "list", "--json"]) == 0
    return [line for line in capsys.readouterr().out.splitlines() if line != "[]"]


@pytest.mark.parametrize(
    ("seller", "token", "message"),
    [
        ("a2sandboxdemo1", b"", "not an Amazon seller id"),
        ("A2SANDBOX DEMO", b"", "not an Amazon seller id"),
        ("\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", b"", "not an Amazon seller id"),
        ("A1", b"", "not an Amazon seller id"),
        ("SELLER", b"Atzr|\xff\xfe\x80abc\n", "not plain text"),
        ("SELLER", b"garbage-token\n", "not an Amazon refresh token"),
        ("SELLER", b"Atzr|IwEBmistypedToken\n", "invalid_grant"),
    ],
)
def test_store_add_refuses_bad_input_and_stores_nothing(
    amazon: RunningSandbox,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    seller: str,
    token: bytes,
    message: str,
) -> None:
    seller = amazon.info.selling_partner_id if seller == "SELLER" else seller
    token = token or (amazon.info.refresh_token + "\n").encode()
    assert _add(monkeypatch, data_dir, seller, token) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "internal error" not in err.lower()
    assert amazon.info.refresh_token not in err
    assert _stores(data_dir, capsys) == []


def test_store_add_with_amazons_token_works(
    amazon: RunningSandbox,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = (amazon.info.refresh_token + "\n").encode()
    assert _add(monkeypatch, data_dir, amazon.info.selling_partner_id, token) == 0
    assert "Added store 'Acme US'" in capsys.readouterr().out


def test_a_tampered_seller_id_in_the_redirect_is_refused(store_core: CoreServices) -> None:
    with (
        ThreadPoolExecutor(max_workers=1) as pool,
        ConnectFlow(store_core, ConnectRequest(name="Maple US", marketplace="US")) as flow,
    ):
        url = flow.start()
        future = pool.submit(flow.wait, 60)
        location = consent_redirect(url)
        page = follow(with_params(location, selling_partner_id="A3OTHERSELLER9"))  # right state, real code
        with pytest.raises(FbmError, match="did not give this authorization"):
            future.result(timeout=60)
    assert page.status_code == 400
    assert store_db.list_stores() == []


def test_reconnect_with_a_refused_token_keeps_the_old_one(
    amazon: RunningSandbox,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    good = (amazon.info.refresh_token + "\n").encode()
    assert _add(monkeypatch, data_dir, amazon.info.selling_partner_id, good) == 0
    monkeypatch.setattr("sys.stdin", _Stdin(b"Atzr|IwEBrevokedOrMistyped\n"))
    argv = ["--data-dir", str(data_dir), "store", "reconnect", "--name", "Acme US", "--refresh-token-stdin"]
    assert main(argv) == 2
    assert "invalid_grant" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", _Stdin(b""))
    assert main(["--data-dir", str(data_dir), "sync", "orders", "--json"]) == 0  # the old token still works
