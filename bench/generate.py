#!/usr/bin/env python3
"""Generate the benchmark base database ``credit_bench_<size>``.

Usage: ``.venv/bin/python bench/generate.py --size s|l [--force]``

The database is plain Odoo (``sale_management`` + ``account``, no demo data)
filled with deterministic data (``random.Random(42)``; dates are relative to
today so that "overdue" means overdue *today*):

* customers (companies with a couple of contacts each) with payment terms of
  0-60 days and, for most of them, a credit limit; some are over it;
* a few products, services and goods, taxed at 20%;
* posted customer invoices over the last 6 months, many paid (fully or
  partially, reconciled), the rest open and often overdue;
* confirmed sale orders not yet invoiced (they count in a credit exposure);
* what the benchmark scenarios consume, identified by their reference:
  ``BENCH-SAFE-*`` draft quotations of customers far under their limit,
  ``BENCH-OVER-*`` draft quotations of customers over their limit and
  ``BENCH-DRAFT-*`` draft invoices ready to post.

It finishes by writing the ir.config_parameter ``credit_bench.size``; a database
that has it is complete and is left alone unless ``--force`` is given.
"""

import argparse
import datetime
import math
import random
import sys
import time
from datetime import timedelta

import benchlib
from benchlib import log

SIZES = {
    "s": {
        "customers": 300,
        "invoices": 3000,
        "confirmed_orders": 300,
        "safe_quotations": 400,
        "over_quotations": 100,
        "draft_invoices": 300,
    },
    "l": {
        "customers": 1000,
        "invoices": 20000,
        "confirmed_orders": 1000,
        "safe_quotations": 1000,
        "over_quotations": 200,
        "draft_invoices": 300,
    },
}
BATCH = 200
HISTORY_DAYS = 182

# Customer behaviour: share of customers and how they pay (see _payment_plan).
PROFILES = (("good", 0.2), ("normal", 0.6), ("bad", 0.2))
# Payment terms in days and how often customers get them.
TERMS = ((0, 10), (15, 20), (21, 10), (30, 35), (45, 15), (60, 10))
PRODUCTS = (
    # name, type, list price
    ("Consulting hour", "service", 120.0),
    ("Installation", "service", 450.0),
    ("Maintenance contract (month)", "service", 900.0),
    ("Training day", "service", 1500.0),
    ("Support ticket", "service", 60.0),
    ("Cable set", "consu", 25.0),
    ("Sensor", "consu", 180.0),
    ("Controller unit", "consu", 1200.0),
    ("Spare parts kit", "consu", 75.0),
    ("Industrial pump", "consu", 3400.0),
)
CHEAP_PRICE = 200.0


class Generator:
    """Fills one database; ``env`` is a superuser environment on its cursor."""

    def __init__(self, env, size):
        self.env = env
        self.cr = env.cr
        self.size = size
        self.counts = SIZES[size]
        self.rng = random.Random(42)
        self.today = None
        self.company = env.company
        self.admin = env.ref("base.user_admin")
        # Historical data is bulk-loaded without chatter (far faster); the
        # records the scenarios work on are created with it, as a user would.
        self.bulk = env(
            context=dict(
                env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                mail_create_nosubscribe=True,
            )
        )
        self.customers = []  # dicts: id, contacts, profile, term, weight
        self.products = None
        self.cheap_products = None
        self.over_customers = []

    # ----------------------------------------------------------------- helpers
    def commit(self):
        self.env.cr.commit()
        self.env.invalidate_all()

    def pick_partner(self, customer, contact_share=0.3):
        """The company itself or, sometimes, one of its contacts."""
        if customer["contacts"] and self.rng.random() < contact_share:
            return self.rng.choice(customer["contacts"])
        return customer["id"]

    # ------------------------------------------------------------------- steps
    def run(self):
        from odoo import fields  # noqa: PLC0415

        self.today = fields.Date.context_today(self.env["res.partner"])
        for step in self.steps():
            start = time.perf_counter()
            step()
            self.commit()
            log(f"{step.__name__} done in {time.perf_counter() - start:.1f}s")

    def steps(self):
        """The generation steps, in order (each is committed and timed)."""
        return (
            self.setup_company,
            self.create_products,
            self.create_customers,
            self.create_invoices,
            self.create_payments,
            self.create_confirmed_orders,
            self.set_credit_limits,
            self.create_quotations,
            self.create_draft_invoices,
        )

    def setup_company(self):
        """Chart of accounts, 20% tax, payment terms, credit limits enabled."""
        env = self.env
        if not self.company.chart_template:
            log("no chart of accounts: loading generic_coa")
            env["account.chart.template"].try_loading("generic_coa", self.company)
        self.company.write(
            {"name": "Credit Bench Inc.", "account_use_credit_limit": True}
        )
        tax = env["account.tax"].search(
            [
                ("company_id", "=", self.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                ("amount", "=", 20.0),
            ],
            limit=1,
        )
        if not tax:
            base = env["account.tax"].search(
                [
                    ("company_id", "=", self.company.id),
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("amount", ">", 0),
                ],
                limit=1,
            )
            tax = base.copy({"name": "20%", "amount": 20.0})
        self.company.account_sale_tax_id = tax
        self.tax = tax

        Term = env["account.payment.term"]
        self.terms = {}
        for days, _weight in TERMS:
            name = "Immediate Payment" if days == 0 else f"{days} Days"
            term = Term.search([("name", "=", name)], limit=1)
            if not term:
                term = Term.create(
                    {
                        "name": name,
                        "line_ids": [
                            (
                                0,
                                0,
                                {
                                    "value": "percent",
                                    "value_amount": 100.0,
                                    "delay_type": "days_after",
                                    "nb_days": days,
                                },
                            )
                        ],
                    }
                )
            self.terms[days] = term
        self.sale_journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company.id)], limit=1
        )
        self.bank_journal = env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", self.company.id)], limit=1
        )

    def create_products(self):
        vals = [
            {
                "name": name,
                "type": ptype,
                "list_price": price,
                "standard_price": round(price * 0.6, 2),
                "invoice_policy": "order",
                "taxes_id": [(6, 0, self.tax.ids)],
                "default_code": f"BENCH-{index:02d}",
            }
            for index, (name, ptype, price) in enumerate(PRODUCTS, 1)
        ]
        templates = self.bulk["product.template"].create(vals)
        self.products = [t.product_variant_id for t in templates]
        self.cheap_products = [p for p in self.products if p.list_price <= CHEAP_PRICE]

    def create_customers(self):
        rng = self.rng
        n = self.counts["customers"]
        profiles = [p for p, _ in PROFILES]
        profile_weights = [w for _, w in PROFILES]
        term_days = [d for d, _ in TERMS]
        term_weights = [w for _, w in TERMS]
        company_vals = []
        for i in range(1, n + 1):
            company_vals.append(
                {
                    "name": f"Bench Customer {i:04d}",
                    "is_company": True,
                    "customer_rank": 1,
                    "ref": f"C{i:05d}",
                    "email": f"billing@customer{i:04d}.example.com",
                    "city": rng.choice(("Lyon", "Ghent", "Leeds", "Porto", "Turin")),
                }
            )
            self.customers.append(
                {
                    "profile": rng.choices(profiles, profile_weights)[0],
                    "term": rng.choices(term_days, term_weights)[0],
                    # Few large customers, many small ones.
                    "weight": rng.lognormvariate(0, 0.9),
                    "contacts": [],
                }
            )
        companies = self.bulk["res.partner"].create(company_vals)
        contact_vals = []
        owners = []
        for index, (company, customer) in enumerate(
            zip(companies, self.customers, strict=True), 1
        ):
            customer["id"] = company.id
            for j in range(rng.randint(1, 3)):
                contact_vals.append(
                    {
                        "name": f"Contact {index:04d}-{j + 1}",
                        "parent_id": company.id,
                        "type": "contact",
                        "email": f"person{j + 1}@customer{index:04d}.example.com",
                    }
                )
                owners.append(customer)
        contacts = self.bulk["res.partner"].create(contact_vals)
        for contact, customer in zip(contacts, owners, strict=True):
            customer["contacts"].append(contact.id)
        # Payment terms, written once per distinct value (company-dependent).
        for days, term in self.terms.items():
            ids = [c["id"] for c in self.customers if c["term"] == days]
            self.env["res.partner"].browse(ids).property_payment_term_id = term
        log(f"{len(companies)} customers, {len(contacts)} contacts")

    def _invoice_vals(self, customer, invoice_date, products, max_lines, max_qty):
        lines = []
        for product in self.rng.sample(products, self.rng.randint(1, max_lines)):
            price = round(product.list_price * self.rng.uniform(0.9, 1.1), 2)
            lines.append(
                (
                    0,
                    0,
                    {
                        "product_id": product.id,
                        "quantity": self.rng.randint(1, max_qty),
                        "price_unit": price,
                    },
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": self.pick_partner(customer),
            "invoice_date": invoice_date,
            "invoice_payment_term_id": self.terms[customer["term"]].id,
            "journal_id": self.sale_journal.id,
            "invoice_user_id": self.admin.id,
            "invoice_line_ids": lines,
        }

    def create_invoices(self):
        """Posted invoices, created and posted in chronological order."""
        self.post_invoices(self.invoice_specs())

    def invoice_specs(self):
        """``[(invoice date, customer)]``: the invoices to create, by date."""
        rng = self.rng
        n = self.counts["invoices"]
        cum_weights = []
        total = 0.0
        for customer in self.customers:
            total += customer["weight"]
            cum_weights.append(total)
        specs = []
        for _ in range(n):
            customer = rng.choices(self.customers, cum_weights=cum_weights)[0]
            invoice_date = self.today - timedelta(days=rng.randint(0, HISTORY_DAYS))
            specs.append((invoice_date, customer))
        specs.sort(key=lambda spec: spec[0])
        return specs

    def post_invoices(self, specs):
        """Create and post the invoices of ``specs`` in batches."""
        n = len(specs)
        self.invoices = []  # (invoice id, customer)
        Move = self.bulk["account.move"]
        start = time.perf_counter()
        for offset in range(0, n, BATCH):
            chunk = specs[offset : offset + BATCH]
            vals = [self._invoice_vals(c, d, self.products, 3, 10) for d, c in chunk]
            moves = Move.create(vals)
            moves.action_post()
            self.invoices += list(zip(moves.ids, [c for _, c in chunk], strict=True))
            self.commit()
            done = offset + len(chunk)
            rate = done / (time.perf_counter() - start)
            log(f"  invoices {done}/{n} ({rate:.0f}/s)")

    def _payment_plan(self, customer, invoice_date, due_date):
        """Return (share of the total paid, payment date) or None if unpaid.

        Good customers pay everything on time; normal ones mostly pay, late;
        bad ones pay late and often partially, leaving overdue balances.
        """
        rng = self.rng
        overdue_days = (self.today - due_date).days
        profile = customer["profile"]
        if profile == "good":
            full, partial = (1.0, 0.0) if overdue_days > 0 else (0.4, 0.0)
            delay = rng.randint(-10, 0)
        elif profile == "normal":
            if overdue_days > 30:
                full, partial = 0.9, 0.05
            elif overdue_days > 0:
                full, partial = 0.6, 0.15
            else:
                full, partial = 0.3, 0.05
            delay = rng.randint(-5, 30)
        else:
            if overdue_days > 60:
                full, partial = 0.7, 0.15
            elif overdue_days > 0:
                full, partial = 0.35, 0.2
            else:
                full, partial = 0.1, 0.05
            delay = rng.randint(0, 60)
        draw = rng.random()
        if draw < full:
            share = 1.0
        elif draw < full + partial:
            share = round(rng.uniform(0.2, 0.8), 2)
        else:
            return None
        pay_date = min(self.today, max(invoice_date, due_date + timedelta(delay)))
        return share, pay_date

    def create_payments(self):
        """Payments (full or partial) posted and reconciled in batches."""
        Move = self.env["account.move"]
        Payment = self.bulk["account.payment"]
        Line = self.bulk["account.move.line"]
        plans = []
        for offset in range(0, len(self.invoices), 1000):
            chunk = self.invoices[offset : offset + 1000]
            moves = Move.browse([move_id for move_id, _ in chunk])
            for move, (_, customer) in zip(moves, chunk, strict=True):
                plan = self._payment_plan(
                    customer, move.invoice_date, move.invoice_date_due
                )
                if plan:
                    share, pay_date = plan
                    amount = move.amount_total
                    if share < 1.0:
                        amount = round(amount * share, 2)
                    plans.append((move.id, customer["id"], amount, pay_date, move.name))
            self.env.invalidate_all()
        start = time.perf_counter()
        batch = 500
        for offset in range(0, len(plans), batch):
            chunk = plans[offset : offset + batch]
            payments = Payment.create(
                [
                    {
                        "payment_type": "inbound",
                        "partner_type": "customer",
                        "partner_id": partner_id,
                        "amount": amount,
                        "date": pay_date,
                        "journal_id": self.bank_journal.id,
                        "memo": name,
                    }
                    for _, partner_id, amount, pay_date, name in chunk
                ]
            )
            payments.action_post()
            invoices = Move.browse([move_id for move_id, *_ in chunk])
            plan = []
            for payment, invoice in zip(payments, invoices, strict=True):
                lines = (payment.move_id.line_ids + invoice.line_ids).filtered(
                    lambda line: line.account_type == "asset_receivable"
                )
                plan.append(Line.browse(lines.ids))
            Line._reconcile_plan(plan)
            self.commit()
            done = offset + len(chunk)
            rate = done / (time.perf_counter() - start)
            log(f"  payments {done}/{len(plans)} ({rate:.0f}/s)")

    def _order_vals(self, customer, products, max_lines, max_qty, ref=False):
        lines = [
            (0, 0, {"product_id": product.id, "product_uom_qty": qty})
            for product, qty in (
                (p, self.rng.randint(1, max_qty))
                for p in self.rng.sample(products, self.rng.randint(1, max_lines))
            )
        ]
        return {
            "partner_id": self.pick_partner(customer),
            "user_id": self.admin.id,
            "client_order_ref": ref,
            "order_line": lines,
        }

    def create_confirmed_orders(self):
        """Confirmed orders not invoiced yet: part of a customer's exposure."""
        n = self.counts["confirmed_orders"]
        Order = self.bulk["sale.order"]
        for offset in range(0, n, BATCH):
            count = min(BATCH, n - offset)
            vals = [
                self._order_vals(self.rng.choice(self.customers), self.products, 4, 5)
                for _ in range(count)
            ]
            Order.create(vals).action_confirm()
            self.commit()
            log(f"  confirmed orders {offset + count}/{n}")

    def exposures(self):
        """Open receivable + confirmed uninvoiced orders, per customer id."""
        env = self.env
        exposure = dict.fromkeys((c["id"] for c in self.customers), 0.0)
        groups = env["account.move.line"]._read_group(
            [
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
            ],
            ["partner_id"],
            ["amount_residual:sum"],
        )
        for partner, residual in groups:
            key = partner.commercial_partner_id.id
            exposure[key] = exposure.get(key, 0.0) + residual
        groups = env["sale.order"]._read_group(
            [("state", "=", "sale"), ("invoice_status", "=", "to invoice")],
            ["partner_id"],
            ["amount_total:sum"],
        )
        for partner, total in groups:
            key = partner.commercial_partner_id.id
            exposure[key] = exposure.get(key, 0.0) + total
        return exposure

    def set_credit_limits(self):
        """Limits relative to each customer's exposure, so that some are over."""
        rng = self.rng
        exposure = self.exposures()
        limits = {}
        for customer in self.customers:
            amount = exposure[customer["id"]]
            profile = customer["profile"]
            if profile == "good":
                # Far above the exposure: the benchmark confirms quotations of
                # these customers and must never hit their limit.
                limit = math.ceil((amount * 2 + 50000) / 1000) * 1000
            elif profile == "normal":
                factor = rng.uniform(0.8, 2.5) if rng.random() < 0.85 else 0.0
                limit = max(1000, round(amount * factor / 500) * 500) if factor else 0
            else:
                factor = rng.uniform(0.4, 1.2) if rng.random() < 0.9 else 0.0
                limit = max(1000, round(amount * factor / 500) * 500) if factor else 0
            limits.setdefault(float(limit), []).append(customer["id"])
            if limit and amount > limit:
                self.over_customers.append(customer)
        Partner = self.env["res.partner"].with_company(self.company)
        for limit, ids in limits.items():
            if limit:
                Partner.browse(ids).write({"credit_limit": limit})
        with_limit = sum(len(ids) for limit, ids in limits.items() if limit)
        log(
            f"  credit limits on {with_limit}/{len(self.customers)} customers, "
            f"{len(self.over_customers)} over their limit"
        )

    def create_quotations(self):
        """Draft quotations for the scenarios (chatter on, as a user would)."""
        good = [c for c in self.customers if c["profile"] == "good"]
        jobs = (
            ("SAFE", self.counts["safe_quotations"], good, self.cheap_products, 2, 3),
            ("OVER", self.counts["over_quotations"], self.over_customers,
             self.products, 3, 5),
        )  # fmt: skip
        Order = self.env["sale.order"]
        for tag, n, customers, products, max_lines, max_qty in jobs:
            if not customers:
                log(f"  no customer for {tag} quotations")
                continue
            for offset in range(0, n, BATCH):
                count = min(BATCH, n - offset)
                vals = [
                    self._order_vals(
                        self.rng.choice(customers),
                        products,
                        max_lines,
                        max_qty,
                        ref=f"BENCH-{tag}-{offset + i + 1:04d}",
                    )
                    for i in range(count)
                ]
                Order.create(vals)
                self.commit()
            log(f"  {n} BENCH-{tag} quotations")

    def create_draft_invoices(self):
        """Draft invoices of good customers, dated today, ready to post."""
        good = [c for c in self.customers if c["profile"] == "good"]
        n = self.counts["draft_invoices"]
        Move = self.env["account.move"]
        for offset in range(0, n, BATCH):
            count = min(BATCH, n - offset)
            vals = []
            for i in range(count):
                val = self._invoice_vals(
                    self.rng.choice(good), self.today, self.cheap_products, 2, 3
                )
                val["ref"] = f"BENCH-DRAFT-{offset + i + 1:04d}"
                vals.append(val)
            Move.create(vals)
            self.commit()
        log(f"  {n} BENCH-DRAFT invoices")

    def summary(self):
        """A few numbers telling whether the data looks realistic."""
        cr = self.cr
        cr.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE payment_state = 'paid'),
                   count(*) FILTER (WHERE payment_state = 'partial'),
                   count(*) FILTER (WHERE payment_state IN ('not_paid', 'partial')
                                      AND invoice_date_due < %s)
              FROM account_move
             WHERE move_type = 'out_invoice' AND state = 'posted'
            """,
            [self.today],
        )
        total, paid, partial, overdue = cr.fetchone()
        log(
            f"posted invoices: {total}, paid {paid}, partially paid {partial}, "
            f"overdue today {overdue}"
        )


def generate(size, force):
    """Create and fill ``credit_bench_<size>`` unless it is already complete."""
    db = benchlib.base_db(size)
    if benchlib.db_exists(db):
        recorded = benchlib.bench_size_recorded(db)
        if benchlib.base_is_current(db, size) and not force:
            log(f"{db} exists, complete and generated today: nothing to do")
            return
        if force:
            why = "--force"
        elif recorded == size:
            why = f"generated on {benchlib.bench_date_recorded(db)}, its data has aged"
        else:
            why = "incomplete"
        log(f"dropping {db} ({why})")
        benchlib.drop_db(db)
    started = time.perf_counter()
    log(f"creating {db} with sale_management and account (no demo data)")
    proc = benchlib.odoo_bin(
        "-d", db, "-i", "sale_management,account", "--without-demo",
        "--stop-after-init",
    )  # fmt: skip
    if proc.returncode != 0 or benchlib.module_state(db, "sale_management") != (
        "installed"
    ):
        sys.stderr.write(proc.stdout[-5000:] + proc.stderr[-5000:])
        raise SystemExit(f"could not create {db}")
    log(f"database created in {time.perf_counter() - started:.0f}s")

    odoo = benchlib.init_odoo()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        generator = Generator(env, size)
        generator.run()
        generator.summary()
        env["ir.config_parameter"].set_param(
            benchlib.DATE_PARAM, datetime.date.today().isoformat()
        )
        env["ir.config_parameter"].set_param(benchlib.SIZE_PARAM, size)
        cr.commit()
    odoo.sql_db.close_db(db)
    benchlib.analyze(db)  # the copies inherit the statistics
    log(f"{db} generated in {time.perf_counter() - started:.0f}s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="s")
    parser.add_argument(
        "--force", action="store_true", help="drop and regenerate an existing db"
    )
    args = parser.parse_args()
    with benchlib.size_lock(args.size):
        generate(args.size, args.force)


if __name__ == "__main__":
    main()
