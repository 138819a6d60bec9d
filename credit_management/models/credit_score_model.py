# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import math
import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, format_date

from .credit_score import LATE_AFTER_DAYS, RECEIVABLE_JOINS, _sigmoid

# months of history a calibration learns from
HISTORY_MONTHS = 24
# below these counts of labelled invoices the hand-set weights are kept
MIN_INVOICES = 100
MIN_EACH_OUTCOME = 20
# a month teaches the model only once the company has this many months of invoices
# before it: the factors' 12-month windows are half filled, read as they will be
MATURE_AFTER_MONTHS = 6
# ridge penalty on the standardised coefficients (keeps a rare factor sane)
RIDGE = 1.0
# the nightly job recalibrates a company whose latest calibration is this old
RECALIBRATE_AFTER_DAYS = 28


def auc(groups):
    """Area under the ROC curve of a risk figure: the probability that a late
    invoice has a higher risk than an invoice paid on time, ties counting half.

    :param groups: iterable of ``(risk, late count, on-time count)``.
    :return: the AUC, or ``None`` without both outcomes.
    """
    by_risk = {}
    for risk, late, on_time in groups:
        item = by_risk.setdefault(risk, [0, 0])
        item[0] += late
        item[1] += on_time
    total_late = sum(late for late, __ in by_risk.values())
    total_on_time = sum(on_time for __, on_time in by_risk.values())
    if not total_late or not total_on_time:
        return None
    wins, on_time_below = 0.0, 0
    for risk in sorted(by_risk):
        late, on_time = by_risk[risk]
        wins += late * on_time_below + 0.5 * late * on_time
        on_time_below += on_time
    return wins / (total_late * total_on_time)


def bootstrap_auc(customers, draws=500, seed=0):
    """AUCs of several rankings of the same customers on resamples of them.

    A customer's invoices share its score, so they are not independent draws: the
    resampling unit is the customer (a cluster bootstrap). Every ranking is measured
    on the same resamples, which gives the difference of two rankings' AUCs an
    honest interval too. The seed is fixed: the same data give the same interval.

    :param customers: list of ``(risks, late count, on-time count)``, ``risks``
        holding one risk figure per ranking.
    :return: one tuple of AUCs, one per ranking, per resample that has both
        outcomes.
    """
    size = len(customers)
    rankings = range(len(customers[0][0])) if size else ()
    rng = random.Random(seed)
    results = []
    for __ in range(draws):
        weight = [0] * size
        for index in rng.choices(range(size), k=size):
            weight[index] += 1
        drawn = [(row, w) for row, w in zip(customers, weight, strict=True) if w]
        values = tuple(
            auc(
                (risks[rank], w * late, w * on_time)
                for (risks, late, on_time), w in drawn
            )
            for rank in rankings
        )
        if values and values[0] is not None:
            results.append(values)
    return results


def interval(values, level=0.9):
    """Central ``level`` interval of a sample (percentiles), or ``None`` if empty."""
    if not values:
        return None
    ordered = sorted(values)
    tail = (1.0 - level) / 2.0
    return (
        ordered[round(tail * len(ordered))],
        ordered[max(round((1.0 - tail) * len(ordered)) - 1, 0)],
    )


def _solve(matrix, vector):
    """Solution of a small linear system (Gaussian elimination, partial pivot)."""
    size = len(vector)
    rows = [list(matrix[i]) + [vector[i]] for i in range(size)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        if abs(rows[col][col]) < 1e-12:
            rows[col][col] = 1e-12
        for r in range(col + 1, size):
            ratio = rows[r][col] / rows[col][col]
            if ratio:
                for c in range(col, size + 1):
                    rows[r][c] -= ratio * rows[col][c]
    solution = [0.0] * size
    for r in reversed(range(size)):
        acc = rows[r][size] - sum(rows[r][c] * solution[c] for c in range(r + 1, size))
        solution[r] = acc / rows[r][r]
    return solution


def fit_logistic(samples, ridge=RIDGE, iterations=50):
    """Binomial logistic regression by Newton's method.

    :param samples: ``[(features, trials, successes)]``, features a list of floats
        (standardised); the intercept is added.
    :return: ``[intercept, coef_1, ...]``; the coefficients (not the intercept) are
        shrunk by a ridge penalty.
    """
    width = len(samples[0][0]) + 1
    trials = sum(n for __, n, __ in samples)
    successes = sum(k for __, __, k in samples)
    rate = min(max(successes / trials, 1e-6), 1 - 1e-6)
    beta = [math.log(rate / (1 - rate))] + [0.0] * (width - 1)
    for __ in range(iterations):
        grad = [0.0] * width
        hess = [[0.0] * width for __ in range(width)]
        for features, n, k in samples:
            x = [1.0, *features]
            p = _sigmoid(sum(b * v for b, v in zip(beta, x, strict=True)))
            weight, residual = n * p * (1 - p), k - n * p
            for i in range(width):
                grad[i] += residual * x[i]
                wx = weight * x[i]
                row = hess[i]
                for j in range(i + 1):
                    row[j] += wx * x[j]
        for i in range(width):
            for j in range(i):
                hess[j][i] = hess[i][j]
        for i in range(1, width):
            grad[i] -= ridge * beta[i]
            hess[i][i] += ridge
        step = _solve(hess, grad)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return beta


class CreditScoreModel(models.Model):
    """One calibration of the risk score on a company's own history.

    For each of the last 24 months, the factor sub-scores of every customer as of
    the day before the month are set against what happened to the invoices the
    customer was issued in that month (paid more than ``LATE_AFTER_DAYS`` days late,
    or still open that late, versus paid on time). A logistic model of those
    outcomes gives each customer a probability of paying late, hence the score
    (100 x (1 - probability)) and a class. A factor whose fitted effect points the
    wrong way on the company's data (a better sub-score going with more late
    payments) is left out and the model refitted. With too little history the
    record says so and the hand-set weights stay in use.
    """

    _name = "credit.score.model"
    _description = "Risk Score Calibration"
    _order = "date desc, id desc"
    _rec_name = "date"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    date = fields.Date(
        "History Up To",
        required=True,
        readonly=True,
        help="The calibration learnt from the history known on this date.",
    )
    state = fields.Selection(
        [("calibrated", "Calibrated"), ("fallback", "Hand-set weights kept")],
        required=True,
        readonly=True,
    )
    invoice_count = fields.Integer("Invoices Learnt From", readonly=True)
    late_count = fields.Integer("Paid Late", readonly=True)
    customer_count = fields.Integer("Customers", readonly=True)
    auc = fields.Float(
        "AUC (history)",
        digits=(3, 3),
        readonly=True,
        help="On the invoices learnt from: the probability that a late invoice's "
        "customer had a lower score than an on-time invoice's (0.5: chance, 1: "
        "perfect). Use the backtest for a figure on invoices the model never saw.",
    )
    parameters = fields.Json("Model", readonly=True)
    note = fields.Text("What Was Left Out", readonly=True)
    summary = fields.Html("Influence of the Factors", compute="_compute_summary")

    @api.depends("parameters")
    def _compute_summary(self):
        factors = {f["code"]: f for f in self.env["credit.score"]._get_score_factors()}
        for record in self:
            params = (record.parameters or {}).get("factors") or {}
            if not params:
                record.summary = False
                continue
            total = sum(abs(p["coef"]) for p in params.values()) or 1.0
            lines = [
                Markup("<tr><td>%s</td><td class='text-end'>%s</td></tr>")
                % (factors[code]["name"] if code in factors else code, round(share))
                for code, share in sorted(
                    (
                        (code, 100 * abs(p["coef"]) / total)
                        for code, p in params.items()
                    ),
                    key=lambda item: -item[1],
                )
            ]
            record.summary = (
                Markup(
                    "<table class='table table-sm'><thead><tr><th>%s</th>"
                    "<th class='text-end'>%s</th></tr></thead><tbody>"
                )
                % (self.env._("Factor"), self.env._("Influence (%)"))
                + Markup().join(lines)
                + Markup("</tbody></table>")
            )

    # ------------------------------------------------------------------ use
    @api.model
    def _current_params(self, company):
        """Parameters of the company's calibrated model in use, or ``False`` (the
        hand-set weights: chosen in the settings, never calibrated, or the latest
        calibration found too little history)."""
        if company.credit_score_method != "calibrated":
            return False
        latest = self.search([("company_id", "=", company.id)], limit=1)
        return latest.state == "calibrated" and latest.parameters

    # ------------------------------------------------------------------ history
    @api.model
    def _invoice_outcomes(self, company, start, end, known_at, partner_ids=None):
        """``[(partner id, month, invoices, late)]`` of the customer invoices dated
        ``start`` to ``end`` (included), as known at ``known_at``: late when settled
        more than ``LATE_AFTER_DAYS`` days after the due date or still open by
        then; invoices still open and not yet that late have no known outcome and
        are left out. ``month`` is the first day of the invoice's month."""
        self.env.flush_all()
        return self.env.execute_query(
            SQL(
                """
        SELECT pid, month, COUNT(*),
               COUNT(*) FILTER (WHERE settled IS NULL OR settled > due + %(late)s)
          FROM (
            SELECT p.commercial_partner_id AS pid,
                   date_trunc('month', aml.date)::date AS month,
                   COALESCE(aml.date_maturity, aml.date) AS due,
                   CASE WHEN COALESCE(SUM(apr.amount), 0) >= aml.balance - 0.005
                        THEN MAX(apr.max_date) END AS settled
              FROM %(items)s
              LEFT JOIN account_partial_reconcile apr
                     ON apr.debit_move_id = aml.id AND apr.max_date <= %(known)s
             WHERE %(where)s
               AND m.move_type IN ('out_invoice', 'out_receipt')
               AND aml.balance > 0
               AND aml.date >= %(start)s AND aml.date <= %(end)s
             GROUP BY aml.id, p.commercial_partner_id
          ) invoices
         WHERE settled IS NOT NULL OR due + %(late)s < %(known)s
         GROUP BY pid, month
                """,
                late=LATE_AFTER_DAYS,
                items=RECEIVABLE_JOINS,
                where=self.env["credit.score"]._where(partner_ids, company),
                start=start,
                end=end,
                known=known_at,
            )
        )

    # ------------------------------------------------------------------ fitting
    @api.model
    def _first_invoice_month(self, company, as_of):
        """First day of the month of the company's first customer invoice dated
        ``as_of`` or before, or ``None``."""
        ((first,),) = self.env.execute_query(
            SQL(
                """
        SELECT date_trunc('month', MIN(aml.date))::date
          FROM %(items)s
         WHERE %(where)s
           AND m.move_type IN ('out_invoice', 'out_receipt')
           AND aml.date <= %(as_of)s
                """,
                items=RECEIVABLE_JOINS,
                where=self.env["credit.score"]._where(None, company),
                as_of=as_of,
            )
        )
        return first

    @staticmethod
    def _enough_history(outcomes):
        invoices = sum(row[2] for row in outcomes)
        late = sum(row[3] for row in outcomes)
        return (
            invoices >= MIN_INVOICES
            and late >= MIN_EACH_OUTCOME
            and invoices - late >= MIN_EACH_OUTCOME
        )

    @api.model
    def _fit(self, company, as_of):
        """Values of a calibration of ``company`` on the history known at ``as_of``
        (nothing stored): the model, or the reason to keep the weights.

        The months of the company's first half year are left out when the rest is
        enough to calibrate: their factors were read on nearly empty 12-month windows
        (every customer new, few invoices behind each share) and teach relations that
        no longer hold once the windows are filled."""
        Score = self.env["credit.score"]
        start = as_of.replace(day=1) - relativedelta(months=HISTORY_MONTHS - 1)
        outcomes = self._invoice_outcomes(company, start, as_of, as_of)
        notes = []
        first = self._first_invoice_month(company, as_of)
        mature = first and first + relativedelta(months=MATURE_AFTER_MONTHS)
        if mature and mature > start:
            kept = [row for row in outcomes if row[1] >= mature]
            if len(kept) < len(outcomes) and self._enough_history(kept):
                outcomes = kept
                notes.append(
                    self.env._(
                        "The months before %(date)s are left out: the company had "
                        "less than %(months)s months of invoices before them.",
                        date=format_date(self.env, mature),
                        months=MATURE_AFTER_MONTHS,
                    )
                )
        invoices = sum(row[2] for row in outcomes)
        late = sum(row[3] for row in outcomes)
        values = {
            "company_id": company.id,
            "date": as_of,
            "invoice_count": invoices,
            "late_count": late,
            "customer_count": len({row[0] for row in outcomes}),
        }
        if not self._enough_history(outcomes):
            return {
                **values,
                "state": "fallback",
                "note": self.env._(
                    "Too little history: %(invoices)s invoices with a known outcome "
                    "(%(late)s paid late) in the last %(months)s months; a calibration "
                    "needs %(min)s, of which %(each)s late and %(each)s on time. The "
                    "hand-set weights stay in use.",
                    invoices=invoices,
                    late=late,
                    months=HISTORY_MONTHS,
                    min=MIN_INVOICES,
                    each=MIN_EACH_OUTCOME,
                ),
            }
        factors = Score._active_factors(company)
        by_month = {}
        for pid, month, count, late_count in outcomes:
            by_month.setdefault(month, {})[pid] = (count, late_count)
        # sub-scores of each month's customers as of the day before the month
        samples = []  # (sub-scores by code, trials, late)
        for month, partners in sorted(by_month.items()):
            with Score._factor_cache():
                day_before = month - timedelta(days=1)
                scope = list(Score._first_items(company, day_before, list(partners)))
                if not scope:
                    continue
                subscores = Score._factor_subscores(company, scope, day_before, factors)
            for pid in scope:
                count, late_count = partners[pid]
                samples.append((subscores[pid], count, late_count))
        fitted = self._fit_samples(factors, samples)
        note = "\n".join([*notes, fitted.get("note") or ""]).strip()
        return {**values, **fitted, "note": note or False}

    @api.model
    def _fit_samples(self, factors, samples):
        """Fit on ``[({code: (value, sub-score)}, trials, late)]``: fills the
        missing values, standardises, fits, drops the factors that point the wrong
        way and refits. Returns ``state``, ``parameters``, ``auc`` and ``note``."""
        Score = self.env["credit.score"]
        trials = sum(n for __, n, __ in samples) or 1
        kept, notes = [], []
        columns = {}
        for factor, __ in factors:
            code = factor["code"]
            column = Score._feature_column(
                factor, [(row[code][1], n) for row, n, __ in samples]
            )
            mean = sum(v * n for v, (__, n, __) in zip(column, samples, strict=True))
            mean /= trials
            variance = (
                sum(
                    (v - mean) ** 2 * n
                    for v, (__, n, __) in zip(column, samples, strict=True)
                )
                / trials
            )
            if variance < 1e-8:
                notes.append(
                    self.env._(
                        "%(factor)s: the same for every customer, left out.",
                        factor=factor["name"],
                    )
                )
                continue
            std = math.sqrt(variance)
            columns[code] = (factor, mean, std, [(v - mean) / std for v in column])
            kept.append(code)
        while True:
            if not kept:
                return {
                    "state": "fallback",
                    "note": "\n".join(
                        [*notes, self.env._("No factor left: hand-set weights kept.")]
                    ),
                }
            rows = [
                ([columns[code][3][i] for code in kept], n, k)
                for i, (__, n, k) in enumerate(samples)
            ]
            beta = fit_logistic(rows)
            wrong = [
                (coef, code)
                for coef, code in zip(beta[1:], kept, strict=True)
                if coef > 0
            ]
            if not wrong:
                break
            __, code = max(wrong)
            kept.remove(code)
            notes.append(
                self.env._(
                    "%(factor)s: a better sub-score went with more late payments on "
                    "this history; left out.",
                    factor=columns[code][0]["name"],
                )
            )
        risks = [
            (sum(b * z for b, z in zip(beta[1:], features, strict=True)), k, n - k)
            for features, n, k in rows
        ]
        return {
            "state": "calibrated",
            "parameters": {
                "intercept": beta[0],
                "factors": {
                    code: {
                        "coef": coef,
                        "mean": columns[code][1],
                        "std": columns[code][2],
                    }
                    for coef, code in zip(beta[1:], kept, strict=True)
                },
            },
            "auc": auc(risks) or 0.0,
            "note": "\n".join(notes) or False,
        }

    # ------------------------------------------------------------------ actions
    @api.model
    def _calibrate(self, companies=None, as_of=None):
        """Calibrate and store the model of each company (today's history);
        calibrations are system data, written as superuser."""
        self = self.sudo()  # noqa: PLW0642
        as_of = as_of or fields.Date.context_today(self)
        companies = companies or self.env["res.company"].search([])
        return self.create([self._fit(company, as_of) for company in companies.sudo()])

    def action_calibrate(self):
        """Calibrate the current company now and rescore its customers."""
        if not self.env.user.has_group("credit_management.group_credit_manager"):
            raise AccessError(self.env._("Only credit managers calibrate the score."))
        company = self.env.company
        record = self.sudo()._calibrate(company)
        self.env["credit.score"].sudo()._refresh(companies=company, notify=False)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": record.id,
            "view_mode": "form",
        }

    @api.model
    def _cron_calibrate_due(self):
        """Nightly: recalibrate the companies scored by calibration whose latest
        calibration is older than ``RECALIBRATE_AFTER_DAYS`` (or missing); returns
        those companies."""
        today = fields.Date.context_today(self)
        due = self.env["res.company"]
        for company in self.env["res.company"].search(
            [("credit_score_method", "=", "calibrated")]
        ):
            latest = self.search([("company_id", "=", company.id)], limit=1)
            if not latest or (today - latest.date).days >= RECALIBRATE_AFTER_DAYS:
                due |= company
        if due:
            self._calibrate(due)
        return due
