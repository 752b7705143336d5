"""``fbm-desk sandbox``: prints one JSON line with working connection details, stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import requests

KEYS = {
    "endpoint",
    "lwa_token_url",
    "seller_central_url",
    "client_id",
    "client_secret",
    "application_id",
    "selling_partner_id",
    "refresh_token",
    "marketplace_ids",
}


def test_sandbox_command_prints_connection_json_and_serves() -> None:
    env = dict(os.environ, FBM_DESK_SPEEDUP="100")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fbm_desk", "sandbox", "--port", "0", "--seed", "5", "--static"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        info = json.loads(line)
        assert set(info) == KEYS
        assert info["endpoint"].startswith("http://127.0.0.1:")
        assert info["selling_partner_id"] == "A2SANDBOXDEMO1"
        assert info["marketplace_ids"] == ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"]
        token = requests.post(
            info["lwa_token_url"],
            data={
                "grant_type": "refresh_token",
                "refresh_token": info["refresh_token"],
                "client_id": info["client_id"],
                "client_secret": info["client_secret"],
            },
            timeout=10,
        )
        assert token.status_code == 200
        resp = requests.get(
            info["endpoint"] + "/sellers/v1/marketplaceParticipations",
            headers={"x-amz-access-token": token.json()["access_token"], "user-agent": "FBMDeskTests/1.0"},
            timeout=10,
        )
        assert resp.status_code == 200
        assert len(resp.json()["payload"]) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert proc.stdout.read() == ""  # exactly one line on stdout
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_sandbox_command_rejects_a_bad_port() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fbm_desk", "sandbox", "--port", "70000"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "port" in done.stderr


def test_sandbox_env_configures_the_real_client(sandbox_env: dict[str, str]) -> None:
    from fbm_desk.amazon.client import SpApiClient
    from fbm_desk.amazon.config import SpApiConfig

    config = SpApiConfig.from_env(env=sandbox_env)
    assert config.speedup == 600
    info = requests.get(sandbox_env["FBM_DESK_SPAPI_ENDPOINT"] + "/_sandbox/info", timeout=10).json()
    client = SpApiClient(
        config,
        refresh_token=info["refresh_token"],
        selling_partner_id=info["selling_partner_id"],
        region="NA",
    )
    assert {p.country_code for p in client.marketplace_participations()} == {"US", "CA"}
