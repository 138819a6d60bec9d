"""Benchmark of dunning run generation (credit_management only).

Copies the base database of a size (``credit_bench_<size>``) into ``--db``,
installs the add-on there, then times the preview of a dunning run (candidate
selection, levels, lines and items written) in two situations, each repetition
in a fresh cursor rolled back:

- ``first``: no dunning history, every overdue invoice goes to its first level;
- ``steady``: two earlier runs were sent (30 and 15 days ago, written the way
  a confirmation writes them), so invoices move to levels 2 and 3.

Prints the median time, the time per overdue invoice and the query count::

    .venv/bin/python bench/dunning.py --size l --db cm5_bench_l [--reuse]
"""

import argparse
import statistics
import subprocess
import time
from datetime import timedelta

from benchlib import (
    base_db,
    copy_db,
    db_exists,
    init_odoo,
    install_addon,
    log,
    module_state,
)


def prepare(size, db, reuse):
    if reuse and db_exists(db) and module_state(db, "credit_management") == "installed":
        proc = install_addon(db, update=True)
    else:
        for attempt in range(10):
            try:
                copy_db(base_db(size), db)
                break
            except subprocess.CalledProcessError:
                log(f"copy of {base_db(size)} refused (in use?), retry {attempt + 1}")
                time.sleep(10)
        else:
            raise SystemExit(f"could not copy {base_db(size)}")
        log(f"installing credit_management in {db}")
        proc = install_addon(db)
    if proc.returncode:
        raise SystemExit(proc.stdout[-3000:] + proc.stderr[-3000:])


def sent_run(env, date):
    """A run of ``date`` generated and recorded as sent, without the emails."""
    run = env["credit.dunning.run"].create({"date": date})
    run._generate_lines()
    env.flush_all()
    env.cr.execute(
        """UPDATE credit_dunning_line SET state = 'done' WHERE run_id = %s;
           UPDATE credit_dunning_item SET state = 'done'
            WHERE line_id IN (SELECT id FROM credit_dunning_line WHERE run_id = %s);
           UPDATE credit_dunning_run SET state = 'done' WHERE id = %s;
           UPDATE account_move m SET credit_dunning_level_id = i.level_id,
                  credit_dunning_date = i.date
             FROM credit_dunning_item i JOIN credit_dunning_line l ON l.id = i.line_id
            WHERE i.move_id = m.id AND l.run_id = %s""",
        (run.id, run.id, run.id, run.id),
    )
    env.invalidate_all()


def measure(odoo, db, situation, reps, warmup):
    from odoo import SUPERUSER_ID, api, fields  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    registry = Registry(db)
    times, queries, counts = [], [], None
    for rep in range(warmup + reps):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            today = fields.Date.context_today(env["res.partner"])
            if situation == "steady":
                sent_run(env, today - timedelta(days=30))
                sent_run(env, today - timedelta(days=15))
            run = env["credit.dunning.run"].create({"date": today})
            env.flush_all()
            env.invalidate_all()
            before = cr.sql_log_count
            start = time.perf_counter()
            run._generate_lines()
            env.flush_all()
            elapsed = time.perf_counter() - start
            spent = cr.sql_log_count - before
            cr.execute(
                """SELECT COUNT(DISTINCT aml.move_id)
                     FROM account_move_line aml
                     JOIN account_account a ON a.id = aml.account_id
                    WHERE a.account_type = 'asset_receivable'
                      AND aml.parent_state = 'posted' AND NOT aml.reconciled
                      AND aml.amount_residual > 0 AND aml.date_maturity < %s""",
                (today,),
            )
            overdue = cr.fetchone()[0]
            cr.execute(
                """SELECT COUNT(DISTINCT l.id), COUNT(i.id)
                     FROM credit_dunning_line l
                     LEFT JOIN credit_dunning_item i ON i.line_id = l.id
                    WHERE l.run_id = %s""",
                (run.id,),
            )
            lines, items = cr.fetchone()
            cr.execute(
                """SELECT i.level_sequence, COUNT(*) FROM credit_dunning_item i
                     JOIN credit_dunning_line l ON l.id = i.line_id
                    WHERE l.run_id = %s GROUP BY 1 ORDER BY 1""",
                (run.id,),
            )
            per_level = dict(cr.fetchall())
            cr.rollback()
        if rep >= warmup:
            times.append(elapsed)
            queries.append(spent)
            counts = (overdue, lines, items, per_level)
    median = statistics.median(times)
    overdue, lines, items, per_level = counts
    return {
        "situation": situation,
        "ms": median * 1000,
        "min_ms": min(times) * 1000,
        "max_ms": max(times) * 1000,
        "overdue": overdue,
        "ms_per_overdue": median * 1000 / overdue if overdue else 0.0,
        "queries": statistics.median(queries),
        "lines": lines,
        "items": items,
        "per_level": per_level,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="l", choices=["s", "l"])
    parser.add_argument(
        "--db", help="database to (re)create (default cm_bench_dunning_<size>)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep an installed --db")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    db = args.db or f"cm_bench_dunning_{args.size}"
    prepare(args.size, db, args.reuse)
    odoo = init_odoo()
    rows = [measure(odoo, db, s, args.reps, args.warmup) for s in ("first", "steady")]
    print(
        "| run | overdue invoices | customers / invoices reminded | levels (rank: "
        "invoices) | median ms (min-max) | ms per overdue invoice | queries |"
    )
    print("|---|--:|--:|---|--:|--:|--:|")
    for row in rows:
        print(
            f"| {row['situation']} | {row['overdue']:,} | {row['lines']:,} / "
            f"{row['items']:,} | {row['per_level']} | {row['ms']:,.0f} "
            f"({row['min_ms']:,.0f}-{row['max_ms']:,.0f}) | "
            f"{row['ms_per_overdue']:.3f} | {row['queries']:.0f} |"
        )


if __name__ == "__main__":
    main()
