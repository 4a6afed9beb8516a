#!/usr/bin/env bash
# The documented browser check of the HTML bulletin (not run by CI: it needs
# Debian's chromium and fonts-noto-cjk: apt-get install -y chromium fonts-noto-cjk).
# Renders the demo bulletin and screenshots it into docs/bulletin.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
.venv/bin/xinfang demo --format html -o "$out/bulletin.html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$out/profile" --window-size=1100,1500 \
  --screenshot=docs/bulletin.png "file://$out/bulletin.html"
