#!/usr/bin/env bash
# `make serve-prod`: the production profile on this machine, against the local PostgreSQL and Redis,
# served by gunicorn on http://$HOST:$PORT. For a trial on plain HTTP the HTTPS redirect and Secure cookies
# are off (check --deploy says so); everything else is as in production. Behind nginx with TLS, leave
# SECURE_SSL_REDIRECT and SECURE_COOKIES unset.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

bash deploy/local-services.sh

if [ -z "${DATABASE_URL:-}" ]; then
  DB_NAME=${DB_NAME:-hall}
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB_NAME"
  if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1; then
    echo "Creating database $DB_NAME"
    createdb -h 127.0.0.1 -U postgres "$DB_NAME"
  fi
fi
mkdir -p var
if [ ! -s var/serve-prod.secret ]; then
  python3 -c "import secrets; print(secrets.token_urlsafe(50))" > var/serve-prod.secret
  chmod 600 var/serve-prod.secret
fi
export DJANGO_SETTINGS_MODULE=config.settings.production
export SECRET_KEY="${SECRET_KEY:-$(cat var/serve-prod.secret)}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-False}"
export SECURE_COOKIES="${SECURE_COOKIES:-False}"
# The demo data signs in through the simulated SMS outbox and face verifier: allowed here explicitly (every page
# shows the 演示环境 banner). Without it, or with real SMS_GATEWAY and FACE_VERIFIER classes, check fails on them.
export HALL_DEMO_DEVICES="${HALL_DEMO_DEVICES:-true}"

$BIN/python manage.py check --deploy
$BIN/python manage.py collectstatic --noinput --verbosity 0
$BIN/python manage.py migrate --noinput
$BIN/python manage.py load_policies
$BIN/python manage.py seed_demo
echo "Serving the production profile on http://$HOST:$PORT/ (Ctrl-C stops)"
exec $BIN/gunicorn --config config/gunicorn.conf.py --bind "$HOST:$PORT" config.wsgi
