"""Locate files in the top-level ``resources/`` folder (source tree, editable install or PyInstaller bundle)."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources`` folder: inside the bundle when frozen, else next to the ``fbm_desk`` package."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def spapi_model_path(name: str) -> Path:
    """Path of one of Amazon's API model files shipped in ``resources/spapi-models`` (Apache-2.0)."""
    return resource_path("spapi-models", name)
