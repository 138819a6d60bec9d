#!/usr/bin/env bash
# ruff (check + format) and pylint-odoo with the OCA's mandatory checks.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/tools/env.sh"
cd "$ROOT"
"$VENV/bin/ruff" check credit_management bench tools
"$VENV/bin/ruff" format --check credit_management bench tools
"$VENV/bin/pylint" --rcfile=.pylintrc-mandatory credit_management
echo "[lint] ruff and pylint-odoo: clean"
