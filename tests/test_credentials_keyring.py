"""Issue 11 #9: a keyring backend that does not encrypt is the insecure fallback, reported and shown as such.

Uses the real ``keyrings.alt`` PlaintextKeyring (base64 in a file) and keyring's real chainer.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyrings.alt.file import PlaintextKeyring

from fbm_desk.cli import main
from fbm_desk.core import build_core
from fbm_desk.foundation.credentials import backend_encrypts, open_credentials
from fbm_desk.foundation.paths import AppPaths
from tests.support.sync_env import insert_us_store


class EncryptingKeyring(KeyringBackend):
    """Stands for Secret Service / Keychain: a backend that encrypts (kept in memory here)."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


@pytest.fixture
def plaintext(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlaintextKeyring]:
    monkeypatch.delenv("FBM_DESK_CREDENTIALS")
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring_pass.cfg")  # type: ignore[misc]
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_the_plaintext_keyring_is_not_reported_as_keyring(
    plaintext: PlaintextKeyring, tmp_path: Path
) -> None:
    credentials = open_credentials(tmp_path, "inst")
    assert credentials.backend_kind == "insecure_fallback"
    assert credentials.is_insecure
    assert "UNENCRYPTED" in credentials.describe()
    assert "PlaintextKeyring" in credentials.describe()
    credentials.set_refresh_token(1, "Atzr|secret-token")
    stored = Path(plaintext.file_path).read_text(encoding="utf-8")
    assert base64.b64encode(b"Atzr|secret-token").decode() in stored  # what "insecure" means here
    assert credentials.get_refresh_token(1) == "Atzr|secret-token"


def _chain(*members: KeyringBackend) -> ChainerBackend:
    """keyring's chainer over these backends (instead of every installed one)."""
    return type("Chain", (ChainerBackend,), {"backends": list(members)})()  # type: ignore[no-any-return]


def test_what_encrypts_and_what_does_not() -> None:
    assert not backend_encrypts(PlaintextKeyring())
    assert backend_encrypts(EncryptingKeyring())
    assert not backend_encrypts(_chain(EncryptingKeyring(), PlaintextKeyring()))  # a token may be in either
    assert backend_encrypts(_chain(EncryptingKeyring()))


def test_an_encrypting_keyring_is_the_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FBM_DESK_CREDENTIALS")
    previous = keyring.get_keyring()
    keyring.set_keyring(EncryptingKeyring())
    try:
        assert open_credentials(tmp_path, "inst").backend_kind == "keyring"
    finally:
        keyring.set_keyring(previous)


def test_stores_in_the_plaintext_keyring_are_listed_as_insecure(
    plaintext: PlaintextKeyring, app_paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    core = build_core(app_paths)
    assert (
        insert_us_store("Saved earlier", "A1SELLER").secret_storage == "keyring"
    )  # recorded by an older version
    core.close()
    core = build_core(app_paths)  # the next start finds out the keyring does not encrypt
    core.close()
    assert main(["--data-dir", str(app_paths.data_dir), "store", "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["secret_storage"] == "insecure_fallback"
