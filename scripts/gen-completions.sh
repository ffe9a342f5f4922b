#!/usr/bin/env bash
# Regenerates the committed shell completions and manual pages from the current binary.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p dalgo-cli
bin="${CARGO_TARGET_DIR:-target}/debug/dalgo"
"$bin" completions bash > completions/dalgo.bash
"$bin" completions zsh > completions/_dalgo
"$bin" completions fish > completions/dalgo.fish
rm -rf man && "$bin" man --dir man >/dev/null
echo "completions/ and man/ regenerated" >&2
