#!/usr/bin/env bash
# Install FBM Desk into .venv (first run only), make sure Qt can open a window, then start the app in demo mode.
# Usage: bash scripts/run.sh [fbm-desk options...]   e.g. bash scripts/run.sh --data-dir /tmp/fbm-try
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

ensure_venv
ensure_installed . app

# System libraries Qt's xcb (X11) platform plugin needs to open a real window on Debian/Ubuntu.
QT_WINDOW_DEBS=(libxcb-cursor0 libxkbcommon-x11-0 libegl1 libgl1 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-xinerama0 libxcb-shape0 libfontconfig1 libdbus-1-3)
if is_debian_like; then
  missing=()
  for pkg in "${QT_WINDOW_DEBS[@]}"; do
    deb_installed "$pkg" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}" || exit 1
  fi
else
  say "Not a Debian/Ubuntu system: skipping the Qt system-library check."
fi
qt=$(qt_dir)
still_missing=$(missing_sonames "$qt/plugins/platforms/libqxcb.so" "$qt/lib/libQt6XcbQpa.so.6" "$qt/lib/libQt6Gui.so.6")
if [ -n "$still_missing" ]; then
  printf 'error: Qt cannot open a window; these libraries are missing:\n%s\n' "$still_missing" >&2
  exit 1
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  die "no graphical display (DISPLAY / WAYLAND_DISPLAY are not set). Run this inside a desktop session; \
the headless commands are listed by: $VENV/bin/fbm-desk --help"
fi

say "Starting FBM Desk"
exec "$VENV/bin/fbm-desk" --demo "$@"
