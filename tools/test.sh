#!/usr/bin/env bash
# Run the module's tests on a fresh database.
#   tools/test.sh pytest   -> pytest-odoo (the README's `make test`; what CI reads)
#   tools/test.sh odoo     -> Odoo's own runner (--test-tags /credit_management)
# Extra arguments go to pytest (e.g. -k test_block).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/tools/env.sh"
runner=${1:-pytest}; shift || true
bash "$ROOT/tools/setup.sh"

# Browser tests: without Chromium and websocket-client Odoo skips HttpCase tours
# silently. A test run that cannot run them fails instead.
command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
    || { echo "chromium is missing: the browser tests cannot run (apt-get install chromium)" >&2; exit 1; }
"$VENV/bin/python" -c "import websocket" 2>/dev/null \
    || { echo "websocket-client is missing from $VENV" >&2; exit 1; }

DB=${TEST_DB:-credit_test}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ "$runner" = odoo ]; then
    DB=${TEST_DB:-credit_test_odoo}
    dropdb --if-exists "$DB"
    echo "[test] installing credit_management in $DB and running its tests with Odoo's runner"
    set +e
    "${ODOO_BIN[@]}" -d "$DB" -i credit_management --test-tags /credit_management \
        --stop-after-init --log-level=test --http-port="${TEST_HTTP_PORT:-8169}" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    ran=$(grep -oE "[0-9]+ post-tests" "$log" | tail -1 | cut -d' ' -f1)
    failed=$(grep -cE "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL)" "$log" || true)
    echo "[test] Odoo ran ${ran:-0} post-install tests; ${failed} error lines; exit code $rc"
    [ "$rc" = 0 ] && [ "${failed}" = 0 ] && [ "${ran:-0}" -gt 0 ]
    exit $?
fi

dropdb --if-exists "$DB"
echo "[test] installing credit_management (with demo data) in a fresh database $DB"
"${ODOO_BIN[@]}" -d "$DB" -i credit_management --with-demo --stop-after-init \
    --log-level=warn 2>&1 | tee "$log"
# A warning while loading the module (an ignored constraint, an unknown field
# parameter, a view problem) is a defect: fail on it.
# (Debian's wkhtmltopdf, built without patched Qt, warns on every PDF the demo data
# renders: a property of the machine, not of the module.)
if grep -E " (WARNING|ERROR|CRITICAL) " "$log" | grep -v "odoo.tools.config" \
    | grep -v "WARNING .* odoo.addons.base.models.ir_actions_report: wkhtmltopdf: "; then
    echo "[test] the module installed with warnings or errors (above)" >&2
    exit 1
fi
cd "$ROOT"
exec "$VENV/bin/pytest" -p no:cacheprovider \
    --odoo-database="$DB" --odoo-config="$ODOO_CONF" --odoo-http \
    --odoo-log-level=warn \
    credit_management/tests "$@"
