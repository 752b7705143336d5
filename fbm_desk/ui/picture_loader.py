"""Fetches missing product pictures off the GUI thread and says when one arrives.

The pack dialog shows the cached picture (or a placeholder) at once and asks for the missing ones here; a
pool thread looks up the listing's picture link, downloads it (``image_cache.download``: no token, size and
type limits), checks that Qt decodes it, and saves it atomically into the cache. ``arrived(asin)`` then
reaches the GUI thread (queued signal), where the panel reloads from the cache. Failures only log: the
placeholder stays, nothing is written, and the same ASIN is not asked for again in this session.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from fbm_desk.db.listing_images import image_links
from fbm_desk.foundation.image_cache import PictureRefused, cached_image, download, save_atomically
from fbm_desk.ui.store_tasks import TaskSet

log = logging.getLogger(__name__)


def fetch_missing(folder: Path, asins: list[str]) -> list[str]:
    """(Pool thread) Download the pictures of ``asins`` that have a link; returns the ASINs now cached."""
    done = []
    for asin, url in image_links(asins).items():
        try:
            data, extension = download(url)
            if QImage.fromData(data).isNull():
                raise PictureRefused("does not decode as a picture")
            save_atomically(folder, asin, data, extension)
        except (PictureRefused, OSError) as exc:
            log.info("picture of %s not kept: %s", asin, exc)
            continue
        done.append(asin)
    return done


class PictureLoader(QObject):
    arrived = Signal(str)  # an ASIN whose picture is now in the cache

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._folder = folder
        self._asked: set[str] = set()
        self._tasks = TaskSet()

    def request(self, asins: Iterable[str]) -> None:
        """Fetch, in the background, the pictures of ``asins`` not cached and not asked for yet."""
        wanted = sorted({a for a in asins if a and a not in self._asked})
        self._asked.update(wanted)
        if not wanted:
            return
        folder = self._folder

        def work() -> list[str]:
            return fetch_missing(folder, [a for a in wanted if cached_image(folder, a) is None])

        self._tasks.run(work, self._done, self._failed)  # the global pool

    def busy(self) -> bool:
        return len(self._tasks) > 0

    def _done(self, asins: object) -> None:
        for asin in asins if isinstance(asins, list) else []:
            self.arrived.emit(asin)

    def _failed(self, exc: BaseException) -> None:
        log.warning("picture download failed", exc_info=exc)
