"""OAuth state and the single-use callback gate, without HTTP."""

from __future__ import annotations

import threading
import time

import pytest

from fbm_desk.oauth.attempt import CallbackAttempt
from fbm_desk.oauth.errors import CallbackRejected, ConnectCancelled, ConsentDenied, StateMismatch
from fbm_desk.oauth.pages import connected
from fbm_desk.oauth.state import OAuthState, port_from_state


def test_state_is_random_high_entropy_and_hidden_from_repr() -> None:
    values = {OAuthState.new().value for _ in range(50)}
    assert len(values) == 50
    state = OAuthState.new()
    assert len(state.value) >= 43
    assert state.value not in repr(state)


def test_state_matching() -> None:
    state = OAuthState.new(port=50123)
    assert state.value.startswith("50123.")
    assert port_from_state(state.value) == 50123
    assert state.matches(state.value)
    assert not state.matches(state.value[:-1])
    assert not state.matches(state.value + "x")
    assert not state.matches("")
    assert not state.matches(None)
    assert not state.matches("é" * 10)  # non-ASCII input must not raise


def test_first_valid_callback_wins_and_everything_after_is_refused() -> None:
    state = OAuthState.new()
    attempt = CallbackAttempt(state)
    params = {"state": state.value, "spapi_oauth_code": "CODE", "selling_partner_id": "A1"}
    pages: list[str] = []
    browser = threading.Thread(target=lambda: pages.append(attempt.on_callback(params).title))
    browser.start()
    callback = attempt.wait(10)
    assert (callback.code, callback.selling_partner_id) == ("CODE", "A1")
    assert "CODE" not in repr(callback)
    attempt.reply(connected("Acme"))
    browser.join(10)
    assert pages == ["Connected — you can close this tab"]
    replay = attempt.on_callback(params)
    assert replay.status == 400
    assert "already used" in replay.body


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"state": "wrong", "spapi_oauth_code": "C", "selling_partner_id": "A1"}, StateMismatch),
        ({"spapi_oauth_code": "C", "selling_partner_id": "A1"}, StateMismatch),
        ({"STATE": "ok", "error": "access_denied"}, ConsentDenied),
        ({"STATE": "ok", "error": "server_error"}, CallbackRejected),
        ({"STATE": "ok", "selling_partner_id": "A1"}, CallbackRejected),
        ({"STATE": "ok", "spapi_oauth_code": "C"}, CallbackRejected),
    ],
)
def test_bad_callbacks_fail_the_attempt(params: dict[str, str], error: type[Exception]) -> None:
    state = OAuthState.new()
    params = {
        ("state" if k == "STATE" else k): (state.value if k == "STATE" else v) for k, v in params.items()
    }
    attempt = CallbackAttempt(state)
    page = attempt.on_callback(params)
    assert page.status == 400
    with pytest.raises(error):
        attempt.wait(10)


def test_wait_cancel() -> None:
    attempt = CallbackAttempt(OAuthState.new())
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ConnectCancelled):
        attempt.wait(10, cancel)
    # a callback arriving after the cancel finds the attempt over
    assert attempt.on_callback({}).status == 400


def test_error_codes_from_the_query_are_not_echoed_verbatim() -> None:
    state = OAuthState.new()
    attempt = CallbackAttempt(state)
    page = attempt.on_callback({"state": state.value, "error": "<script>alert(1)</script>"})
    assert "<script>" not in page.body
    with pytest.raises(CallbackRejected, match=r"\(unknown\)"):
        attempt.wait(10)


def test_cancel_releases_a_browser_waiting_for_its_page() -> None:
    state = OAuthState.new()
    attempt = CallbackAttempt(state)
    params = {"state": state.value, "spapi_oauth_code": "CODE", "selling_partner_id": "A1"}
    pages: list[str] = []
    browser = threading.Thread(target=lambda: pages.append(attempt.on_callback(params).body))
    browser.start()
    deadline = time.monotonic() + 10
    while attempt._items.empty() and time.monotonic() < deadline:  # the callback is in, awaiting its page
        time.sleep(0.01)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ConnectCancelled):
        attempt.wait(10, cancel)
    browser.join(10)
    assert not browser.is_alive()
    assert "stopped" in pages[0]
