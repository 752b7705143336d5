#!/usr/bin/env bash
# Install FBM Desk with its test tools into .venv (first run only), then run every quality gate headless:
# ruff check, ruff format --check, mypy, import contracts, dead code, pytest (Qt offscreen). Stops at the first failure.
# Usage: bash scripts/test.sh [pytest options...]   e.g. bash scripts/test.sh -k migrations -x
# On a PostgreSQL shared workspace instead of SQLite files: FBM_DESK_TEST_DATABASE=postgresql bash scripts/test.sh
# (CI=true runs both, and the bundle test.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

ensure_venv
ensure_installed '.[test]' test

# Qt's offscreen platform still links against these system libraries (checked with ldd on PySide6 6.x).
QT_OFFSCREEN_DEBS=(libegl1 libgl1 libfontconfig1 libfreetype6 libxkbcommon0 libdbus-1-3 libglib2.0-0)
qt=$(qt_dir)
qt_binaries=("$qt/plugins/platforms/libqoffscreen.so" "$qt/lib/libQt6Gui.so.6" "$qt/lib/libQt6Widgets.so.6")
if [ -n "$(missing_sonames "${qt_binaries[@]}")" ]; then
  if is_debian_like; then
    apt_install "${QT_OFFSCREEN_DEBS[@]}" || exit 1
  fi
  still_missing=$(missing_sonames "${qt_binaries[@]}")
  if [ -n "$still_missing" ]; then
    printf 'error: Qt (offscreen) needs these system libraries:\n%s\n' "$still_missing" >&2
    exit 1
  fi
fi

# Printed documents (pick lists, packing slips) need at least one font for Qt to draw text with.
if ! fc-list 2>/dev/null | grep -q . && is_debian_like; then
  apt_install fontconfig fonts-dejavu-core || exit 1
fi

# The shared-workspace tests start their own throwaway PostgreSQL server (tests/support/pg_server.py) from
# Debian's postgresql package; as root it runs as the unprivileged user nobody.
if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
  if is_debian_like; then
    apt_install postgresql || exit 1
  else
    die "PostgreSQL server programs are needed for the tests (install your system's postgresql package)"
  fi
fi

export QT_QPA_PLATFORM=offscreen
say "ruff check"
"$VENV/bin/ruff" check .
say "ruff format --check"
"$VENV/bin/ruff" format --check .
say "mypy"
"$VENV/bin/mypy"
say "import contracts (lint-imports)"
"$VENV/bin/lint-imports" --no-cache
say "dead code (vulture)"
# tests, benches and docs count as users; only the app's own code is judged.
dead=$("$VENV/bin/vulture" fbm_desk tests bench docs scripts --min-confidence 60 | grep '^fbm_desk/' || true)
if [ -n "$dead" ]; then
  printf '%s\n' "$dead" >&2
  die "dead code: remove it (or, for a hook a framework calls, list it in scripts/dead_code_allowlist.py)"
fi
say "pytest"
pytest_args=()
if [ "${CI:-}" = "true" ] && [ $# -eq 0 ]; then
  # CI also builds the desktop bundle and runs its --self-test (tests/test_bundle.py, about 30 s).
  pytest_args=(-m "slow or not slow")
fi
"$VENV/bin/pytest" "${pytest_args[@]}" "$@"
if [ "${CI:-}" = "true" ] && [ $# -eq 0 ]; then
  # CI runs the database, sync, command-line contract and workspace tests a second time on a shared workspace:
  # every test gets a fresh PostgreSQL database instead of an SQLite file (tests/postgresql_tests.txt; tests of
  # the SQLite file itself are skipped).
  say "pytest on PostgreSQL (FBM_DESK_TEST_DATABASE=postgresql)"
  mapfile -t pg_tests < <(grep -v '^#' tests/postgresql_tests.txt | grep .)
  FBM_DESK_TEST_DATABASE=postgresql "$VENV/bin/pytest" -q "${pg_tests[@]}"
fi
