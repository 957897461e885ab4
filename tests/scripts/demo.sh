#!/usr/bin/env bash
# `npm run demo`: installs what is missing, builds the app, and opens it with a demo data folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_INCREMENTAL=0 NO_AT_BRIDGE=1

bash tests/scripts/setup.sh
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "No display found. Run the demo from a desktop session, or headless with:" >&2
  echo "  xvfb-run -a npm run demo" >&2
  exit 1
fi

echo "==> building the app, the CLI and orgsim (the first build takes a few minutes)"
ui/node_modules/.bin/tauri build --debug --no-bundle --ci >/dev/null
cargo build --quiet -p orgsim -p orgfleet-cli

# The demo keeps its data apart from yours; credentials go to a private file in that folder
# (a demo must not write to your keychain).
export ORGFLEET_HOME="${ORGFLEET_DEMO_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/orgfleet-demo}"
export ORGFLEET_SECRET_STORE=file
mkdir -p "$ORGFLEET_HOME"
echo "==> demo data folder: $ORGFLEET_HOME"

echo "==> starting orgsim (a simulated Salesforce) with the Acme demo orgs"
orgsim_pid=$(bash tests/scripts/demo-orgs.sh)
trap 'kill "$orgsim_pid" 2>/dev/null || true' EXIT

echo "==> opening Orgfleet (close the window to end the demo)"
target/debug/orgfleet-desktop
