#!/usr/bin/env python3
"""Does the risk score rank late payers better than each of its factors alone?

Usage: ``.venv/bin/python bench/score_history.py [--customers 400] [--months 24]
[--seed 7] [--force]`` (``make score-quality``)

Generates (once a day; ``--force`` to redo) the database ``credit_score_history``:
credit_management installed without demo data, customers invoiced every month for
two years (dates relative to today), each paying with a propensity to be late that
is its own (prompt, average, slow and chronic payers, with individual noise), that
drifts (the customer who pays later and later over the last year) or improves; a
few disputes, some settled and recorded afterwards with their resolution date;
credit limits about three months of sales. Nobody's behaviour is written in the
factors: lateness is drawn per invoice from the propensity.

Then runs the add-on's own backtest (*Credit > Reporting > Score Backtest*) as of
12 and 6 months ago, with the calibrated score (fitted on the history before that
date only) and with the hand-set weights: AUC of the score and of each factor
alone on the invoices issued after the date, late share per class, and the time
to score every customer. Writes the tables to ``bench/results/score-<date>.md``.
"""

import argparse
import datetime
import random
import sys
import time
from datetime import timedelta

import benchlib
import generate
from benchlib import log

DB = "credit_score_history"
DATE_PARAM = "credit_score_history.date"
# profile, share of the customers, propensity to pay an invoice late
PROFILES = (
    ("prompt", 0.42, 0.04),
    ("average", 0.28, 0.18),
    ("slow", 0.14, 0.45),
    ("chronic", 0.06, 0.80),
    ("drifting", 0.06, None),
    ("improving", 0.04, None),
)


def propensity(profile, noise, months_ago):
    """Probability that a customer of ``profile`` with individual ``noise`` pays an
    invoice dated ``months_ago`` months before today late: drifting and improving
    payers change over the last 12 months, the others keep their rate."""
    recent = max(0.0, min(1.0, (12 - months_ago) / 12))  # 0 a year ago, 1 today
    if profile == "drifting":
        base = 0.05 + 0.85 * recent
    elif profile == "improving":
        base = 0.65 - 0.55 * recent
    else:
        base = dict((name, p) for name, __, p in PROFILES)[profile]
    return max(0.01, min(0.95, base * noise))


class HistoryGenerator(generate.Generator):
    """Two years of monthly invoices paid according to each customer's propensity
    to be late."""

    def __init__(self, env, customers, months, seed):
        super().__init__(env, "s")
        self.counts = {"customers": customers}
        self.months = months
        self.rng = random.Random(seed)

    def steps(self):
        return (
            self.setup_company,
            self.create_products,
            self.create_customers,
            self.create_invoices,
            self.create_payments,
            self.set_limits,
            self.create_disputes,
        )

    def create_customers(self):
        super().create_customers()
        names = [name for name, __, __ in PROFILES]
        weights = [share for __, share, __ in PROFILES]
        for customer in self.customers:
            customer["profile"] = self.rng.choices(names, weights)[0]
            # the same profile, not the same customer: individual noise
            customer["noise"] = self.rng.lognormvariate(0, 0.35)
        counts = {name: 0 for name in names}
        for customer in self.customers:
            counts[customer["profile"]] += 1
        log(f"  profiles: {counts}")

    def propensity(self, customer, date):
        """Probability that ``customer`` pays an invoice dated ``date`` late."""
        months_ago = (self.today - date).days / 30.4
        return propensity(customer["profile"], customer["noise"], months_ago)

    def invoice_specs(self):
        specs = []
        start = self.today - timedelta(days=int(self.months * 30.4))
        for customer in self.customers:
            rate = min(3.0, 0.5 + 0.7 * customer["weight"])  # invoices a month
            month = start
            while month < self.today:
                count = int(rate) + (self.rng.random() < rate - int(rate))
                for __ in range(count):
                    date = month + timedelta(days=self.rng.randint(0, 29))
                    if date <= self.today:
                        specs.append((date, customer))
                month += timedelta(days=30)
        specs.sort(key=lambda spec: spec[0])
        return specs

    def _payment_plan(self, customer, invoice_date, due_date):
        """Paid in full: late (6 days to two months and more) with the customer's
        propensity of the day, else around the due date; open if that is after
        today."""
        late = self.rng.random() < self.propensity(customer, invoice_date)
        if late:
            delay = self.rng.randint(6, 15 + int(60 * customer["noise"]))
        else:
            delay = self.rng.randint(-10, 3)
        pay_date = max(invoice_date, due_date + timedelta(days=delay))
        if pay_date > self.today:
            return None
        return 1.0, pay_date

    def set_limits(self):
        """A limit of about three months of sales for 85 % of the customers."""
        from odoo.tools import SQL  # noqa: PLC0415

        rows = self.env.execute_query(
            SQL(
                """SELECT partner_id, SUM(amount_total) FROM account_move
                    WHERE move_type = 'out_invoice' AND state = 'posted'
                      AND invoice_date > %s GROUP BY partner_id""",
                self.today - timedelta(days=365),
            )
        )
        sales = dict(rows)
        Partner = self.env["res.partner"].with_company(self.company)
        for customer in self.customers:
            if self.rng.random() < 0.85:
                yearly = sales.get(customer["id"], 0.0)
                limit = max(1000, round(yearly / 4 / 500) * 500)
                Partner.browse(customer["id"]).credit_limit = limit

    def create_disputes(self):
        """Open disputes on overdue invoices of some slow payers (and a few prompt
        ones); half of them settled weeks later, recorded with that date."""
        Dispute = self.bulk["credit.dispute"]
        reason = self.env.ref("credit_management.credit_dispute_reason_quality")
        created = resolved = 0
        for customer in self.customers:
            share = 0.25 if customer["profile"] in ("slow", "chronic") else 0.03
            if self.rng.random() >= share:
                continue
            invoice = self.env["account.move"].search(
                [
                    ("partner_id", "child_of", customer["id"]),
                    ("move_type", "=", "out_invoice"),
                    ("payment_state", "=", "not_paid"),
                    ("invoice_date_due", "<", self.today - timedelta(days=15)),
                ],
                limit=1,
            )
            if not invoice:
                continue
            opened = invoice.invoice_date_due + timedelta(days=5)
            dispute = Dispute.create(
                {
                    "partner_id": customer["id"],
                    "reason_id": reason.id,
                    "date": opened,
                    "line_ids": [
                        (
                            0,
                            0,
                            {
                                "move_id": invoice.id,
                                "amount": invoice.amount_residual,
                            },
                        )
                    ],
                }
            )
            created += 1
            settled = opened + timedelta(days=self.rng.randint(5, 30))
            if self.rng.random() < 0.5 and settled <= self.today:
                dispute.write(
                    {"resolution_date": settled, "resolution_note": "Not founded."}
                )
                dispute.action_reject()
                resolved += 1
        log(f"  {created} disputes, {resolved} settled afterwards")


def build(customers, months, seed, force):
    today = datetime.date.today().isoformat()
    if benchlib.db_exists(DB):
        if (
            not force
            and benchlib.psql_value(
                DB, f"SELECT value FROM ir_config_parameter WHERE key = '{DATE_PARAM}'"
            )
            == f"{today}/{customers}/{months}/{seed}"
        ):
            log(f"{DB} exists and was generated today with these settings")
            return
        log(f"dropping {DB}")
        benchlib.drop_db(DB)
    started = time.perf_counter()
    proc = benchlib.odoo_bin(
        "-d", DB, "-i", "credit_management", "--without-demo", "--stop-after-init"
    )  # fmt: skip
    if proc.returncode != 0 or benchlib.module_state(DB, "credit_management") != (
        "installed"
    ):
        sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit(f"could not create {DB}")
    odoo = benchlib.init_odoo()
    registry = odoo.modules.registry.Registry(DB)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        HistoryGenerator(env, customers, months, seed).run()
        env["ir.config_parameter"].set_param(
            DATE_PARAM, f"{today}/{customers}/{months}/{seed}"
        )
        cr.commit()
    odoo.sql_db.close_db(DB)
    log(f"{DB} generated in {time.perf_counter() - started:.0f}s")


def backtest(env, date, method, horizon=0):
    env.company.credit_score_method = method
    wizard = env["credit.score.backtest"].create(
        {"date": date, "horizon_months": horizon}
    )
    wizard.action_compute()
    return wizard


def class_table(title, wizard):
    """Markdown rows of a backtest's class table."""
    return [
        f"| Class ({title}) | Customers | Invoices after | Paid late | Late share |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {line.risk_class.upper()} | {line.customer_count} | "
            f"{line.invoice_count} | {line.late_count} | "
            f"{100 * line.late_share:.0f} % |"
            for line in wizard.class_line_ids
        ),
        "",
    ]


def horizon_lines(env, date, horizon=3):
    """The calibrated score against the best factor on the invoices of the
    ``horizon`` months after the date only."""
    wizard = backtest(env, date, "calibrated", horizon)
    best = wizard.factor_line_ids.sorted(lambda r: -r.auc)[:1]
    return [
        f"Invoices of the {horizon} months after the date only "
        f"({wizard.invoice_count} invoices, {wizard.late_count} paid late): "
        f"calibrated {wizard.auc:.3f} ({wizard.auc_low:.3f} to {wizard.auc_high:.3f}), "
        f"{best.name} alone {best.auc:.3f}, calibrated ahead by {best.lead:+.3f} "
        f"({best.lead_low:+.3f} to {best.lead_high:+.3f}).",
        "",
    ]


def report(months_back):
    odoo = benchlib.init_odoo()
    registry = odoo.modules.registry.Registry(DB)
    lines = []
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        today = datetime.date.today()
        for back in months_back:
            date = today - timedelta(days=int(back * 30.4))
            calibrated = backtest(env, date, "calibrated")
            weights = backtest(env, date, "weights")
            lines += [
                f"### As of {date} ({back} months ago): {calibrated.invoice_count} "
                f"invoices issued after, {calibrated.late_count} paid late "
                f"({100 * calibrated.late_count / calibrated.invoice_count:.0f} %)",
                "",
                f"Calibration: {calibrated.method}"
                + (
                    f" ({calibrated.calibration_note})"
                    if calibrated.calibration_note
                    else ""
                ),
                "",
                "| Ranking by | AUC | 90 % interval | Calibrated score ahead by "
                "| 90 % interval |",
                "|---|---:|---:|---:|---:|",
                f"| **Score, calibrated** | **{calibrated.auc:.3f}** | "
                f"{calibrated.auc_low:.3f} to {calibrated.auc_high:.3f} | | |",
                f"| Score, hand-set weights | {weights.auc:.3f} | "
                f"{weights.auc_low:.3f} to {weights.auc_high:.3f} | | |",
                *(
                    f"| {line.name} alone | {line.auc:.3f} | | {line.lead:+.3f} | "
                    f"{line.lead_low:+.3f} to {line.lead_high:+.3f} |"
                    for line in calibrated.factor_line_ids.sorted(lambda r: -r.auc)
                ),
                "",
                "Intervals: the backtest's own, from 500 resamples of the customers "
                "(the same resamples for the score and each factor).",
                "",
                *horizon_lines(env, date),
                *class_table("calibrated", calibrated),
                *class_table("weights", weights),
            ]
        # today's calibration and the time to score every customer with it
        env.company.credit_score_method = "calibrated"
        start = time.perf_counter()
        model = env["credit.score.model"]._calibrate(env.company)
        calibrate_time = time.perf_counter() - start
        Score = env["credit.score"]
        timings = []
        for __ in range(5):
            env.invalidate_all()
            start = time.perf_counter()
            results = Score._compute_scores(env.company)
            timings.append(time.perf_counter() - start)
        lines += [
            f"Today's calibration: {model.state}, {model.invoice_count} invoices, "
            f"in-sample AUC {model.auc:.3f}, fitted in {calibrate_time:.1f} s; "
            f"scoring all {len(results)} customers: "
            f"{1000 * sorted(timings)[2]:.0f} ms (median of 5).",
            "",
        ]
        cr.rollback()
    odoo.sql_db.close_db(DB)
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--force", action="store_true")
    parser.add_argument(
        "--as-of", type=int, nargs="+", default=[12, 6], metavar="MONTHS_AGO"
    )
    args = parser.parse_args()
    build(args.customers, args.months, args.seed, args.force)
    text = (
        f"## Score quality, {datetime.date.today()} ({args.customers} customers, "
        f"{args.months} months, seed {args.seed})\n\n" + report(args.as_of)
    )
    print(text)
    benchlib.RESULTS_DIR.mkdir(exist_ok=True)
    suffix = "" if args.seed == parser.get_default("seed") else f"-seed{args.seed}"
    path = benchlib.RESULTS_DIR / f"score-{datetime.date.today():%Y%m%d}{suffix}.md"
    path.write_text(text)
    log(f"written to {path}")


if __name__ == "__main__":
    main()
