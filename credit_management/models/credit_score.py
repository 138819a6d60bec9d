# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import contextlib
import json
import math
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_date

from .credit_dispute import OPEN_STATES

RISK_CLASSES = [
    ("a", "A - Excellent"),
    ("b", "B - Good"),
    ("c", "C - Fair"),
    ("d", "D - Weak"),
    ("e", "E - Critical"),
]
# calibrated model: class of a probability of paying late (below the bound), else E
PROBABILITY_CLASSES = [(0.10, "a"), (0.20, "b"), (0.35, "c"), (0.60, "d")]
# an invoice settled more than this many days after its due date was paid late
LATE_AFTER_DAYS = 5
# posted receivable items of the customers (aliases: aml the line, m its move, p its
# partner), without the WHERE keyword so that other joins can follow
RECEIVABLE_JOINS = SQL(
    """account_move_line aml
       JOIN account_move m ON m.id = aml.move_id
       JOIN res_partner p ON p.id = aml.partner_id
       JOIN account_account acc ON acc.id = aml.account_id
                               AND acc.account_type = 'asset_receivable'"""
)


def score_factor(name, curve, default=None, unit="count", sequence=100, warning=False):
    """Declare a method ``_score_factor_<code>(partner_ids, company, as_of)`` (which
    returns ``{partner_id: raw value}``) as a factor of the score, weighted by
    ``res.company.credit_score_weight_<code>``.

    :param name: ``name(model) -> str``, the translated label shown in the
        breakdown (``lambda self: self.env._("...")``).
    :param curve: ``[(raw value, sub-score 0-100), ...]`` sorted by raw value,
        interpolated linearly, flat beyond both ends.
    :param default: raw value of a customer the method does not return; ``None``
        leaves the factor out of that customer's score (weights rescaled).
    :param unit: display of the raw value: ``days``, ``months``, ``percent`` (a
        ratio) or ``count``.
    :param sequence: order in the breakdown.
    :param warning: a count of bad events (returned payments, disputes...): a
        customer without any is left out of the hand-weighted score (having none is
        no merit) but has the sub-score of 0 events in the calibrated model.
    """

    def decorate(method):
        method._credit_score_factor = {
            "name": name,
            "curve": curve,
            "default": default,
            "unit": unit,
            "sequence": sequence,
            "warning": warning,
        }
        return method

    return decorate


def probability_class(probability):
    """Risk class of a calibrated probability of paying late."""
    for bound, risk_class in PROBABILITY_CLASSES:
        if probability < bound:
            return risk_class
    return "e"


def _sigmoid(logit):
    if logit >= 0:
        return 1.0 / (1.0 + math.exp(-logit))
    exp = math.exp(logit)
    return exp / (1.0 + exp)


def json_dumps(value):
    return json.dumps(value, sort_keys=True)


def _interpolate(curve, value):
    """Sub-score 0-100 of ``value`` on a piecewise linear curve [(raw, score), ...]
    sorted by raw value; flat beyond both ends."""
    if value <= curve[0][0]:
        return float(curve[0][1])
    for (x0, y0), (x1, y1) in zip(curve, curve[1:], strict=False):
        if value <= x1:
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return float(curve[-1][1])


class CreditScore(models.Model):
    """Behaviour score (0-100) and risk class of one commercial partner in one company,
    computed from the company's own history.

    The score is the weighted mean of factor sub-scores. A factor is one set-based
    method ``_score_factor_<code>(partner_ids, company, as_of)`` returning
    ``{partner_id: raw value}`` from the history known at ``as_of``, decorated with
    :func:`score_factor` (label, curve mapping the raw value to 0-100), plus its weight
    ``res.company.credit_score_weight_<code>``. Rows are refreshed for every customer
    of a company in a handful of queries (one per factor, one upsert), whatever the
    number of customers; :meth:`_compute_scores` gives the same result at any past date
    without storing it (backtest).
    """

    _name = "credit.score"
    _description = "Credit Risk Score"
    _order = "score, id"
    _rec_name = "partner_id"

    # ------------------------------------------------------------------ fields
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    score = fields.Float(readonly=True, digits=(5, 1), aggregator="avg")
    risk_class = fields.Selection(RISK_CLASSES, readonly=True, index=True)
    previous_risk_class = fields.Selection(
        RISK_CLASSES,
        readonly=True,
        help="Class before the last computation.",
    )
    factor_data = fields.Json(readonly=True)
    computed_on = fields.Date(readonly=True)
    insolvent = fields.Boolean(readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True, index=True)
    segment_id = fields.Many2one(
        "credit.segment", readonly=True, index="btree_not_null"
    )
    explanation = fields.Html("Why This Score", compute="_compute_explanation")

    _partner_company_uniq = models.UniqueIndex(
        "(partner_id, company_id)", "A customer has one score per company."
    )

    # ------------------------------------------------------------------ computes
    @api.depends("factor_data")
    def _compute_explanation(self):
        factors = {factor["code"]: factor for factor in self._get_score_factors()}
        for row in self:
            row.explanation = self._explain(row.factor_data or {}, factors)

    @api.model
    def _explain(self, data, factors=None):
        """HTML table of a breakdown: factor, value, sub-score, weight, points."""
        factors = factors or {f["code"]: f for f in self._get_score_factors()}
        calibrated = data.get("method") == "calibrated"
        head = Markup(
            "<table class='table table-sm o_credit_score_factors'><thead><tr>"
            "<th>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th></tr></thead>"
            "<tbody>"
        ) % (
            self.env._("Factor"),
            self.env._("Value"),
            self.env._("Sub-score"),
            self.env._("Influence (%)") if calibrated else self.env._("Weight"),
            self.env._("Points"),
        )
        lines = []
        for code, item in sorted(
            (data.get("factors") or {}).items(), key=lambda kv: -kv[1]["weight"]
        ):
            factor = factors.get(code)
            if not factor:
                continue
            value = item["value"]
            shown = (
                self.env._("no data (not counted)")
                if value is None and not calibrated
                else self.env._("no data")
                if value is None
                else factor["format"](value)
            )
            points = item.get("points")
            lines.append(
                Markup(
                    "<tr><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td></tr>"
                )
                % (
                    factor["name"],
                    shown,
                    "-" if item["score"] is None else round(item["score"]),
                    round(item["weight"]),
                    "-"
                    if points is None
                    else (f"{points:+.1f}" if calibrated else f"{points:.1f}"),
                )
            )
        foot = Markup("</tbody></table>")
        note = Markup()
        if calibrated:
            note = Markup("<p>%s</p>") % self.env._(
                "Calibrated on the company's payment history: %(probability)s %% "
                "probability of paying an invoice late. Points are the difference "
                "with the average customer (score %(baseline)s).",
                probability=round(100 * (data.get("probability") or 0), 1),
                baseline=data.get("baseline"),
            )
        if data.get("insolvent"):
            note += Markup("<p class='text-danger'>%s</p>") % self.env._(
                "Insolvency proceedings since %(date)s: worst class whatever the "
                "score.",
                date=format_date(self.env, data["insolvent"]),
            )
        return note + head + Markup().join(lines) + foot

    def _trend(self):
        """``{row id: score - score of the latest snapshot of a previous month}``."""
        if not self:
            return {}
        month = fields.Date.context_today(self).replace(day=1)
        self.env["credit.score.snapshot"].flush_model(["score", "date"])
        return dict(
            self.env.execute_query(
                SQL(
                    """SELECT DISTINCT ON (s.id) s.id, s.score - snap.score
                         FROM credit_score s
                         JOIN credit_score_snapshot snap
                           ON snap.partner_id = s.partner_id
                          AND snap.company_id = s.company_id AND snap.date < %s
                        WHERE s.id IN %s
                        ORDER BY s.id, snap.date DESC""",
                    month,
                    tuple(self.ids),
                )
            )
        )

    # ------------------------------------------------------------------ factors
    @api.model
    def _get_score_factors(self):
        """The score's factors: every method ``_score_factor_<code>`` declared with
        :func:`score_factor`, in sequence order. Each factor: ``code``, ``name``
        (translated), ``weight_field`` (``res.company.credit_score_weight_<code>``),
        ``curve``, ``default`` and ``format`` (display of a raw value)."""
        declared = {}
        for cls in reversed(type(self).__mro__):
            for attr, method in vars(cls).items():
                meta = getattr(method, "_credit_score_factor", None)
                if attr.startswith("_score_factor_") and meta:
                    declared[attr[len("_score_factor_") :]] = meta
        formats = {
            "days": lambda value: self.env._("%(days)s days", days=round(value, 1)),
            "months": lambda value: self.env._(
                "%(months)s months", months=round(value)
            ),
            "percent": lambda value: f"{round(value * 100)} %",
            "count": lambda value: str(round(value)),
        }
        factors = []
        for code, meta in sorted(declared.items(), key=lambda kv: kv[1]["sequence"]):
            factors.append(
                {
                    "code": code,
                    "name": meta["name"](self),
                    "weight_field": f"credit_score_weight_{code}",
                    "curve": meta["curve"],
                    "default": meta["default"],
                    "warning": meta.get("warning", False),
                    "format": formats[meta["unit"]],
                }
            )
        return factors

    # Every factor method: (partner_ids, company, as_of) -> {partner_id: raw value},
    # one query for all the partners, reading only the history known at ``as_of``:
    # items dated on or before it, reconciliations whose date (the later of the two
    # matched items) is on or before it.

    @api.model
    def _partner_filter(self, alias, partner_ids):
        """``AND <alias>.partner_id IN (...)``, or nothing for every customer."""
        if partner_ids is None:
            return SQL()
        return SQL(
            "AND %s IN %s", SQL.identifier(alias, "partner_id"), tuple(partner_ids)
        )

    @api.model
    def _where(self, partner_ids, company):
        clauses = [
            SQL("aml.parent_state = 'posted'"),
            SQL("aml.company_id = %s", company.id),
        ]
        if partner_ids is not None:
            clauses.append(SQL("p.commercial_partner_id IN %s", tuple(partner_ids)))
        return SQL(" AND ").join(clauses)

    @api.model
    def _factor_query(self, query, partner_ids, company, as_of, **params):
        """``{partner id: value}`` of a factor query over the receivable items
        (``%(items)s``, filtered by ``%(where)s``) of the 12 months before ``as_of``
        (``%(start)s`` .. ``%(as_of)s``)."""
        return dict(
            self.env.execute_query(
                SQL(
                    query,
                    items=RECEIVABLE_JOINS,
                    where=self._where(partner_ids, company),
                    as_of=as_of,
                    start=as_of - timedelta(days=365),
                    **params,
                )
            )
        )

    @api.model
    @score_factor(
        lambda self: self.env._("Average days late (paid, 12 months)"),
        curve=[(0, 100), (5, 90), (15, 70), (30, 40), (60, 10), (90, 0)],
        default=None,
        unit="days",
        sequence=10,
    )
    def _score_factor_days_late(self, partner_ids, company, as_of):
        """Days late of the payments received in the 12 months before ``as_of``,
        weighted by the amount paid and by recency (a payment a year old weighs half
        of one received on ``as_of``). Credit notes are not payments."""
        return self._factor_query(
            """
    SELECT p.commercial_partner_id,
           SUM(apr.amount * (1 - 0.5 * (%(as_of)s - apr.max_date) / 365.0)
               * GREATEST(apr.max_date - COALESCE(aml.date_maturity, aml.date),
                          0))
           / NULLIF(SUM(apr.amount
                        * (1 - 0.5 * (%(as_of)s - apr.max_date) / 365.0)), 0)
      FROM %(items)s
      JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
      JOIN account_move_line pay ON pay.id = apr.credit_move_id
      JOIN account_move pm ON pm.id = pay.move_id
     WHERE %(where)s
       AND m.move_type IN ('out_invoice', 'out_receipt')
       AND pm.move_type NOT IN ('out_refund', 'in_refund')
       AND apr.max_date > %(start)s AND apr.max_date <= %(as_of)s
     GROUP BY 1
            """,
            partner_ids,
            company,
            as_of,
        )

    @api.model
    @score_factor(
        lambda self: self.env._("Invoices paid late (12 months)"),
        curve=[(0, 100), (0.2, 80), (0.5, 40), (1, 0)],
        default=None,
        unit="percent",
        sequence=20,
    )
    def _score_factor_late_share(self, partner_ids, company, as_of):
        """Share of the invoices settled in the 12 months before ``as_of`` whose
        settlement (last reconciliation) came more than ``LATE_AFTER_DAYS`` days after
        their due date (a payment crossing a weekend is not late)."""
        return self._factor_query(
            """
    SELECT pid,
           AVG(CASE WHEN settled > due + %(late_after)s THEN 1.0 ELSE 0.0 END)
      FROM (
        SELECT p.commercial_partner_id AS pid,
               COALESCE(aml.date_maturity, aml.date) AS due,
               MAX(apr.max_date) AS settled
          FROM %(items)s
          JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
         WHERE %(where)s
           AND m.move_type IN ('out_invoice', 'out_receipt')
           AND aml.balance > 0
           AND apr.max_date <= %(as_of)s
         GROUP BY aml.id, p.commercial_partner_id
        HAVING SUM(apr.amount) >= aml.balance - 0.005
           AND MAX(apr.max_date) > %(start)s
      ) settled
     GROUP BY pid
            """,
            partner_ids,
            company,
            as_of,
            late_after=LATE_AFTER_DAYS,
        )

    @api.model
    def _open_items_as_of(self, partner_ids, company, as_of):
        """Per partner: (open amount, overdue amount, oldest overdue due date) of the
        receivable debit items open on ``as_of`` (one query, shared by the factors of
        one computation)."""
        cache = self.env.cr.cache.get("credit_score")
        if cache is None:  # not within _compute_scores
            return self._query_open_items(partner_ids, company, as_of)
        key = ("open_items", partner_ids and tuple(partner_ids), company.id, as_of)
        if key not in cache:
            cache[key] = self._query_open_items(partner_ids, company, as_of)
        return cache[key]

    @api.model
    def _query_open_items(self, partner_ids, company, as_of):
        return {
            pid: (total, overdue, oldest)
            for pid, total, overdue, oldest in self.env.execute_query(
                SQL(
                    """
            SELECT pid, SUM(residual),
                   SUM(residual) FILTER (WHERE due < %(as_of)s),
                   MIN(due) FILTER (WHERE due < %(as_of)s)
              FROM (
                SELECT p.commercial_partner_id AS pid,
                       COALESCE(aml.date_maturity, aml.date) AS due,
                       aml.balance - COALESCE(SUM(apr.amount), 0) AS residual
                  FROM %(items)s
                  LEFT JOIN account_partial_reconcile apr
                         ON apr.debit_move_id = aml.id AND apr.max_date <= %(as_of)s
                 WHERE %(where)s
                   AND aml.balance > 0 AND aml.date <= %(as_of)s
                 GROUP BY aml.id, p.commercial_partner_id
                HAVING aml.balance - COALESCE(SUM(apr.amount), 0) > 0.005
              ) items
             GROUP BY pid
                    """,
                    items=RECEIVABLE_JOINS,
                    where=self._where(partner_ids, company),
                    as_of=as_of,
                )
            )
        }

    @api.model
    @score_factor(
        lambda self: self.env._("Overdue share of open receivables"),
        curve=[(0, 100), (0.25, 60), (0.5, 30), (1, 0)],
        default=0.0,
        unit="percent",
        sequence=30,
    )
    def _score_factor_overdue_ratio(self, partner_ids, company, as_of):
        """Overdue share of the open receivables on ``as_of``."""
        return {
            pid: (overdue or 0.0) / total
            for pid, (total, overdue, __) in self._open_items_as_of(
                partner_ids, company, as_of
            ).items()
            if total
        }

    @api.model
    @score_factor(
        lambda self: self.env._("Oldest overdue item"),
        curve=[(0, 100), (15, 80), (30, 60), (60, 30), (90, 10), (120, 0)],
        default=0.0,
        unit="days",
        sequence=40,
    )
    def _score_factor_overdue_age(self, partner_ids, company, as_of):
        """Age in days of the oldest item overdue on ``as_of``."""
        return {
            pid: (as_of - oldest).days
            for pid, (__, __, oldest) in self._open_items_as_of(
                partner_ids, company, as_of
            ).items()
            if oldest
        }

    @api.model
    @score_factor(
        lambda self: self.env._("Credit limit utilisation"),
        curve=[(0.5, 100), (0.8, 80), (1, 50), (1.2, 10), (1.5, 0)],
        default=None,
        unit="percent",
        sequence=50,
    )
    def _score_factor_utilisation(self, partner_ids, company, as_of):
        """Open receivables on ``as_of`` over the credit limit in force that day
        (from the limit history; customers without a limit are left out)."""
        open_items = self._open_items_as_of(partner_ids, company, as_of)
        if not open_items:
            return {}
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_company(company)
            .browse(list(open_items))
        )
        limits = {partner.id: partner.credit_limit for partner in partners}
        # a limit changed after as_of: the day's limit is the first later change's
        # previous value, or the last change on or before as_of
        self.env["credit.limit.history"].flush_model()
        for pid, old, new, before in self.env.execute_query(
            SQL(
                """SELECT DISTINCT ON (partner_id) partner_id, old_limit, new_limit,
                          date::date <= %(as_of)s
                     FROM credit_limit_history
                    WHERE company_id = %(company)s AND partner_id IN %(ids)s
                    ORDER BY partner_id, date::date <= %(as_of)s,
                             CASE WHEN date::date > %(as_of)s THEN date END,
                             date DESC""",
                as_of=as_of,
                company=company.id,
                ids=tuple(open_items),
            )
        ):
            limits[pid] = new if before else old
        return {
            pid: (open_items[pid][0] or 0.0) / limit
            for pid, limit in limits.items()
            if limit and limit > 0
        }

    @api.model
    @score_factor(
        lambda self: self.env._("Relationship age"),
        curve=[(0, 40), (6, 60), (12, 80), (24, 100)],
        default=None,
        unit="months",
        sequence=60,
    )
    def _score_factor_relationship_age(self, partner_ids, company, as_of):
        """Months since the customer's first receivable item."""
        return {
            pid: (as_of - first).days / 30.4
            for pid, first in self._first_items(company, as_of, partner_ids).items()
        }

    @api.model
    @score_factor(
        lambda self: self.env._("Reversed or returned payments (12 months)"),
        curve=[(0, 100), (1, 40), (2, 10), (3, 0)],
        default=None,
        unit="count",
        sequence=70,
        warning=True,
    )
    def _score_factor_returned_payments(self, partner_ids, company, as_of):
        """Customer payments reversed (returned cheque, rejected direct debit) in the
        12 months before ``as_of``."""
        return self._factor_query(
            """
    SELECT p.commercial_partner_id, COUNT(DISTINCT m.id)
      FROM %(items)s
      JOIN account_move orig ON orig.id = m.reversed_entry_id
     WHERE %(where)s
       AND orig.origin_payment_id IS NOT NULL
       AND m.date > %(start)s AND m.date <= %(as_of)s
     GROUP BY 1
            """,
            partner_ids,
            company,
            as_of,
        )

    @api.model
    @score_factor(
        lambda self: self.env._("Open disputes"),
        curve=[(0, 100), (1, 25), (2, 10), (3, 0)],
        default=None,
        unit="count",
        sequence=80,
        warning=True,
    )
    def _score_factor_open_disputes(self, partner_ids, company, as_of):
        """Disputes opened on or before ``as_of`` and not settled by then.

        Like returned payments, a warning signal: a customer without any is left
        out of the factor (having none is no merit that should lift a late payer's
        score), and one dispute already weighs as a poor sub-score."""
        return dict(
            self.env.execute_query(
                SQL(
                    """
            SELECT d.partner_id, COUNT(*)
              FROM credit_dispute d
             WHERE d.company_id = %(company)s AND d.date <= %(as_of)s
               AND (d.state IN %(open)s OR d.date_resolved > %(as_of)s)
               %(partners)s
             GROUP BY 1
                    """,
                    company=company.id,
                    as_of=as_of,
                    open=OPEN_STATES,
                    partners=self._partner_filter("d", partner_ids),
                )
            )
        )

    @api.model
    @score_factor(
        lambda self: self.env._("Broken promises to pay (12 months)"),
        curve=[(0, 100), (1, 20), (2, 0)],
        default=None,
        unit="count",
        sequence=85,
        warning=True,
    )
    def _score_factor_broken_promises(self, partner_ids, company, as_of):
        """Promises to pay found broken in the 12 months before ``as_of`` (a warning
        signal, left out for customers without any)."""
        return dict(
            self.env.execute_query(
                SQL(
                    """
            SELECT pr.partner_id, COUNT(*)
              FROM credit_promise pr
             WHERE pr.company_id = %(company)s AND pr.state = 'broken'
               AND pr.date_closed > %(start)s AND pr.date_closed <= %(as_of)s
               %(partners)s
             GROUP BY 1
                    """,
                    company=company.id,
                    as_of=as_of,
                    start=as_of - timedelta(days=365),
                    partners=self._partner_filter("pr", partner_ids),
                )
            )
        )

    @api.model
    @score_factor(
        lambda self: self.env._("Highest dunning level (12 months)"),
        curve=[(0, 100), (1, 50), (2, 25), (3, 0)],
        default=None,
        unit="count",
        sequence=75,
        warning=True,
    )
    def _score_factor_dunning_level(self, partner_ids, company, as_of):
        """Rank of the highest dunning level sent in the 12 months before ``as_of``
        (1 for the first reminder of the customer's policy; courtesy reminders
        before the due date do not count). A warning signal: customers never
        reminded are left out of the factor."""
        return dict(
            self.env.execute_query(
                SQL(
                    """
            SELECT dl.partner_id, MAX(
                       (SELECT COUNT(*) FROM credit_dunning_level l2
                         WHERE l2.policy_id = l.policy_id
                           AND (l2.sequence, l2.id) <= (l.sequence, l.id)
                           AND NOT (l2.delay_base = 'due' AND l2.delay_days < 0)))
              FROM credit_dunning_line dl
              JOIN credit_dunning_level l ON l.id = dl.level_id
             WHERE dl.company_id = %(company)s AND dl.state = 'done'
               AND dl.date > %(start)s AND dl.date <= %(as_of)s
               AND NOT (l.delay_base = 'due' AND l.delay_days < 0)
               %(partners)s
             GROUP BY 1
                    """,
                    company=company.id,
                    as_of=as_of,
                    start=as_of - timedelta(days=365),
                    partners=self._partner_filter("dl", partner_ids),
                )
            )
        )

    # ------------------------------------------------------------------ computation
    @api.model
    def _scope(self, company, as_of, partners=None):
        """Ids of the commercial partners with receivable history on ``as_of``."""
        partner_ids = partners.commercial_partner_id.ids if partners else None
        return list(self._first_items(company, as_of, partner_ids))

    @api.model
    def _first_items(self, company, as_of, partner_ids=None):
        """``{partner id: date of its first receivable item}`` on ``as_of``: the scope
        of a computation and the relationship age (one query, shared)."""
        # within _compute_scores the scope's result serves the relationship age
        cache = self.env.cr.cache.get("credit_score", {})
        key = ("first_items", company.id, as_of)
        if key not in cache:
            cache[key] = dict(
                self.env.execute_query(
                    SQL(
                        """SELECT p.commercial_partner_id, MIN(aml.date)
                             FROM %(items)s
                            WHERE %(where)s AND aml.date <= %(as_of)s
                            GROUP BY 1""",
                        items=RECEIVABLE_JOINS,
                        where=self._where(partner_ids, company),
                        as_of=as_of,
                    )
                )
            )
        if partner_ids is None:
            return cache[key]
        wanted = set(partner_ids)
        return {pid: date for pid, date in cache[key].items() if pid in wanted}

    @contextlib.contextmanager
    def _factor_cache(self):
        """Within the block, queries shared by several factors (open items, first
        items) run once per as-of date."""
        self.env.flush_all()
        self.env.cr.cache["credit_score"] = {}
        try:
            yield
        finally:
            self.env.cr.cache.pop("credit_score", None)

    @api.model
    def _active_factors(self, company):
        """``[(factor, weight)]``: the factors the company has not switched off."""
        return [
            (factor, company[factor["weight_field"]])
            for factor in self._get_score_factors()
            if company[factor["weight_field"]] > 0
        ]

    @api.model
    def _factor_subscores(self, company, partner_ids, as_of, factors):
        """``{partner id: {code: (raw value, sub-score)}}``, one query per factor;
        ``(None, None)`` where the factor has no value for the customer. To be called
        within :meth:`_factor_cache`."""
        raw = {
            factor["code"]: getattr(self, "_score_factor_" + factor["code"])(
                partner_ids, company, as_of
            )
            for factor, __ in factors
        }
        result = {}
        for pid in partner_ids:
            row = result[pid] = {}
            for factor, __ in factors:
                value = raw[factor["code"]].get(pid, factor["default"])
                if value is None:
                    row[factor["code"]] = (None, None)
                else:
                    value = float(value)
                    row[factor["code"]] = (value, _interpolate(factor["curve"], value))
        return result

    @api.model
    def _feature(self, factor, sub, mean):
        """Input of the calibrated model for one factor: the sub-score on 0-1; a
        warning factor without events has the sub-score of none, another factor
        without a value the mean of the training customers."""
        if sub is not None:
            return sub / 100.0
        if factor["warning"]:
            return _interpolate(factor["curve"], 0) / 100.0
        return mean

    @api.model
    def _feature_column(self, factor, subs):
        """Inputs of the calibrated model for one factor over a sample, from
        ``[(sub-score or None, weight)]``: a missing value is filled as ``_feature``
        does, with the weighted mean of the known sub-scores (0.5 without any)."""
        known = [(sub / 100.0, n) for sub, n in subs if sub is not None]
        total = sum(n for __, n in known)
        mean = sum(v * n for v, n in known) / total if total else 0.5
        return [self._feature(factor, sub, mean) for sub, __ in subs]

    @api.model
    def _compute_scores(self, company, partners=None, as_of=None, model=None):
        """Scores of the customers of ``company`` from the history known at
        ``as_of`` (default today), without storing them.

        :param partners: ``res.partner`` records, or ``None`` for every customer with
            receivable history in the company.
        :param model: parameters of a calibrated model (see ``credit.score.model``),
            ``False`` for the hand-set weights, ``None`` for the company's own
            choice (its current calibrated model, else the weights).
        :return: ``{partner_id: {"score", "risk_class", "probability", "method",
            "baseline", "factors", "insolvent"}}``; ``factors`` maps each factor code
            to its raw ``value``, ``score`` (0-100), ``weight`` and ``points``.
        """
        as_of = as_of or fields.Date.context_today(self)
        if model is None:
            model = self.env["credit.score.model"].sudo()._current_params(company)
        factors = self._active_factors(company)
        with self._factor_cache():
            partner_ids = self._scope(company, as_of, partners)
            if not partner_ids:
                return {}
            subscores = self._factor_subscores(company, partner_ids, as_of, factors)
        insolvent = dict(
            self.env.execute_query(
                SQL(
                    """SELECT id, COALESCE(credit_insolvency_date, %(as_of)s)
                         FROM res_partner
                        WHERE id IN %(ids)s AND credit_insolvency
                          AND COALESCE(credit_insolvency_date, %(as_of)s)
                              <= %(as_of)s""",
                    ids=tuple(partner_ids),
                    as_of=as_of,
                )
            )
        )
        combine = self._combine_calibrated if model else self._combine_weights
        results = {}
        for pid in partner_ids:
            result = results[pid] = combine(company, factors, subscores[pid], model)
            if pid in insolvent:
                result["risk_class"] = "e"
            result["insolvent"] = (
                fields.Date.to_string(insolvent[pid]) if pid in insolvent else False
            )
        return results

    @api.model
    def _combine_weights(self, company, factors, row, model=None):
        """Hand-set weights: the weighted mean of the sub-scores that have a value;
        a factor's points are its share of the score."""
        breakdown, points, weights = {}, 0.0, 0.0
        for factor, weight in factors:
            value, sub = row[factor["code"]]
            breakdown[factor["code"]] = {"value": value, "score": sub, "weight": weight}
            if sub is not None:
                points += sub * weight
                weights += weight
        for item in breakdown.values():
            item["points"] = (
                round(item["score"] * item["weight"] / weights, 1)
                if item["score"] is not None and weights
                else None
            )
        score = round(points / weights, 1) if weights else 50.0
        return {
            "score": score,
            "risk_class": company._credit_risk_class(score),
            "probability": None,
            "method": "weights",
            "baseline": None,
            "factors": breakdown,
        }

    @api.model
    def _combine_calibrated(self, company, factors, row, model):
        """Calibrated model: score = 100 x (1 - probability of paying late), the
        probability from the company's logistic model. A factor's points are its
        share of the difference with the average customer (the baseline), in
        proportion to its term of the model."""
        terms, breakdown = {}, {}
        logit = model["intercept"]
        total_influence = sum(abs(p["coef"]) for p in model["factors"].values())
        for factor, __ in factors:
            code = factor["code"]
            value, sub = row[code]
            params = model["factors"].get(code)
            influence = 0.0
            if params:
                feature = self._feature(factor, sub, params["mean"])
                terms[code] = (
                    params["coef"] * (feature - params["mean"]) / params["std"]
                )
                logit += terms[code]
                influence = 100.0 * abs(params["coef"]) / (total_influence or 1.0)
            breakdown[code] = {"value": value, "score": sub, "weight": influence}
        probability = _sigmoid(logit)
        score = round(100.0 * (1.0 - probability), 1)
        baseline = 100.0 * (1.0 - _sigmoid(model["intercept"]))
        spread = sum(terms.values())
        for code, item in breakdown.items():
            if code not in terms:
                item["points"] = None
            elif abs(spread) > 1e-9:
                item["points"] = round((score - baseline) * terms[code] / spread, 1)
            else:
                item["points"] = 0.0
        return {
            "score": score,
            "risk_class": probability_class(probability),
            "probability": round(probability, 4),
            "method": "calibrated",
            "baseline": round(baseline, 1),
            "factors": breakdown,
        }

    @api.model
    def _refresh(self, partners=None, companies=None, notify=True):
        """Recompute and store today's scores, set-based: per company one query per
        factor and one upsert. Customers whose class dropped get an activity for the
        credit managers, unless ``notify`` is false (the way of scoring changed: a
        new calibration or method moves classes without the customer doing anything).
        Returns the stored rows."""
        self = self.sudo()  # noqa: PLW0642 - scores are system data
        today = fields.Date.context_today(self)
        companies = companies or self.env["res.company"].search([])
        ids = []
        for company in companies:
            results = self._compute_scores(company, partners, today)
            if not results:
                continue
            ids += self._store(company, results, today)
        rows = self.browse(ids)
        if notify:
            rows._notify_class_drops()
        return rows

    @api.model
    def _store(self, company, results, today):
        """One INSERT ... ON CONFLICT for the company's results; the previous class
        is kept to detect drops. Salesperson and segment are copied for the risk
        reports (group by)."""
        values = SQL(", ").join(
            SQL(
                "(%s, %s, %s, %s::jsonb, %s)",
                pid,
                res["score"],
                res["risk_class"],
                json_dumps(
                    {
                        key: res[key]
                        for key in (
                            "factors",
                            "insolvent",
                            "method",
                            "probability",
                            "baseline",
                        )
                    }
                ),
                bool(res["insolvent"]),
            )
            for pid, res in results.items()
        )
        rows = self.env.execute_query(
            SQL(
                """
            INSERT INTO credit_score AS s (
                partner_id, company_id, score, risk_class, previous_risk_class,
                factor_data, insolvent, computed_on, user_id, segment_id,
                create_uid, create_date, write_uid, write_date)
            SELECT v.partner_id, %(company)s, v.score, v.risk_class, NULL,
                   v.factor_data, v.insolvent, %(today)s, p.user_id,
                   (p.credit_segment_id ->> %(company_key)s)::int,
                   %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM (VALUES %(values)s)
                   AS v(partner_id, score, risk_class, factor_data, insolvent)
              JOIN res_partner p ON p.id = v.partner_id
            ON CONFLICT (partner_id, company_id) DO UPDATE SET
                previous_risk_class = s.risk_class,
                score = EXCLUDED.score,
                risk_class = EXCLUDED.risk_class,
                factor_data = EXCLUDED.factor_data,
                insolvent = EXCLUDED.insolvent,
                computed_on = EXCLUDED.computed_on,
                user_id = EXCLUDED.user_id,
                segment_id = EXCLUDED.segment_id,
                write_uid = EXCLUDED.write_uid,
                write_date = EXCLUDED.write_date
            RETURNING s.id
                """,
                company=company.id,
                company_key=str(company.id),
                today=today,
                uid=self.env.uid,
                values=values,
            )
        )
        self.invalidate_model()
        return [row[0] for row in rows]

    def _notify_class_drops(self):
        """An activity for the credit managers of the company on each customer whose
        class dropped by one class or more since the previous computation."""
        dropped = self.filtered(
            lambda r: r.previous_risk_class
            and r.risk_class
            and r.risk_class > r.previous_risk_class
        )
        if not dropped:
            return
        managers = self.env.ref("credit_management.group_credit_manager").user_ids
        activity_type = self.env.ref(
            "credit_management.mail_activity_type_credit_score_drop"
        )
        labels = dict(self._fields["risk_class"]._description_selection(self.env))
        for row in dropped:
            users = managers.filtered(
                lambda u, r=row: not u.share
                and u.active
                and r.company_id in u.company_ids
            )
            for user in users:
                row.partner_id.activity_schedule(
                    activity_type_id=activity_type.id,
                    user_id=user.id,
                    summary=self.env._(
                        "Risk class dropped from %(old)s to %(new)s",
                        old=labels[row.previous_risk_class],
                        new=labels[row.risk_class],
                    ),
                    note=row.explanation,
                )

    # ------------------------------------------------------------------ scheduled
    @api.model
    def _cron_refresh(self):
        """Nightly: every customer's score in every company, then the monthly
        snapshot (the first computation of a month is its snapshot)."""
        recalibrated = self.env["credit.score.model"].sudo()._cron_calibrate_due()
        rows = self._refresh(notify=False)
        # a new calibration moves classes by itself: no early warning for that
        rows.filtered(
            lambda row: row.company_id not in recalibrated
        )._notify_class_drops()
        self.env["credit.segment"]._assign()
        self.env["credit.score.snapshot"].sudo()._take(rows)
        self.env["res.partner"].sudo()._cron_credit_reviews()

    @api.model
    def action_refresh_all(self):
        """Recompute every customer's score (server action, bench)."""
        self._refresh()
        return True
