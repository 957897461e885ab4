#!/usr/bin/env bash
# Installs what Orgfleet's build, tests and demo need on a fresh Debian/Ubuntu machine:
# system packages (apt, when root or with passwordless sudo; otherwise it stops and lists
# them), npm packages (npm ci), and, with --driver, tauri-driver into ./.tools.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

want_driver=0
for arg in "$@"; do
  case "$arg" in
    --driver) want_driver=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

APT_PACKAGES=(
  build-essential pkg-config file ca-certificates
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev librsvg2-dev
  xvfb xauth libgl1-mesa-dri webkit2gtk-driver fonts-dejavu-core
  imagemagick xdotool
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Orgfleet needs these system packages, which are not installed:" >&2
    echo "  ${missing[*]}" >&2
    echo "Install them as root, then run this again:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "==> installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
if ! cmp -s package-lock.json node_modules/.orgfleet-installed-lock 2>/dev/null; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.orgfleet-installed-lock
fi

if ((want_driver)) && [[ ! -x .tools/bin/tauri-driver ]]; then
  echo "==> installing tauri-driver 2.1.0 into .tools"
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/tools" \
    cargo install tauri-driver --version 2.1.0 --locked --root .tools --quiet
fi
