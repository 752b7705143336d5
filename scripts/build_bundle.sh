#!/usr/bin/env bash
# Build the one-folder FBM Desk bundle with PyInstaller and smoke-test it.
#
#   scripts/build_bundle.sh                 # build dist/fbm-desk/ and run its --self-test offscreen
#   scripts/build_bundle.sh --test-only     # only run the self-test of an existing bundle
#   scripts/build_bundle.sh --archive       # also pack dist/fbm-desk-<version>-linux-<arch>.tar.gz
#   DIST_DIR=/tmp/out scripts/build_bundle.sh   # build somewhere else (work files go to $BUILD_DIR)
#
# Environment: PYTHON (default .venv/bin/python), DIST_DIR (default dist), BUILD_DIR (default build),
# SELFTEST_TIMEOUT seconds (default 300).
# Exits non-zero when the build fails, a required file is missing from the bundle, or the self-test fails.
# The last line on success is: "bundle ok: <dir> <size> built in <N> s; <self-test line>".
# Work files go to build/ and the bundle to dist/ (both git-ignored).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="${PYTHON:-$root/.venv/bin/python}"
dist_dir="${DIST_DIR:-$root/dist}"
build_dir="${BUILD_DIR:-$root/build}"
timeout_s="${SELFTEST_TIMEOUT:-300}"
bundle="$dist_dir/fbm-desk"
test_only=0
archive=0
for arg in "$@"; do
    case "$arg" in
        --test-only) test_only=1 ;;
        --archive) archive=1 ;;
        *) echo "usage: scripts/build_bundle.sh [--test-only] [--archive]" >&2; exit 2 ;;
    esac
done

fail() {
    echo "build_bundle: FAILED: $*" >&2
    exit 1
}

build_seconds="-"
if [[ $test_only -eq 0 ]]; then
    if ! "$python" -m PyInstaller --version >/dev/null 2>&1; then
        echo "build_bundle: installing PyInstaller (the project's 'bundle' extra)"
        "$python" -m pip install --quiet "pyinstaller>=6" || fail "could not install PyInstaller"
    fi
    echo "build_bundle: PyInstaller $("$python" -m PyInstaller --version) -> $bundle"
    start=$(date +%s)
    "$python" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath "$dist_dir" --workpath "$build_dir" build_installer.spec \
        || fail "PyInstaller could not build the bundle (see the messages above)"
    build_seconds=$(( $(date +%s) - start ))
    # The bundle's own copy of the menu-entry installer: ./install_desktop_entry.sh inside the folder.
    install -m 0755 scripts/install_desktop_entry.sh "$bundle/install_desktop_entry.sh"
fi

[[ -x "$bundle/fbm-desk" ]] || fail "$bundle/fbm-desk does not exist (build first)"

# Files the app reads at runtime; a bundle without them starts but breaks later.
internal="$bundle/_internal"
required=(
    "resources/icons/fbm-desk.png"
    "resources/fbm-desk.desktop"
    "resources/spapi-models/orders-v0.json"
    "fbm_desk/db/schema_v1.sql"
    "PySide6/Qt/plugins/platforms/libqoffscreen.so"
    "PySide6/Qt/plugins/platforms/libqxcb.so"
    "PySide6/Qt/plugins/imageformats/libqico.so"
)
for rel in "${required[@]}"; do
    [[ -e "$internal/$rel" ]] || fail "the bundle lacks $rel"
done
compgen -G "$internal/fbm_desk*-info" >/dev/null || fail "the bundle lacks the fbm-desk metadata (version)"
compgen -G "$internal/keyring-*.dist-info" >/dev/null || fail "the bundle lacks the keyring metadata (backends)"

size="$(du -sh "$bundle" | cut -f1)"
echo "build_bundle: bundle size $size, build time ${build_seconds} s"

# The self-test uses its own temporary data dir; QT_QPA_PLATFORM=offscreen so it needs no display.
version_line="$(QT_QPA_PLATFORM=offscreen "$bundle/fbm-desk" --version)" || fail "'fbm-desk --version' failed"
echo "build_bundle: $version_line"
# The bundle takes its version from the installed package metadata; a stale install would ship an old number.
project_version="$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
[[ "$version_line" == *" $project_version" ]] \
    || fail "the bundle says '$version_line' but pyproject.toml says $project_version (reinstall: .venv/bin/pip install -e .)"
set +e
report="$(QT_QPA_PLATFORM=offscreen timeout "$timeout_s" "$bundle/fbm-desk" --self-test)"
code=$?
set -e
echo "$report"
[[ $code -eq 0 ]] || fail "the bundle's --self-test exited with $code"
[[ "$report" == "self-test ok:"* ]] || fail "unexpected self-test output"
if [[ $archive -eq 1 ]]; then
    tarball="$dist_dir/fbm-desk-$project_version-linux-$(uname -m).tar.gz"
    tar -C "$dist_dir" -czf "$tarball" fbm-desk || fail "could not write $tarball"
    echo "build_bundle: archive $tarball ($(du -h "$tarball" | cut -f1))"
fi
built="built in ${build_seconds} s"
[[ $test_only -eq 1 ]] && built="not rebuilt"
echo "bundle ok: $bundle $size $built; $report"
