#!/usr/bin/env bash
# Regenerates the Codex app-server protocol bindings from the pinned binary.
#   usage: generate-codex-types.sh [OUT_DIR]   (default: packages/runner/src/codex/generated)
# --experimental: we initialize with capabilities.experimentalApi=true, and the server then
# sends experimental fields (e.g. availableDecisions on command approvals) that only the
# experimental bindings describe. Never edit the output; rerun this after bumping @openai/codex.
set -euo pipefail

runner_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_dir="$(cd "$runner_dir/../.." && pwd)"
out_dir="${1:-$runner_dir/src/codex/generated}"
codex_bin="${PILOTHOUSE_CODEX_BIN:-$repo_dir/node_modules/.bin/codex}"

if [[ ! -x "$codex_bin" ]]; then
  echo "codex not found at $codex_bin; run npm install" >&2
  exit 1
fi

# A scratch CODEX_HOME keeps the generator independent of the user's ~/.codex.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/home" "$scratch/out"

# stderr only matters on failure (it carries a harmless "could not create PATH aliases" warning).
if ! CODEX_HOME="$scratch/home" "$codex_bin" app-server generate-ts --experimental --out "$scratch/out" >/dev/null 2>"$scratch/stderr"; then
  cat "$scratch/stderr" >&2
  exit 1
fi

rm -rf "$out_dir"
mkdir -p "$(dirname "$out_dir")"
mv "$scratch/out" "$out_dir"
echo "generated $(find "$out_dir" -name '*.ts' | wc -l | tr -d ' ') files into $out_dir with $("$codex_bin" --version)"
