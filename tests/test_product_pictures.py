"""Product pictures: the listing's main image link (Listings API), the sandbox's media host, and the pack
dialog's background download into the image cache (placeholder first, picture when it arrives)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
from PySide6.QtGui import QImage

from fbm_desk.core import CoreServices, build_core
from fbm_desk.db.listing_images import image_links
from fbm_desk.db.listings import list_listings
from fbm_desk.db.stores import get_store
from fbm_desk.foundation.image_cache import cached_image, image_dir
from fbm_desk.foundation.paths import AppPaths
from fbm_desk.sandbox import RunningSandbox, images
from fbm_desk.sync.base import JobKind
from fbm_desk.sync.execute import run_job
from fbm_desk.ui.pack_dialog import PackDialog
from fbm_desk.ui.picture_loader import fetch_missing
from tests.support.demo_data import add_order, generate
from tests.support.sandbox_fixtures import SpApi
from tests.support.sync_env import make_store

ITEMS = "/listings/2021-08-01/items/A2SANDBOXDEMO1"
ASIN = "B0PICTURE1"


def test_sandbox_lists_and_serves_the_main_image(spapi: SpApi, sandbox: RunningSandbox, qapp: Any) -> None:
    params = {"marketplaceIds": "ATVPDKIKX0DER", "includedData": "summaries"}
    # both answers are validated against the Listings Items model by the fixture
    item = spapi.get(f"{ITEMS}/MP-KIT-001", params=params).json()
    listed = spapi.get(ITEMS, params=params | {"identifiers": "MP-KIT-001", "identifiersType": "SKU"}).json()
    assert listed["items"][0]["summaries"] == item["summaries"]
    asin = item["summaries"][0]["asin"]
    image = item["summaries"][0]["mainImage"]
    assert image["link"] == f"{sandbox.base_url}/_images/{asin}.png"
    assert {"height", "width"} <= set(image)
    got = requests.get(image["link"], timeout=5)  # a media host: no token needed
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "image/png"
    picture = QImage.fromData(got.content)
    assert not picture.isNull()
    assert (picture.width(), picture.height()) == (images.SIZE, images.SIZE)
    assert images.png_for("B0OTHER001") != got.content  # coloured per ASIN
    assert requests.get(f"{sandbox.base_url}/_images/../x.png", timeout=5).status_code == 404


@pytest.mark.e2e
def test_products_sync_stores_each_listings_picture_link(
    quiet_core: CoreServices, quiet: RunningSandbox
) -> None:
    store = make_store(quiet_core, quiet, starting_inventory="match")
    result = run_job(quiet_core, get_store(store.id), JobKind.PRODUCTS_FULL)  # report + summaries by SKU
    assert result.status == "ok", result.error
    listings = list_listings(store.id)
    assert listings
    links = image_links(r.asin for r in listings)
    assert links == {r.asin: images.link(quiet.base_url, r.asin) for r in listings if r.asin}
    assert quiet.world.calls["searchListingsItems"] >= 1
    # a link that changed on Amazon (here: the sandbox restarted on another port) is read again next time
    with quiet_core.db.db.atomic():
        quiet_core.db.db.execute_sql("UPDATE listing SET image_url = 'http://127.0.0.1:9/old.png'")
    assert run_job(quiet_core, get_store(store.id), JobKind.PRODUCTS_FULL).status == "ok"
    assert image_links(r.asin for r in listings) == links


# --- the pack dialog -----------------------------------------------------------------------------------


@pytest.fixture
def core(app_paths: AppPaths) -> Iterator[CoreServices]:
    c = build_core(app_paths)
    generate(c.db.db, orders=0)
    yield c
    c.close()


def _order_with_picture(core: CoreServices, link: str, order_no: str = "1") -> int:
    order = add_order(core.db.db, f"111-0000000-000000{order_no}", items=(("MUG-ENAMEL-GRN", 1),))
    with core.db.db.atomic():
        core.db.db.execute_sql("UPDATE order_item SET asin = ? WHERE order_id = ?", (ASIN, order))
        core.db.db.execute_sql(
            "UPDATE listing SET asin = ?, image_url = ? WHERE seller_sku = 'MUG-ENAMEL-GRN'", (ASIN, link)
        )
    return order


def _open(qtbot: Any, core: CoreServices, order: int) -> PackDialog:
    dialog = PackDialog(core, order)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_pack_dialog_shows_placeholder_then_the_downloaded_picture(
    qtbot: Any, core: CoreServices, quiet: RunningSandbox
) -> None:
    order = _order_with_picture(core, images.link(quiet.base_url, ASIN))
    folder = image_dir(core.paths.data_dir)
    assert cached_image(folder, ASIN) is None
    dialog = _open(qtbot, core, order)
    assert dialog.side.image.pixmap().isNull()  # at once: the placeholder, nothing waited for
    assert "No picture" in dialog.side.image.text()
    qtbot.waitUntil(lambda: not dialog.side.image.pixmap().isNull(), timeout=10_000)
    assert cached_image(folder, ASIN) == folder / f"{ASIN}.png"
    assert not [p for p in folder.iterdir() if p.name.startswith(".part-")]


class _Bad(BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, tuple[int, str, bytes]]] = {
        "/html": (200, "text/html", b"<html>not a picture</html>"),
        "/garbage": (200, "image/png", b"\x89PNG but not really"),
        "/huge": (200, "image/png", images.png_for(ASIN) + b"\0" * (2 * 1024 * 1024)),
        "/missing": (404, "text/plain", b"nope"),
    }

    def do_GET(self) -> None:
        status, kind, body = self.answers[self.path]
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if self.path != "/huge":  # a lying server: no length, the limit must hold while reading
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bad_host() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Bad)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("what", ["html", "garbage", "huge", "missing"])
def test_a_bad_answer_keeps_the_placeholder_and_writes_nothing(
    qtbot: Any, core: CoreServices, bad_host: str, what: str
) -> None:
    order = _order_with_picture(core, f"{bad_host}/{what}")
    folder = image_dir(core.paths.data_dir)
    dialog = _open(qtbot, core, order)
    qtbot.waitUntil(lambda: not dialog.side.loader.busy(), timeout=10_000)
    assert dialog.side.image.pixmap().isNull()
    assert "No picture" in dialog.side.image.text()
    assert not folder.exists() or list(folder.iterdir()) == []


def test_only_http_links_are_fetched(core: CoreServices, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(images.png_for(ASIN))
    _order_with_picture(core, secret.as_uri())  # file:// is never a picture link
    assert fetch_missing(tmp_path / "images", [ASIN]) == []
    assert not (tmp_path / "images").exists()


def test_closing_the_dialog_before_the_picture_arrives_is_harmless(
    qtbot: Any, core: CoreServices, quiet: RunningSandbox
) -> None:
    order = _order_with_picture(core, images.link(quiet.base_url, ASIN))
    dialog = PackDialog(core, order)
    loader = dialog.side.loader
    dialog.show()
    dialog.close()
    dialog.deleteLater()
    qtbot.waitUntil(lambda: not loader.busy(), timeout=10_000)
    assert cached_image(image_dir(core.paths.data_dir), ASIN) is not None  # kept for the next opening
