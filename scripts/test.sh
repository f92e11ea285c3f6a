#!/usr/bin/env bash
# Run landplan's whole test suite on a fresh machine: makes .venv, installs landplan with its
# test extras, installs and starts PostGIS and Chromium from Debian's packages where it can,
# creates the test database, then runs pytest (extra arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${LANDPLAN_VENV:-.venv}
PG_DB=${LANDPLAN_TEST_DB:-landplan_test}

log() { printf '\n== %s\n' "$*"; }

# --- system packages (PostGIS, Chromium, LibreOffice) --------------------------------------------------
need_apt=()
if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
    need_apt+=(postgresql-15-postgis-3)
fi
if ! command -v chromium >/dev/null 2>&1; then
    need_apt+=(chromium)
fi
# GDAL's own GeoPackage validator, which the store's files are checked against.
if ! /usr/bin/python3 -c "import osgeo_utils.samples.validate_gpkg" >/dev/null 2>&1; then
    need_apt+=(python3-gdal)
fi
# LibreOffice turns the 公文 report into PDF (tests check its page size); serif and kaiti CJK
# faces stand in for the 公文 fonts in it.
if ! command -v soffice >/dev/null 2>&1; then
    need_apt+=(libreoffice-writer-nogui)
fi
if ! fc-list 2>/dev/null | grep -qi "AR PL UMing"; then
    need_apt+=(fonts-arphic-uming fonts-arphic-ukai)
fi
# A CJK font, so screenshots of Chinese maps show text rather than empty boxes.
if ! fc-list 2>/dev/null | grep -qi -e "wenquanyi" -e "noto sans cjk"; then
    need_apt+=(fonts-wqy-microhei)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "installing ${need_apt[*]} from Debian's packages"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}"
    else
        echo "note: ${need_apt[*]} missing and apt-get unavailable; their tests will skip" >&2
    fi
fi

# --- PostgreSQL with PostGIS -----------------------------------------------------------------
if [ -z "${LANDPLAN_TEST_POSTGIS_URL:-}" ] && command -v psql >/dev/null 2>&1; then
    if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        if command -v pg_ctlcluster >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
            log "starting PostgreSQL"
            for v in $(ls /etc/postgresql 2>/dev/null); do
                pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
            done
            for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
        fi
    fi
    if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q)
        if [ "$("${PSQL[@]}" -tAc "select 1 from pg_database where datname='$PG_DB'" postgres)" != 1 ]; then
            "${PSQL[@]}" -c "create database $PG_DB" postgres
        fi
        if "${PSQL[@]}" -c "create extension if not exists postgis" "$PG_DB"; then
            export LANDPLAN_TEST_POSTGIS_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$PG_DB"
        fi
    fi
fi

# --- Python environment ----------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    "$PY" -m venv "$VENV"
fi
log "installing landplan and its test dependencies"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -e ".[postgis,test]"

log "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .

log "mypy"
"$VENV/bin/mypy"

log "pytest"
export LANDPLAN_CHROMIUM=${LANDPLAN_CHROMIUM:-$(command -v chromium || true)}
exec "$VENV/bin/python" -m pytest "$@"
