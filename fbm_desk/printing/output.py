"""The documents as PDF files: the entry points of ``fbm-desk print`` (and of the GUI's "Save as PDF")."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fbm_desk.db.paper import PickList, Slip
from fbm_desk.printing.canvas import PaperSize
from fbm_desk.printing.documents import draw_pick_list, draw_slips
from fbm_desk.printing.render import headless_app, write_pdf


def pick_list_pdf(pick: PickList, path: Path, size: str) -> int:
    """Write the pick list to ``path``; returns the number of pages."""
    app = headless_app()  # kept until the document is written
    pages = write_pdf(path, PaperSize(size), lambda c: draw_pick_list(c, pick))
    del app
    return pages


def slips_pdf(slips: Sequence[Slip], path: Path, size: str) -> int:
    """Write one packing slip per order to ``path``; returns the number of pages."""
    app = headless_app()
    pages = write_pdf(path, PaperSize(size), lambda c: draw_slips(c, slips))
    del app
    return pages
