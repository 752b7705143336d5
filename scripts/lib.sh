# Shared by scripts/run.sh and scripts/test.sh (sourced, not run): the .venv bootstrap and system-library checks.
# Works on a fresh Debian/Ubuntu machine with Python 3.11+; elsewhere the apt steps are skipped with a note.

VENV=.venv

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Echo the first Python >= 3.11 on PATH.
find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# Run a command as root: directly, through passwordless sudo, or not at all (returns 1).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo "$@"
  else
    return 1
  fi
}

is_debian_like() { command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; }

deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# apt_install PKG...: install Debian packages as root, or print the exact command and return 1.
apt_install() {
  say "Missing system packages: $* (installing them with apt-get)"
  if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
    return 0
  fi
  printf 'error: these system packages are needed and could not be installed automatically:\n  %s\n' "$*" >&2
  printf 'Install them with:\n  sudo apt-get install -y %s\nthen run this command again.\n' "$*" >&2
  return 1
}

# ensure_venv: create .venv with a Python >= 3.11 if it does not exist yet.
ensure_venv() {
  if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c '' 2>/dev/null; then
    return 0
  fi
  if [ -e "$VENV" ]; then
    die "$VENV exists but its Python does not run (was Python upgraded or the folder moved?). \
Delete the $VENV folder and run this command again."
  fi
  local py ver
  py=$(find_python) || die "Python 3.11 or newer is needed (sudo apt-get install -y python3 python3-venv)."
  say "Creating $VENV with $py ($("$py" --version 2>&1))"
  if "$py" -m venv "$VENV" 2>/dev/null; then
    return 0
  fi
  rm -rf "$VENV"  # the half-made folder this function just created
  # Debian/Ubuntu ship venv's pip bootstrap separately (python3.X-venv).
  is_debian_like || die "could not create $VENV with $py -m venv"
  ver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  apt_install "python${ver}-venv" || exit 1
  "$py" -m venv "$VENV" || die "could not create $VENV with $py -m venv"
}

# ensure_installed SPEC STAMP: pip install -e SPEC once, and again whenever pyproject.toml changes.
ensure_installed() {
  local spec=$1 stamp="$VENV/.fbm-desk-$2.stamp" digest
  digest=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return 0
  fi
  say "Installing FBM Desk ($spec) into $VENV (takes about a minute the first time)"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e "$spec"
  echo "$digest" >"$stamp"
}

# qt_dir: PySide6's Qt folder inside the venv.
qt_dir() {
  "$VENV/bin/python" - <<'PY'
import importlib.util, pathlib
spec = importlib.util.find_spec("PySide6")
print(pathlib.Path(spec.origin).parent / "Qt")
PY
}

# missing_sonames FILE...: shared libraries these Qt binaries need that the system does not have.
missing_sonames() {
  local f
  for f in "$@"; do
    [ -e "$f" ] && ldd "$f" 2>/dev/null | awk '/not found/ {print $1}'
  done | sort -u
}
