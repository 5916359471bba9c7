#!/bin/bash
# manage.py with the production environment (docs/deploy.md): sudo -u ipsm docs/deploy/manage.sh migrate
# Without DATABASE_URL, manage.py would start the embedded development database instead.
set -euo pipefail
set -a
# shellcheck source=/dev/null
. "${IPSM_ENV_FILE:-/etc/ipsm/ipsm.env}"
set +a
: "${DATABASE_URL:?DATABASE_URL is not set in ${IPSM_ENV_FILE:-/etc/ipsm/ipsm.env}}"
cd "$(dirname "$0")/../.."
exec .venv/bin/python manage.py "$@"
