#!/usr/bin/env bash
# Install the FBM Desk menu entry and icons for the current user (from-source or bundle installs).
#
#   scripts/install_desktop_entry.sh                      # source tree: Exec=fbm-desk (must be on PATH)
#   scripts/install_desktop_entry.sh /path/to/fbm-desk    # Exec=<that program>, e.g. .venv/bin/fbm-desk
#   ./install_desktop_entry.sh                            # inside the bundle folder: Exec=<bundle>/fbm-desk
#   scripts/install_desktop_entry.sh --uninstall
#
# Writes into ${XDG_DATA_HOME:-~/.local/share}: applications/fbm-desk.desktop and
# icons/hicolor/<N>x<N>/apps/fbm-desk.png. No root needed.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
apps_dir="$data_home/applications"
icons_root="$data_home/icons/hicolor"
sizes=(16 24 32 48 64 128 256)

if [[ "${1:-}" == "--uninstall" ]]; then
    rm -f "$apps_dir/fbm-desk.desktop"
    for n in "${sizes[@]}"; do rm -f "$icons_root/${n}x${n}/apps/fbm-desk.png"; done
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons_root" 2>/dev/null || true
    echo "Removed the FBM Desk menu entry and icons from $data_home"
    exit 0
fi

# Source tree: this script is in scripts/ and the files in resources/. Bundle: the build copies this script
# next to the fbm-desk program, and the files are in _internal/resources/; the default Exec is that program.
res=""
default_exec="fbm-desk"
if [[ -f "$script_dir/../resources/fbm-desk.desktop" ]]; then
    res="$(cd "$script_dir/../resources" && pwd)"
elif [[ -f "$script_dir/_internal/resources/fbm-desk.desktop" ]]; then
    res="$script_dir/_internal/resources"
    default_exec="$script_dir/fbm-desk"
else
    echo "install_desktop_entry: cannot find resources/fbm-desk.desktop near $script_dir" >&2
    exit 1
fi

exec_cmd="${1:-$default_exec}"
if [[ "$exec_cmd" != "fbm-desk" ]]; then
    exec_cmd="$(cd "$(dirname "$exec_cmd")" && pwd)/$(basename "$exec_cmd")"
    if [[ ! -x "$exec_cmd" ]]; then
        echo "install_desktop_entry: $exec_cmd is not an executable program" >&2
        exit 1
    fi
fi

mkdir -p "$apps_dir"
for n in "${sizes[@]}"; do
    mkdir -p "$icons_root/${n}x${n}/apps"
    install -m 0644 "$res/icons/fbm-desk-$n.png" "$icons_root/${n}x${n}/apps/fbm-desk.png"
done
# Desktop entries need an absolute path or a name on PATH; quote paths with spaces per the spec.
quoted="$exec_cmd"
if [[ "$exec_cmd" == *" "* ]]; then quoted="\"$exec_cmd\""; fi
sed -e "s|^Exec=.*|Exec=$quoted|" -e "s|^TryExec=.*|TryExec=$exec_cmd|" \
    "$res/fbm-desk.desktop" > "$apps_dir/fbm-desk.desktop"
chmod 0644 "$apps_dir/fbm-desk.desktop"

command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps_dir" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons_root" 2>/dev/null || true
echo "Installed the FBM Desk menu entry ($apps_dir/fbm-desk.desktop, Exec=$exec_cmd) and icons under $icons_root"
