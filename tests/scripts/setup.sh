#!/usr/bin/env bash
# Installs what Orgfleet's build, tests and demo need on a fresh Debian/Ubuntu machine:
# system packages (apt, when root; otherwise it stops and lists them), the npm packages of
# ui/, tests/e2e and tests/conformance (each exactly as its own lock file says), and, with
# --driver, tauri-driver into ./.tools.
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

# Each npm package has its own lock file. `npm install` installs exactly what the lock says
# (`npm ci` would also do that, but refuses a lock that leaves out other platforms' optional
# binaries, which this registry does not serve); a lock it had to change fails the setup.
for pkg in ui tests/e2e tests/conformance; do
  if ! cmp -s "$pkg/package-lock.json" "$pkg/node_modules/.orgfleet-installed-lock" 2>/dev/null; then
    echo "==> npm packages of $pkg"
    cp "$pkg/package-lock.json" "$pkg/.package-lock.before"
    npm install --prefix "$pkg" --no-audit --no-fund
    if ! cmp -s "$pkg/package-lock.json" "$pkg/.package-lock.before"; then
      mv "$pkg/.package-lock.before" "$pkg/package-lock.json"
      echo "$pkg/package-lock.json is out of date with $pkg/package.json; run npm install in $pkg and commit the lock" >&2
      exit 1
    fi
    rm -f "$pkg/.package-lock.before"
    cp "$pkg/package-lock.json" "$pkg/node_modules/.orgfleet-installed-lock"
  fi
done

if ((want_driver)) && [[ ! -x .tools/bin/tauri-driver ]]; then
  echo "==> installing tauri-driver 2.1.0 into .tools"
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/tools" \
    cargo install tauri-driver --version 2.1.0 --locked --root .tools --quiet
fi
