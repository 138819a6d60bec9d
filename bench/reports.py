"""Time the credit reports on a copy of a benchmark database.

The copy (``--db``, by default ``credit_bench_<size>_reports``) gets the add-on
installed, then each report runs ``--reps`` times as the administrator in a
rolled-back transaction (one warm-up first); the table gives the median wall time
and number of SQL statements. The DSO is timed twice: on the first request of a
database without snapshots (the closed months are computed and stored in the
same transaction) and once the monthly job has stored them.

    .venv/bin/python bench/reports.py --size l --db cm8_bench_l [--reuse]
"""

import argparse
import statistics
import subprocess
import sys
import time
from datetime import timedelta

import benchlib
from benchlib import log

CM = "credit_management"


def prepare(size, db, reuse):
    base = benchlib.base_db(size)
    if reuse and benchlib.module_state(db, CM) == "installed":
        log(f"reusing {db}")
        return
    for attempt in range(10):
        try:
            log(f"copying {base} to {db}")
            benchlib.copy_db(base, db)
            break
        except subprocess.CalledProcessError:
            if attempt == 9:
                raise
            time.sleep(10)  # "being accessed by other users": try again
    log(f"installing {CM} in {db}")
    proc = benchlib.install_addon(db, CM)
    if benchlib.module_state(db, CM) != "installed":
        sys.exit(proc.stdout + proc.stderr)


def wizard(model, **values):
    def run(env):
        record = env[model].create(values)
        record._compute_lines()
        return len(record.line_ids)

    return run


def dashboard(env):
    tiles = env["credit.dashboard.tile"].search([])
    tiles.read(["value", "comment", "graph", "details", "alert"])
    return len(tiles)


def take_snapshots(env):
    env["credit.kpi.snapshot"]._cron_take_snapshots()
    return env["credit.kpi.snapshot"].search_count([])


def scenarios(today):
    return [
        ("aged balance, today", wizard("credit.aged.balance")),
        (
            "aged balance as of 90 days ago",
            wizard("credit.aged.balance", date=today - timedelta(days=90)),
        ),
        (
            "DSO per salesperson, 12 months, snapshots stored",
            wizard("credit.dso.analysis", dimension="user", months=12),
        ),
        (
            "DSO per country, 12 months, snapshots stored",
            wizard("credit.dso.analysis", dimension="country", months=12),
        ),
        (
            "monthly overdue report, last month",
            wizard(
                "credit.overdue.report", date=today.replace(day=1) - timedelta(days=1)
            ),
        ),  # fmt: skip
        ("cash-in forecast, 8 weeks", wizard("credit.cash.forecast")),
        ("dashboard (all tiles)", dashboard),
    ]


def measure(registry, odoo, func, reps):
    samples = []
    for rep in range(reps + 1):
        with registry.cursor() as cr:
            admin = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}).ref(
                "base.user_admin"
            )
            env = odoo.api.Environment(cr, admin.id, {})
            env.invalidate_all()
            queries = cr.sql_log_count
            start = time.perf_counter()
            items = func(env)
            env.flush_all()
            seconds = time.perf_counter() - start
            queries = cr.sql_log_count - queries
            cr.rollback()
        if rep:  # the first one warms the caches up
            samples.append((seconds, queries, items))
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
        samples[-1][2],
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("s", "l"), default="l")
    parser.add_argument("--db")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    db = args.db or f"{benchlib.base_db(args.size)}_reports"
    prepare(args.size, db, args.reuse)
    odoo = benchlib.init_odoo()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["credit.kpi.snapshot"].search([]).unlink()
        cr.commit()
        today = odoo.fields.Date.context_today(env["res.partner"])
        counts = {
            "customers": env["res.partner"].search_count([("customer_rank", ">", 0)]),
            "receivable items": env["account.move.line"].search_count(
                [("account_type", "=", "asset_receivable")]
            ),
            "reconciliations": env["account.partial.reconcile"].search_count([]),
        }
    rows = [
        ("DSO per salesperson, first request (takes the snapshots)",)
        + measure(registry, odoo, scenarios(today)[2][1], args.reps)
    ]
    log("storing the monthly snapshots (monthly job)")
    with registry.cursor() as cr:
        started = time.perf_counter()
        taken = take_snapshots(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}))
        cr.commit()
        log(f"{taken:,} snapshots in {time.perf_counter() - started:.1f}s")
    for name, func in scenarios(today):
        log(name)
        rows.append((name,) + measure(registry, odoo, func, args.reps))
    lines = [
        f"Database {db} ({', '.join(f'{v:,} {k}' for k, v in counts.items())}); "
        f"median of {args.reps} repetitions after a warm-up.",
        "",
        "| report | time | queries | lines |",
        "| --- | --: | --: | --: |",
    ] + [
        f"| {name} | {seconds * 1000:,.0f} ms | {queries:.0f} | {items:,} |"
        for name, seconds, queries, items in rows
    ]
    print("\n".join(lines))
    benchlib.RESULTS_DIR.mkdir(exist_ok=True)
    path = (
        benchlib.RESULTS_DIR / f"reports-{args.size}-{time.strftime('%Y%m%d-%H%M')}.md"
    )
    path.write_text("\n".join(lines) + "\n")
    log(f"written to {path}")


if __name__ == "__main__":
    main()
