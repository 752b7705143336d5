"""Issue 12 item 5: against Amazon's real hosts a browser connect without an https relay is refused at once
(CLI and Add Store dialog), and ``version=beta`` is an explicit setting, off by default on Amazon."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fbm_desk.amazon.config import SpApiConfig
from fbm_desk.core import CoreServices
from fbm_desk.foundation.errors import FbmError
from fbm_desk.oauth import ConnectFlow, ConnectRequest
from fbm_desk.ui.add_store_dialog import AddStoreDialog

APP = {
    "FBM_DESK_LWA_CLIENT_ID": "amzn1.application-oa2-client.test",
    "FBM_DESK_LWA_CLIENT_SECRET": "amzn1.oa2-cs.v1.test",
    "FBM_DESK_SPAPI_APP_ID": "amzn1.sp.solution.test",
}


def _amazon_config(**kw: object) -> SpApiConfig:
    return SpApiConfig(
        client_id="amzn1.application-oa2-client.test",
        client_secret="amzn1.oa2-cs.v1.test",
        application_id="amzn1.sp.solution.test",
        **kw,  # type: ignore[arg-type]
    )


def test_relay_problem_only_on_amazons_hosts() -> None:
    assert "https relay" in _amazon_config().relay_problem()
    assert "README" in _amazon_config().relay_problem()
    assert "not https" in _amazon_config(redirect_uri="http://relay.example/cb").relay_problem()
    assert _amazon_config(redirect_uri="https://relay.example/cb").relay_problem() == ""
    eu = _amazon_config(seller_central_url="https://sellercentral-europe.amazon.com")
    assert eu.relay_problem()
    assert _amazon_config(seller_central_url="https://sellercentral.amazon.co.uk").relay_problem()
    assert _amazon_config(seller_central_url="http://127.0.0.1:8123").relay_problem() == ""


def test_version_beta_is_explicit_and_off_by_default_on_amazon() -> None:
    assert not _amazon_config().send_version_beta
    assert _amazon_config(consent_beta=True).send_version_beta
    assert _amazon_config(
        seller_central_url="http://127.0.0.1:1"
    ).send_version_beta  # the sandbox's draft app
    assert SpApiConfig.from_env({"consent_beta": True}, env={}).consent_beta is True
    assert SpApiConfig.from_env({}, env={}).consent_beta is None
    assert SpApiConfig.from_env({}, env={"FBM_DESK_CONSENT_BETA": "1"}).consent_beta is True


def test_connect_flow_refuses_at_once_without_relay(core: CoreServices) -> None:
    core.spapi_config = _amazon_config()
    flow = ConnectFlow(core, ConnectRequest(name="Brand US", marketplace="US"))
    with pytest.raises(FbmError, match="https relay"):
        flow.start()
    flow.close()


def test_store_connect_refuses_at_once_without_relay(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("FBM_DESK_") or k == "FBM_DESK_DATABASE_URL"
    } | APP
    env["FBM_DESK_CREDENTIALS"] = "file"
    argv = [sys.executable, "-m", "fbm_desk", "--data-dir", str(tmp_path / "d")]
    started = time.monotonic()
    proc = subprocess.run(
        [
            *argv,
            "store",
            "connect",
            "--name",
            "Brand US",
            "--marketplace",
            "US",
            "--no-browser",
            "--timeout",
            "600",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert time.monotonic() - started < 30  # did not wait for the consent timeout
    assert proc.returncode != 0
    assert "https relay" in proc.stderr
    assert "FBM_DESK_OAUTH_REDIRECT_URI" in proc.stderr


def test_add_store_dialog_shows_the_relay_problem_and_the_draft_setting(qtbot, core: CoreServices) -> None:
    core.spapi_config = _amazon_config()
    opened: list[str] = []
    dialog = AddStoreDialog(core, open_url=lambda url: opened.append(url) or True)
    qtbot.addWidget(dialog)
    assert not dialog.relay_label.isHidden()
    assert "https relay" in dialog.relay_label.text()
    assert not dialog.draft_check.isChecked()
    dialog.name_edit.setText("Brand US")
    combo = dialog.marketplace_combo
    combo.setCurrentIndex(combo.findData("US"))
    dialog.on_connect_clicked()
    assert opened == []  # no browser for a connect that cannot work
    assert "https relay" in dialog.error_label.text()
    dialog.draft_check.setChecked(True)
    assert core.spapi_config.consent_beta is True
    assert core.settings.amazon["consent_beta"] is True
