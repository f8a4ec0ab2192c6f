#!/bin/sh
# The container's entrypoint: waits for PostgreSQL when PILOTHOUSE_DATABASE_URL names one, then
# becomes `pilothouse hub` (exec: SIGTERM from `docker stop` reaches the hub, which shuts down
# cleanly). Settings come from the environment compose.yaml sets; extra arguments are passed on.
set -eu

if [ -n "${PILOTHOUSE_DATABASE_URL:-}" ]; then
  tries=0
  # A TCP connect to the database's host and port, each try bounded by 2 s.
  until node -e '
    const u = new URL(process.env.PILOTHOUSE_DATABASE_URL);
    const s = require("net").connect(Number(u.port || 5432), u.hostname || "127.0.0.1");
    s.setTimeout(2000, () => process.exit(1));
    s.once("connect", () => process.exit(0));
    s.once("error", () => process.exit(1));
  '; do
    tries=$((tries + 1))
    if [ "$tries" -ge "${PILOTHOUSE_DB_WAIT_TRIES:-60}" ]; then
      echo "pilothouse: PostgreSQL did not answer after $tries tries; giving up." >&2
      exit 1
    fi
    echo "pilothouse: waiting for PostgreSQL…" >&2
    sleep 1
  done
fi

set -- hub --host "${PILOTHOUSE_HOST:-0.0.0.0}" --port "${PILOTHOUSE_PORT:-4860}" --data "${PILOTHOUSE_DATA:-/data}" "$@"
[ -n "${PILOTHOUSE_PUBLIC_URL:-}" ] && set -- "$@" --public-url "$PILOTHOUSE_PUBLIC_URL"
[ -n "${PILOTHOUSE_PREVIEW_ORIGIN:-}" ] && set -- "$@" --preview-origin "$PILOTHOUSE_PREVIEW_ORIGIN"
[ "${PILOTHOUSE_TRUST_PROXY:-}" = "1" ] && set -- "$@" --trust-proxy
exec pilothouse "$@"
