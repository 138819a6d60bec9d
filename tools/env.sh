# Shared locations, sourced by every script in tools/ (override any of them from the environment).
ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ODOO_SRC=${ODOO_SRC:-/opt/odoo-19.0}
VENV=${VENV:-$ROOT/.venv}
ODOO_CONF=${ODOO_CONF:-$ROOT/.local/odoo.conf}
ODOO_BIN=("$VENV/bin/python" "$ODOO_SRC/odoo-bin" -c "$ODOO_CONF")
export ODOO_SRC VENV ODOO_CONF
