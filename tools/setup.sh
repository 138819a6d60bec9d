#!/usr/bin/env bash
# Idempotent setup shared by `make demo`, `make test` and the benchmark.
#
#  1. Debian packages Odoo's requirements, browser tests and PDF reports need (wkhtmltopdf
#     and its fonts; only when missing; root only).
#  2. Odoo 19.0 source: $ODOO_SRC, default /opt/odoo-19.0; downloaded from Odoo's official
#     nightly site into that folder when it does not exist.
#  3. A virtualenv in .venv (git-ignored) with Odoo installed in editable mode, Odoo's own
#     requirements (with the Python 3.11 workarounds) and ours. Skipped when nothing changed.
#  4. PostgreSQL: the server PGHOST/PGPORT point at if it answers, else the local Debian
#     cluster, started when stopped, with a superuser role for the current user.
#  5. .local/odoo.conf, the configuration every command uses.
#
# A second run installs nothing and takes a few seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=tools/env.sh
source "$ROOT/tools/env.sh"

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

# --------------------------------------------------------------------------- 1. system packages
DEB_PACKAGES=(libpq-dev libldap2-dev libsasl2-dev chromium postgresql wkhtmltopdf
              fonts-dejavu-core)
apt_installed=0
missing=()
if command -v dpkg-query >/dev/null; then
    for pkg in "${DEB_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing Debian packages: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        apt_installed=1
    else
        die "missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})"
    fi
fi

# --------------------------------------------------------------------------- 2. Odoo source
if [ ! -f "$ODOO_SRC/odoo-bin" ]; then
    url="https://nightly.odoo.com/19.0/nightly/src/odoo_19.0.latest.tar.gz"
    log "no Odoo source in $ODOO_SRC: downloading the official 19.0 source from $url"
    tmp=$(mktemp -d)
    curl -fSL --retry 3 -o "$tmp/odoo.tar.gz" "$url" \
        || die "could not download Odoo 19.0; set ODOO_SRC to an Odoo 19.0 source tree"
    mkdir -p "$ODOO_SRC"
    tar -xzf "$tmp/odoo.tar.gz" -C "$ODOO_SRC" --strip-components=1
    rm -rf "$tmp"
fi
grep -q "^version_info = (19, 0" "$ODOO_SRC/odoo/release.py" \
    || die "$ODOO_SRC is not an Odoo 19.0 source tree (odoo/release.py)"

# --------------------------------------------------------------------------- 3. virtualenv
stamp="$VENV/.credit_management-stamp"
want=$( { echo "$ODOO_SRC"; cat "$ODOO_SRC/requirements.txt" "$ROOT/requirements.txt" \
          "$ROOT/tools/setup.sh"; } | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating virtualenv $VENV"
        "${PYTHON:-python3}" -m venv "$VENV"
    fi
    pip=("$VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
    # Old sdists pinned by Odoo (for Python 3.11) do not build with recent setuptools or in an
    # isolated build environment; cbor2 5.4.2 has no usable file, 5.4.6 is API-compatible.
    "${pip[@]}" "setuptools<70" wheel
    sed -e 's/^cbor2==5\.4\.2/cbor2==5.4.6/' "$ODOO_SRC/requirements.txt" > "$VENV/odoo-requirements.txt"
    log "installing Odoo's Python requirements (first run only: a few minutes)"
    "${pip[@]}" --no-build-isolation -r "$VENV/odoo-requirements.txt"
    log "installing the project's Python requirements"
    "${pip[@]}" -r "$ROOT/requirements.txt"
    log "installing Odoo from $ODOO_SRC (editable)"
    "${pip[@]}" --no-deps --no-build-isolation -e "$ODOO_SRC"
    echo "$want" > "$stamp"
fi

# --------------------------------------------------------------------------- 4. PostgreSQL
pg_answers() { pg_isready -q >/dev/null 2>&1; }
if [ "$apt_installed" = 1 ] && pg_answers && [ -z "${PGHOST:-}" ] && command -v pg_lsclusters >/dev/null; then
    # A package upgrade under a running server leaves it unable to load PL/pgSQL: restart it.
    log "restarting PostgreSQL after the package installation"
    pg_lsclusters -h | awk '$4 == "online" {print $1, $2}' | while read -r ver name; do
        pg_ctlcluster "$ver" "$name" restart
    done
fi
if ! pg_answers; then
    if [ -n "${PGHOST:-}${PGPORT:-}" ] && [ "${PGHOST:-}" != localhost ] && [ "${PGHOST:-}" != "/var/run/postgresql" ]; then
        die "PostgreSQL at ${PGHOST:-}:${PGPORT:-5432} does not answer; start it or unset PGHOST/PGPORT"
    fi
    command -v pg_lsclusters >/dev/null \
        || die "PostgreSQL does not answer and no Debian cluster exists: install postgresql (>= 13) or set PGHOST/PGPORT"
    read -r ver name < <(pg_lsclusters -h | sort -rn | awk '{print $1, $2; exit}')
    [ -n "${ver:-}" ] || die "no PostgreSQL cluster: run 'pg_createcluster 15 main'"
    log "starting PostgreSQL cluster $ver/$name"
    if [ "$(id -u)" = 0 ]; then
        pg_ctlcluster "$ver" "$name" start
    else
        die "PostgreSQL $ver/$name is stopped: run 'sudo pg_ctlcluster $ver $name start'"
    fi
    for _ in $(seq 30); do pg_answers && break; sleep 1; done
    pg_answers || die "PostgreSQL $ver/$name did not come up (see /var/log/postgresql)"
fi
if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
    me=$(id -un)
    [ "$(id -u)" = 0 ] || die "PostgreSQL refuses role '$me': run 'sudo -u postgres createuser -s $me'"
    log "creating PostgreSQL superuser role '$me'"
    su postgres -c "createuser -s '$me'" \
        || die "could not create PostgreSQL role '$me'"
fi

# --------------------------------------------------------------------------- 5. Odoo configuration
mkdir -p "$ROOT/.local/data"
cat > "$ODOO_CONF.tmp" <<EOF
[options]
addons_path = $ODOO_SRC/odoo/addons,$ODOO_SRC/addons,$ROOT
data_dir = $ROOT/.local/data
admin_passwd = admin
http_interface = 127.0.0.1
list_db = True
EOF
[ -z "${PGHOST:-}" ] || echo "db_host = $PGHOST" >> "$ODOO_CONF.tmp"
[ -z "${PGPORT:-}" ] || echo "db_port = $PGPORT" >> "$ODOO_CONF.tmp"
# Several checkouts on one machine (git worktrees) each need their own HTTP port for tests.
[ -z "${ODOO_HTTP_PORT:-}" ] || echo "http_port = $ODOO_HTTP_PORT" >> "$ODOO_CONF.tmp"
if cmp -s "$ODOO_CONF.tmp" "$ODOO_CONF" 2>/dev/null; then rm "$ODOO_CONF.tmp"; else mv "$ODOO_CONF.tmp" "$ODOO_CONF"; fi
log "ready: Odoo $("$VENV/bin/python" -c 'import odoo.release as r; print(r.version)') in $VENV, config $ODOO_CONF"
