"""A test client acting as the seller's browser on the sandbox's consent page (no real browser needed)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

TIMEOUT = 30


class FakeBrowser:
    """Stands in for the app's ``open_url`` (QDesktopServices.openUrl): records the URL; the test then acts as
    the browser."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return True


def consent_redirect(consent_url: str, decision: str = "authorize") -> str:
    """Open the consent page, press Confirm (``authorize``) or Cancel (``deny``); return the redirect."""
    session = requests.Session()
    page = session.get(consent_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    found = re.search(r'name="consent_id" value="([^"]+)"', page.text)
    assert found, "no consent form on the page"
    parts = urlsplit(consent_url)
    confirm_url = urlunsplit((parts.scheme, parts.netloc, "/apps/authorize/confirm", "", ""))
    answer = session.post(
        confirm_url,
        data={"consent_id": found.group(1), "decision": decision},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def follow(location: str) -> requests.Response:
    """The browser following Amazon's redirect (and a relay's redirect) to the app's loopback listener."""
    return requests.get(location, timeout=TIMEOUT)


def with_params(location: str, **changes: str | None) -> str:
    """``location`` with query parameters replaced (value) or removed (None)."""
    parts = urlsplit(location)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def query_of(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query, keep_blank_values=True))
