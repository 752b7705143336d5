"""The small HTML pages the browser shows after Amazon sends it back to the desktop app."""

from __future__ import annotations

import html
from dataclasses import dataclass

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("Referrer-Policy", "no-referrer"),  # Amazon's advice for the landing page: never leak the query onward
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
)

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<title>{title} — FBM Desk</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f5f7; color: #1f2328; margin: 0; }}
main {{ max-width: 34rem; margin: 12vh auto; background: #fff; border-radius: 10px; padding: 2rem 2.4rem;
        box-shadow: 0 1px 4px rgba(0,0,0,.12); border-top: 6px solid {accent}; }}
h1 {{ font-size: 1.4rem; margin-top: 0; }} p {{ line-height: 1.5; }}
</style></head>
<body><main><h1>{title}</h1>{paragraphs}<p><small>FBM Desk</small></p></main></body></html>
"""


@dataclass(frozen=True)
class Page:
    status: int
    title: str
    body: str  # full HTML document

    @property
    def ok(self) -> bool:
        return self.status < 400


def render(status: int, title: str, *paragraphs: str) -> Page:
    accent = "#1a7f37" if status < 400 else "#cf222e"
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return Page(status, title, _TEMPLATE.format(title=html.escape(title), paragraphs=paras, accent=accent))


def connected(store_name: str) -> Page:
    return render(
        200,
        "Connected — you can close this tab",
        f"Your Amazon store '{store_name}' is connected to FBM Desk.",
        "You can close this tab and go back to FBM Desk.",
    )


def failed(message: str) -> Page:
    return render(400, "The store was not connected", message, "Close this tab and try again from FBM Desk.")


def not_found() -> Page:
    return render(404, "Not found", "This address is only used to finish connecting an Amazon store.")
