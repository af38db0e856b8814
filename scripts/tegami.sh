#!/usr/bin/env bash
# The one entry point behind `npm start`, `npm test` and friends: ensures Node >= 22 and installed
# dependencies (built for that Node), then runs the named task. See README.md.
set -euo pipefail
source "$(dirname "$0")/node22.sh"
cd "$TEGAMI_ROOT"

# (Re)install when node_modules is missing, was built for another Node ABI or lock file.
stamp="node_modules/.tegami-install"
want="$(node -p 'process.versions.modules')-$(sha1sum package-lock.json | cut -c1-12)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "tegami: installing dependencies (npm ci) for Node $(node -v)" >&2
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

task="${1:-}"; shift || true
case "$task" in
  test) exec node scripts/test.mjs "$@" ;;
  *) exec "$task" "$@" ;;
esac
