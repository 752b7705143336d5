"""App icon, Linux desktop entry and its per-user installer (scripts/install_desktop_entry.sh)."""

from __future__ import annotations

import configparser
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from fbm_desk import APP_NAME

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
DESKTOP_FILE = ROOT / "resources" / "fbm-desk.desktop"
INSTALLER = ROOT / "scripts" / "install_desktop_entry.sh"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_desktop_entry_launches_fbm_desk_with_its_icon() -> None:
    entry = _desktop_entry(DESKTOP_FILE)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "FBM Desk"
    assert entry["Exec"] == "fbm-desk"
    assert entry["Icon"] == "fbm-desk"
    assert entry["Categories"] == "Office;"
    assert entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == APP_NAME  # the X11 WM_CLASS class Qt sets from the application name


@pytest.mark.parametrize("size", PNG_SIZES)
def test_icon_png_has_its_size(size: int) -> None:
    assert _png_size(ICONS / f"fbm-desk-{size}.png") == (size, size)


def test_windows_icon_holds_every_size() -> None:
    data = (ICONS / "fbm-desk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = []
    for index in range(count):
        width, _h, _c, _r, _planes, _bpp, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index : 22 + 16 * index]
        )
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.append(width or 256)
    assert sorted(sizes) == sorted(PNG_SIZES)


def test_make_icon_script_draws_every_size(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_icon.py"), str(tmp_path)], env=env, check=True
    )
    for size in PNG_SIZES:
        assert _png_size(tmp_path / f"fbm-desk-{size}.png") == (size, size)
    assert (tmp_path / "fbm-desk.ico").stat().st_size > 0


def test_installer_puts_entry_and_icons_into_the_user_data_dir_and_removes_them(tmp_path: Path) -> None:
    data_home = tmp_path / "share"
    program = tmp_path / "my apps" / "fbm-desk"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}

    subprocess.run(["bash", str(INSTALLER), str(program)], env=env, check=True, capture_output=True)

    entry = _desktop_entry(data_home / "applications" / "fbm-desk.desktop")
    assert entry["Exec"] == f'"{program}"'  # a path with a space is quoted, as the spec requires
    assert entry["TryExec"] == str(program)
    assert entry["Icon"] == "fbm-desk"
    for size in PNG_SIZES:
        assert _png_size(data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "fbm-desk.png") == (
            size,
            size,
        )

    subprocess.run(["bash", str(INSTALLER), "--uninstall"], env=env, check=True, capture_output=True)
    assert not (data_home / "applications" / "fbm-desk.desktop").exists()
    assert not list((data_home / "icons").rglob("fbm-desk.png"))


def test_installer_refuses_a_program_that_does_not_exist(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share")}
    proc = subprocess.run(
        ["bash", str(INSTALLER), str(tmp_path / "missing" / "fbm-desk")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert not (tmp_path / "share" / "applications" / "fbm-desk.desktop").exists()
