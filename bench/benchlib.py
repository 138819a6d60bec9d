"""Helpers shared by ``generate.py`` and ``run.py``.

Both scripts run under the project's virtualenv and talk to PostgreSQL with the
command-line clients (``psql``, ``createdb``, ``dropdb``) so that the usual
``PG*`` environment variables apply, exactly as for Odoo itself.
"""

import contextlib
import datetime
import fcntl
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo-19.0"))
ODOO_BIN = ODOO_SRC / "odoo-bin"
ODOO_CONF = Path(os.environ.get("ODOO_RC", ROOT / ".local" / "odoo.conf"))
RESULTS_DIR = BENCH_DIR / "results"

SIZE_PARAM = "credit_bench.size"
"""ir.config_parameter written by generate.py once the base database is complete."""

DATE_PARAM = "credit_bench.date"
"""ir.config_parameter: the day (ISO) the base database was generated.

The data is dated relative to that day ("overdue" means overdue that day), so a
base generated on another day has aged: customers meant to be safe have become
overdue and the confirmation scenarios would time refusals."""


def base_db(size):
    """Name of the base database generated for ``size``."""
    return f"credit_bench_{size}"


def log(msg):
    """Print a progress line with a timestamp (flushed: the scripts run long)."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def psql_value(db, query):
    """First column of the first row of ``query`` on ``db`` (None if no row)."""
    proc = subprocess.run(
        ["psql", "-X", "-q", "-t", "-A", "-d", db, "-c", query],
        capture_output=True,
        text=True,
        check=True,
    )
    out = proc.stdout.strip()
    return out.splitlines()[0] if out else None


def db_exists(db):
    """Whether database ``db`` exists on the server."""
    return (
        psql_value("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{db}'")
        == "1"
    )


def bench_size_recorded(db):
    """The size recorded by a finished generation in ``db``, or None."""
    try:
        return psql_value(
            db, f"SELECT value FROM ir_config_parameter WHERE key = '{SIZE_PARAM}'"
        )
    except subprocess.CalledProcessError:
        return None


def bench_date_recorded(db):
    """The day (ISO string) the base ``db`` was generated, or None."""
    try:
        return psql_value(
            db, f"SELECT value FROM ir_config_parameter WHERE key = '{DATE_PARAM}'"
        )
    except subprocess.CalledProcessError:
        return None


def base_is_current(db, size):
    """Whether ``db`` is a complete base of ``size`` generated today."""
    return (
        bench_size_recorded(db) == size
        and bench_date_recorded(db) == datetime.date.today().isoformat()
    )


def module_state(db, module):
    """State of ``module`` in ``db`` ('installed', 'uninstalled', ...) or None."""
    return psql_value(db, f"SELECT state FROM ir_module_module WHERE name = '{module}'")


def drop_db(db):
    """Drop ``db`` and its filestore (both may be missing)."""
    if db_exists(db):
        subprocess.run(["dropdb", "--force", db], check=True)
    shutil.rmtree(filestore(db), ignore_errors=True)


def copy_db(template, db):
    """(Re)create ``db`` as a copy of ``template``, filestore included.

    ``createdb -T`` copies the files of the template, so every record keeps its
    id: scenarios pick the same records in every copy.
    """
    drop_db(db)
    subprocess.run(["createdb", "-T", template, db], check=True)
    src = filestore(template)
    if src.is_dir():
        shutil.copytree(src, filestore(db))


def analyze(db):
    """``VACUUM ANALYZE`` ``db``: planner statistics and hint bits for the rows
    just written (a generated base, or the add-on's tables filled by its
    installation), so that neither a plan made blind nor autovacuum catching up
    disturbs the timings."""
    subprocess.run(["vacuumdb", "--quiet", "--analyze", db], check=True)


def install_addon(db, module="credit_management", update=False):
    """Install (or update) ``module`` in ``db``, then :func:`analyze` it; return
    the ``odoo-bin`` process (check its return code and the module state)."""
    proc = odoo_bin("-d", db, "-u" if update else "-i", module, "--stop-after-init")
    if proc.returncode == 0:
        analyze(db)
    return proc


def odoo_bin(*args, log_level="warn"):
    """Run ``odoo-bin`` with the project's configuration; return the process.

    Output is captured so that callers can show it only when something failed.
    """
    cmd = [
        sys.executable,
        str(ODOO_BIN),
        "-c",
        str(ODOO_CONF),
        f"--log-level={log_level}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def data_dir():
    """Odoo's data_dir from the configuration file (where filestores live)."""
    import configparser  # noqa: PLC0415

    parser = configparser.ConfigParser()
    parser.read(ODOO_CONF)
    value = parser.get("options", "data_dir", fallback="")
    if value:
        return Path(value).expanduser()
    return Path.home() / ".local" / "share" / "Odoo"


def filestore(db):
    """Filestore directory of ``db``."""
    return data_dir() / "filestore" / db


def init_odoo():
    """Parse Odoo's configuration in this process, logging at ``warn`` level.

    Must run before any registry is opened. Returns the ``odoo`` package.
    """
    import odoo  # noqa: PLC0415
    import odoo.modules.registry  # noqa: F401, PLC0415
    import odoo.release  # noqa: F401, PLC0415

    # Odoo's warnings about the config file (db_host=False...) are noise here.
    logging.getLogger("odoo.tools.config").setLevel(logging.ERROR)
    odoo.tools.config.parse_config(
        ["-c", str(ODOO_CONF), "--log-level=warn"], setup_logging=True
    )
    return odoo


@contextlib.contextmanager
def size_lock(size):
    """Hold an exclusive lock on the databases of ``size`` or exit.

    Two runs (or a run and a generation) on the same size would drop each
    other's databases, and two timings at once on 2 cores are worthless anyway.
    """
    path = data_dir() / f"credit_bench_{size}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit(
                f"another generate.py or run.py is using the size-{size} "
                f"databases ({path}): wait for it to finish"
            ) from None
        yield
