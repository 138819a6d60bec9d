#!/usr/bin/env bash
# Set up, create database credit_demo with the module and its demo data when missing
# (update the module when its code changed since the last start), then serve Odoo on
# http://localhost:${PORT:-8069}. Login: admin / admin.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/tools/env.sh"
bash "$ROOT/tools/setup.sh"
DB=${DEMO_DB:-credit_demo}
PORT=${PORT:-8069}
stamp="$ROOT/.local/$DB.module-hash"
hash=$(find "$ROOT/credit_management" -type f -not -path "*/__pycache__/*" -print0 \
       | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
# The demo data is played once, when the database is created: a change of the demo
# files or of their generator recreates the database (it holds nothing else).
demo_stamp="$ROOT/.local/$DB.demo-hash"
demo_hash=$(find "$ROOT/credit_management/demo" "$ROOT/credit_management/models/credit_demo.py" \
            -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
state=$(psql -d "$DB" -tAc "SELECT state FROM ir_module_module WHERE name = 'credit_management'" \
        2>/dev/null || true)
if [ "$state" = installed ] && [ "$(cat "$demo_stamp" 2>/dev/null)" != "$demo_hash" ]; then
    echo "[demo] the demo data changed since $DB was created: recreating it"
    state=stale
fi
if [ "$state" != installed ]; then
    echo "[demo] creating database $DB with credit_management and demo data (a few minutes)"
    dropdb --if-exists "$DB"
    "${ODOO_BIN[@]}" -d "$DB" -i credit_management --with-demo --load-language=fr_FR \
        --stop-after-init --log-level=warn
    echo "$hash" > "$stamp"
    echo "$demo_hash" > "$demo_stamp"
elif [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
    echo "[demo] the module changed: updating it in $DB"
    "${ODOO_BIN[@]}" -d "$DB" -u credit_management --stop-after-init --log-level=warn
    echo "$hash" > "$stamp"
else
    echo "[demo] reusing database $DB"
fi
echo "[demo] Odoo on http://localhost:$PORT  (login: admin, password: admin)"
exec "${ODOO_BIN[@]}" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" --log-level=info
