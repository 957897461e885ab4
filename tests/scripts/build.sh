#!/usr/bin/env bash
# Builds the release app and its .deb package (target/release/bundle/deb/).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/scripts/setup.sh
ui/node_modules/.bin/tauri build --bundles deb --ci
ls -1 target/release/bundle/deb/*.deb
