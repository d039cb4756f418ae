#!/bin/sh
# Starts the one service named by SERVICE (contacts, gateway, …) from the image every service shares.
set -eu

# A command, when given, runs instead: `docker run --rm crm:dev node -e '…'` for one-off tasks.
if [ "$#" -gt 0 ]; then
  exec "$@"
fi

app="$(cd "$(dirname "$0")/../.." && pwd)" # /app in the image
service="${SERVICE:-}"
main="${app}/dist/services/${service}/src/main.js"
case "$service" in
  '' | *[!a-z0-9-]*) main='' ;;
esac
if [ -z "$main" ] || [ ! -f "$main" ]; then
  echo "SERVICE='${service}' names no service of this image; set SERVICE to one of: $(ls "${app}/dist/services" | tr '\n' ' ')" >&2
  exit 64
fi

# exec: node replaces this shell, so the SIGTERM that tini forwards reaches the service's shutdown hooks.
exec node --enable-source-maps --disable-warning=ExperimentalWarning "$main"
