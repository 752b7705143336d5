"""No token, client secret or buyer PII reaches the log file: in messages, in %-args, or in tracebacks."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from fbm_desk.foundation.logging_setup import REDACTED, RedactingFilter, redact, setup_logging
from fbm_desk.foundation.paths import AppPaths

# (what it is, the secret/PII value, a log line that carries it)
SENSITIVE: list[tuple[str, str, str]] = [
    ("lwa access token", "Atza|IwEBIPr3-access_TOKEN+abc/def==", "got token {v} for store 3"),
    ("lwa refresh token", "Atzr|IwEBIRefresh-TOKEN_xyz987", "refreshing with {v}"),
    ("restricted data token", "Atz.sprdt|IAEBRdtToken123", "RDT {v} for getOrderAddress"),
    ("url-encoded refresh token", "Atzr%7CIwEBIencoded987", "POST body grant_type=refresh_token&x={v}"),
    ("client secret (amzn1 form)", "amzn1.oa2-cs.v1.0123456789abcdef0123", "app secret {v}"),
    (
        "client_secret form field",
        "sEcReTvAlUe42",
        "POST client_id=amzn1.application-oa2-client.1&client_secret={v}&x=1",
    ),
    ("client_secret json", "jsonSecret-99", '{{"client_id": "x", "client_secret": "{v}"}}'),
    (
        "x-amz-access-token header repr",
        "plain-access-tok",
        "headers={{'x-amz-access-token': '{v}', 'accept': 'json'}}",
    ),
    ("x-amz-access-token header line", "hdr-tok-777", "x-amz-access-token: {v}"),
    ("spapi_oauth_code", "ANcodeXYZ123", "GET /callback?state=s1&spapi_oauth_code={v}&selling_partner_id=A1"),
    ("refresh_token query", "r3fr3shPl41n", "token url?grant_type=refresh_token&refresh_token={v}"),
    ("oauth code in form", "ANauthCode55", "grant_type=authorization_code&code={v}&redirect_uri=x"),
    ("buyer email", "jane.doe+77@marketplace.amazon.com", "order 111-2223334-4445556 buyer {v}"),
    ("international phone", "+44 20 7946 0958", "call {v} before shipping"),
    ("us phone", "(206) 555-0147", "phone on label {v}"),
    ("name key (repr)", "Jane Q Public", "ShippingAddress {{'Name': '{v}', 'CountryCode': 'US'}}"),
    ("buyer_name key=value", "Jane Q Public", "buyer_name={v} order=111-2223334-4445556"),
    ("address line json", "1600 Amazon Blvd Apt 4", '{{"AddressLine1": "{v}", "City": "Seattle"}}'),
    ("ship_to key", "42 Wallaby Way", "ship_to={v}; carrier=UPS"),
    ("postal code", "98109-5210", "{{'PostalCode': '{v}'}}"),
    ("buyer key", "J. Smith", "buyer: {v}"),
]


@pytest.fixture
def log_file(app_paths: AppPaths) -> Path:
    return setup_logging(app_paths)


def _read(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_setup_logging_writes_a_utf8_rotating_file_in_the_log_dir(app_paths: AppPaths) -> None:
    path = setup_logging(app_paths)
    assert path.parent == app_paths.log_dir
    logging.getLogger("fbm_desk.test").warning("Zoë ordered 2 × ☕ in São Paulo")
    text = _read(path)
    assert "Zoë ordered 2 × ☕ in São Paulo" in text
    assert "WARNING" in text
    assert "fbm_desk.test" in text
    assert "[MainThread]" in text
    rotating = [
        h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert rotating
    assert rotating[-1].maxBytes > 0
    assert rotating[-1].backupCount >= 3


@pytest.mark.parametrize(("kind", "value", "template"), SENSITIVE, ids=[s[0] for s in SENSITIVE])
def test_sensitive_value_in_message_is_redacted(log_file: Path, kind: str, value: str, template: str) -> None:
    logging.getLogger("fbm_desk.amazon").warning(template.format(v=value))
    text = _read(log_file)
    assert value not in text, kind
    assert REDACTED in text


@pytest.mark.parametrize(("kind", "value", "template"), SENSITIVE, ids=[s[0] for s in SENSITIVE])
def test_sensitive_value_in_args_is_redacted(log_file: Path, kind: str, value: str, template: str) -> None:
    prefix, _, suffix = template.replace("{{", "{").replace("}}", "}").partition("{v}")
    logging.getLogger("fbm_desk.sync").info("%s%s%s", prefix, value, suffix)
    text = _read(log_file)
    assert value not in text, kind
    assert REDACTED in text


@pytest.mark.parametrize(("kind", "value", "template"), SENSITIVE, ids=[s[0] for s in SENSITIVE])
def test_sensitive_value_in_traceback_is_redacted(
    log_file: Path, kind: str, value: str, template: str
) -> None:
    def failing() -> None:
        raise RuntimeError(template.format(v=value))

    try:
        failing()
    except RuntimeError:
        logging.getLogger("fbm_desk.ui").exception("sync failed")
    text = _read(log_file)
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError" in text
    assert value not in text, kind


def test_debugging_details_stay_readable(log_file: Path) -> None:
    line = (
        "order 114-3941689-8772232 sku ABC-123 asin B07XJ8C8F5 at 2026-11-24T09:30:00Z "
        "store_name='Main US' status code=429 marketplace ATVPDKIKX0DER"
    )
    logging.getLogger("fbm_desk.sync").info(line)
    assert line in _read(log_file)


def test_uncaught_thread_exception_is_logged_redacted(log_file: Path) -> None:
    def worker() -> None:
        raise ValueError("token Atza|IwEBIthreadSecret was rejected")

    thread = threading.Thread(target=worker, name="sync-worker-1")
    thread.start()
    thread.join()
    text = _read(log_file)
    assert "Uncaught exception in thread sync-worker-1" in text
    assert "ValueError" in text
    assert "IwEBIthreadSecret" not in text


def test_redacting_filter_works_on_its_own_handler() -> None:
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Collect()
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("fbm_desk.test.standalone")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("login %s for %s", "Atzr|IwEBIstandalone", "buyer@example.com")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    (record,) = records
    assert record.args is None
    assert record.getMessage() == f"login {REDACTED} for {REDACTED}"


def test_redact_is_idempotent() -> None:
    text = "refresh_token=Atzr|IwEBIabc&client_secret=amzn1.oa2-cs.v1.abc123 email a@b.example"
    once = redact(text)
    assert redact(once) == once
    assert once.count(REDACTED) == 3
