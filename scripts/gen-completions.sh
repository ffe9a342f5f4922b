#!/usr/bin/env bash
# Regenerates the committed shell completions from the current binary.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p dalgo-cli
bin="${CARGO_TARGET_DIR:-target}/debug/dalgo"
"$bin" completions bash > completions/dalgo.bash
"$bin" completions zsh > completions/_dalgo
"$bin" completions fish > completions/dalgo.fish
echo "completions/ regenerated" >&2
