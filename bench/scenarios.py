"""Benchmark scenarios, declared with the ``@scenario`` decorator.

A scenario is a function ``fn(env, run)`` that does the timed work and returns
nothing. ``run.records`` holds what its ``setup`` picked (untimed, in the same
transaction, before the cache is cleared) and ``run.refuse()`` counts an
operation that the contender refused with a ``UserError`` (the credit block of
``credit_management``) instead of crashing the benchmark.

``run.py`` calls every scenario once per contender and repetition, each time in a
fresh cursor that is rolled back afterwards, so scenarios may freely confirm,
post or pay: the next repetition starts from the same data. Setups must pick
records deterministically (``order="id"``) so that every contender works on the
same ids. Scenarios marked ``cm_only=True`` need the add-on; they are timed on
its contender only and reported in absolute numbers.

To add one::

    @scenario("my_case", setup=draft_quotations(50))
    def my_case(env, run):
        "One line shown in the README and the results."
        run.records.action_confirm()
"""

import inspect
from dataclasses import dataclass

from odoo.exceptions import UserError

SCENARIOS = {}


@dataclass
class Scenario:
    name: str
    func: object
    setup: object = None
    cm_only: bool = False
    doc: str = ""


@dataclass
class Run:
    """What a scenario gets besides ``env``, for one contender and repetition."""

    records: object = None
    refused: int = 0

    def refuse(self, count=1):
        self.refused += count


def scenario(name, *, setup=None, cm_only=False):
    """Register ``fn(env, run)`` as scenario ``name``.

    :param setup: ``setup(env) -> records``, run untimed before each repetition.
    :param cm_only: the scenario needs ``credit_management`` installed.
    """

    def decorator(func):
        if name in SCENARIOS:
            raise ValueError(f"scenario {name!r} declared twice")
        doc = (inspect.getdoc(func) or "").split("\n\n")[0].replace("\n", " ")
        SCENARIOS[name] = Scenario(name, func, setup, cm_only, doc)
        return func

    return decorator


# ---------------------------------------------------------------- setups
# The references are written by generate.py.


def safe_quotations(limit):
    """Draft quotations of customers far under their credit limit."""

    def setup(env):
        return env["sale.order"].search(
            [("state", "=", "draft"), ("client_order_ref", "=like", "BENCH-SAFE-%")],
            order="id",
            limit=limit,
        )

    return setup


def draft_invoices(limit):
    """Draft customer invoices dated today."""

    def setup(env):
        return env["account.move"].search(
            [("state", "=", "draft"), ("ref", "=like", "BENCH-DRAFT-%")],
            order="id",
            limit=limit,
        )

    return setup


def open_invoices(limit):
    """The oldest posted customer invoices without any payment."""

    def setup(env):
        return env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "=", "not_paid"),
            ],
            order="id",
            limit=limit,
        )

    return setup


def _each(env, records, action, run):
    """Call ``action(record)`` per record, each paying its own flush. The record is
    browsed alone, as a request acting on one record would: iterating ``records``
    would let every field read fetch all of them (prefetching).

    A generator: it yields after each record, so that ``run.py`` runs the
    contenders in lockstep, record by record (see bench/README.md)."""
    for record in records:
        try:
            action(record.browse(record.id))
        except UserError:
            run.refuse()
        env.flush_all()
        env.invalidate_all()
        yield


# ---------------------------------------------------------------- scenarios


@scenario("confirm_one_by_one", setup=safe_quotations(100))
def confirm_one_by_one(env, run):
    """Confirm 100 quotations one at a time, flushing after each (a user clicking
    Confirm 100 times)."""
    yield from _each(env, run.records, lambda order: order.action_confirm(), run)


@scenario("confirm_batch", setup=safe_quotations(100))
def confirm_batch(env, run):
    """Confirm the same 100 quotations in one ``action_confirm`` call (a list
    view action or an import)."""
    try:
        run.records.action_confirm()
    except UserError:
        run.refuse(len(run.records))


@scenario("post_invoices_one_by_one", setup=draft_invoices(200))
def post_invoices_one_by_one(env, run):
    """Post 200 draft invoices one at a time, flushing after each."""
    yield from _each(env, run.records, lambda move: move.action_post(), run)


@scenario("post_invoices_batch", setup=draft_invoices(200))
def post_invoices_batch(env, run):
    """Post the same 200 draft invoices in one ``action_post`` call."""
    try:
        run.records.action_post()
    except UserError:
        run.refuse(len(run.records))


@scenario("register_payment", setup=open_invoices(100))
def register_payment(env, run):
    """Pay 100 open invoices in full, one ``account.payment.register`` wizard
    each (reconciliation included)."""

    def pay(invoice):
        wizard = (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )
        wizard.action_create_payments()

    yield from _each(env, run.records, pay, run)


def customers():
    """Every customer company (the commercial partners with invoices or orders)."""

    def setup(env):
        return env["res.partner"].search(
            [("is_company", "=", True), ("customer_rank", ">", 0)], order="id"
        )

    return setup


def _has_cm(env):
    return "credit_exposure_total" in env["res.partner"]._fields


@scenario("read_exposure_all", setup=customers())
def read_exposure_all(env, run):
    """Read the exposure of every customer: plain Odoo computes its own *Total
    Receivable* and *to invoice* figures on the fly, the add-on reads its stored
    exposure (receivable, overdue, orders, total, available credit)."""
    if _has_cm(env):
        run.records.read(
            [
                "credit_receivable_amount",
                "credit_overdue_amount",
                "credit_order_amount",
                "credit_exposure_total",
                "credit_available",
            ]
        )
    else:
        run.records.read(["credit", "credit_to_invoice"])


@scenario("find_over_limit")
def find_over_limit(env, run):
    """Find every customer over its credit limit: with the add-on, one search on
    the indexed exposure table; plain Odoo has no such filter, so its users
    search the customers with a receivable and compare it with the limit."""
    partners = env["res.partner"]
    if _has_cm(env):
        partners.search([("credit_status", "in", ["over_limit"])])
    else:
        with_credit = partners.search([("credit", ">", 0)])
        with_credit.filtered(lambda p: p.credit_limit and p.credit > p.credit_limit)


@scenario("score_refresh_all", cm_only=True)
def score_refresh_all(env, run):
    """Recompute and store the risk score of every customer in every company (the
    nightly job's main step): one query per factor and company, one upsert."""
    env["credit.score"]._refresh()


def calibrated_model(env):
    """Calibrate every company's score on its history and rescore once (untimed),
    as the nightly job does once a month: the timed refresh is a usual night's."""
    env["credit.score.model"]._calibrate()
    env["credit.score"]._refresh(notify=False)


@scenario("score_refresh_calibrated", setup=calibrated_model, cm_only=True)
def score_refresh_calibrated(env, run):
    """The same with the score calibrated on the company's history (the default
    method): the factors' queries, then the company's logistic model per customer."""
    env["credit.score"]._refresh()
