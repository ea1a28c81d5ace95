#!/usr/bin/env bash
# Install or upgrade Ally Readiness in the folder that holds this script, with the settings of an
# environment file (deploy/ally.env.example). Run it as the user the services run as, after every
# upgrade too: each step is safe to repeat.
#
#   deploy/install.sh /etc/ally/ally.env
#
# PYTHON names the interpreter to use (default: .venv/bin/python, made here when missing).
set -euo pipefail
ENV_FILE=${1:?usage: deploy/install.sh /etc/ally/ally.env}
ENV_FILE=$(realpath "$ENV_FILE")
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
  PYTHON=.venv/bin/python
  [ -x "$PYTHON" ] || python3 -m venv .venv
fi
set -a
# shellcheck source=ally.env.example
. "$ENV_FILE"
set +a

step() { printf '\n== %s\n' "$*"; }

step "Python requirements"
"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements.txt
step "Database tables (and the cache table)"
"$PYTHON" manage.py migrate --noinput
step "Every questionnaire version that comes with this release"
"$PYTHON" manage.py load_questionnaires
step "Stored results under this release's scoring rules"
"$PYTHON" manage.py recompute_results
step "Static files"
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
step "Production settings"
"$PYTHON" manage.py check --deploy --fail-level WARNING
step "Installed. Start or restart the services: systemctl restart ally-web ally-worker"
