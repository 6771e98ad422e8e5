#!/usr/bin/env bash
# Add Plansmith to the desktop's application menu (XDG desktop entry + hicolor icons).
#
#   bash install-desktop.sh [--exec PATH] [--icons DIR] [--system] [--uninstall]
#
#   --exec PATH   the command the menu entry starts (default: `plansmith` found on PATH;
#                 for the frozen app: /path/to/plansmith/plansmith)
#   --icons DIR   folder holding plansmith.svg and plansmith.png (default: the repo's
#                 resources/icons, else this script's folder)
#   --system      for every user: /usr/local/share (run as root); default: for this user,
#                 ${XDG_DATA_HOME:-~/.local/share}
#   --uninstall   remove the entry and the icons
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec_path="" icons="" uninstall=0
data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
while (($#)); do
  case "$1" in
    --exec) exec_path="$2"; shift 2 ;;
    --icons) icons="$2"; shift 2 ;;
    --system) data_home=/usr/local/share; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "install-desktop: unknown option $1" >&2; exit 2 ;;
  esac
done

apps="$data_home/applications"
svg_dest="$data_home/icons/hicolor/scalable/apps/plansmith.svg"
png_dest="$data_home/icons/hicolor/256x256/apps/plansmith.png"
desktop_dest="$apps/plansmith.desktop"

refresh() {  # menus and icon caches pick the change up; all optional
  command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" 2>/dev/null || true
  # Only the system theme has an index.theme and a cache to refresh; a cache made in a
  # user folder goes stale when other apps add icons there without refreshing it.
  if [ -f "$data_home/icons/hicolor/index.theme" ] && command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q "$data_home/icons/hicolor" 2>/dev/null || true
  fi
}

if ((uninstall)); then
  rm -f "$desktop_dest" "$svg_dest" "$png_dest"
  refresh
  echo "Removed the Plansmith menu entry and icons from $data_home"
  exit 0
fi

if [ -z "$icons" ]; then
  if [ -f "$here/../../resources/icons/plansmith.svg" ]; then icons="$here/../../resources/icons"; else icons="$here"; fi
fi
[ -f "$icons/plansmith.svg" ] || { echo "install-desktop: no plansmith.svg in $icons" >&2; exit 1; }
if [ -z "$exec_path" ]; then
  exec_path=$(command -v plansmith || true)
  [ -n "$exec_path" ] || { echo "install-desktop: plansmith is not on PATH: pass --exec /path/to/plansmith" >&2; exit 1; }
fi
exec_path="$(realpath -s "$exec_path")"
[ -x "$exec_path" ] || { echo "install-desktop: $exec_path is not an executable" >&2; exit 1; }

mkdir -p "$apps" "$(dirname "$svg_dest")" "$(dirname "$png_dest")"
install -m 644 "$icons/plansmith.svg" "$svg_dest"
[ -f "$icons/plansmith.png" ] && install -m 644 "$icons/plansmith.png" "$png_dest"
# Exec keys quote paths that hold spaces (Desktop Entry spec, "The Exec key").
case "$exec_path" in *" "*) exec_line="Exec=\"$exec_path\"" ;; *) exec_line="Exec=$exec_path" ;; esac
sed -e "s|^Exec=.*|$exec_line|" -e "s|^Icon=.*|Icon=plansmith|" "$here/plansmith.desktop" > "$desktop_dest.tmp"
chmod 644 "$desktop_dest.tmp"
mv "$desktop_dest.tmp" "$desktop_dest"
if command -v desktop-file-validate >/dev/null; then desktop-file-validate "$desktop_dest" || true; fi
refresh
echo "Menu entry: $desktop_dest (runs $exec_path); icons under $data_home/icons/hicolor"
