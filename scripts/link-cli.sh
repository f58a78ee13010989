#!/usr/bin/env bash
# Puts `cacheplane` on PATH as a link to this checkout's command: in the first of ~/.local/bin,
# ~/bin or /usr/local/bin that is on PATH and writable; else in ~/.local/bin, printing the one
# line that puts it on PATH. Idempotent.
set -euo pipefail
bin="$(cd "$(dirname "$0")/.." && pwd)/apps/cli/bin/cacheplane.js"
chmod +x "$bin"
on_path() { case ":$PATH:" in *":$1:"*) return 0 ;; *) return 1 ;; esac; }
for dir in "$HOME/.local/bin" "$HOME/bin" /usr/local/bin; do
  if on_path "$dir" && [ -d "$dir" ] && [ -w "$dir" ]; then
    ln -sfn "$bin" "$dir/cacheplane"
    echo "cacheplane: linked $dir/cacheplane" >&2
    exit 0
  fi
done
mkdir -p "$HOME/.local/bin"
ln -sfn "$bin" "$HOME/.local/bin/cacheplane"
echo "cacheplane: linked ~/.local/bin/cacheplane; put it on PATH with:" >&2
echo "  export PATH=\"\$HOME/.local/bin:\$PATH\"" >&2
