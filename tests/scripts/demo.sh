#!/usr/bin/env bash
# `npm run demo`: installs what is missing, builds the app, and opens it with a demo data folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_INCREMENTAL=0 NO_AT_BRIDGE=1

bash tests/scripts/setup.sh
echo "==> building the app (the first build takes a few minutes)"
npx tauri build --debug --no-bundle --ci >/dev/null

export ORGFLEET_HOME="${ORGFLEET_DEMO_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/orgfleet-demo}"
mkdir -p "$ORGFLEET_HOME"
echo "==> demo data folder: $ORGFLEET_HOME"

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "No display found. Run the demo from a desktop session, or headless with:" >&2
  echo "  xvfb-run -a npm run demo" >&2
  exit 1
fi
echo "==> opening Orgfleet"
exec target/debug/orgfleet-desktop
