# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.credit_score import RISK_CLASSES
from ..models.credit_score_model import auc, bootstrap_auc, interval


class CreditScoreBacktest(models.TransientModel):
    """How well the score, computed on a past date from the history known then,
    ranked the invoices issued after that date by whether they were paid late:
    the AUC of the score and of each factor alone, with 90 % intervals from
    resampling the customers, and the late share per class.
    The calibrated model is fitted on the history before that date only, so the
    invoices after it are ones it never saw."""

    _name = "credit.score.backtest"
    _description = "Risk Score Backtest"

    date = fields.Date(
        required=True,
        default=lambda self: fields.Date.subtract(
            fields.Date.context_today(self), months=6
        ),
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        domain=[("is_company", "=", True)],
        help="Leave empty for every customer. The AUC and the class table always "
        "cover every customer.",
    )
    horizon_months = fields.Integer(
        "Horizon (Months)",
        help="Count only the invoices issued within this many months after the "
        "date (3: what the score said about the next quarter's invoices). 0: every "
        "invoice issued after the date, up to today.",
    )
    method = fields.Selection(
        [("calibrated", "Calibrated"), ("weights", "Hand-set weights")],
        readonly=True,
    )
    calibration_note = fields.Text(readonly=True)
    auc = fields.Float(
        "AUC",
        digits=(3, 3),
        readonly=True,
        help="Probability that a late invoice's customer had a lower score than an "
        "on-time invoice's customer (0.5: no better than chance, 1: perfect).",
    )
    auc_low = fields.Float(
        "AUC From",
        digits=(3, 3),
        readonly=True,
        help="90 % interval of the AUC, from resampling the customers: the range "
        "the AUC would likely take on another set of customers like these.",
    )
    auc_high = fields.Float("AUC To", digits=(3, 3), readonly=True)
    invoice_count = fields.Integer("Invoices After", readonly=True)
    late_count = fields.Integer("Paid Late", readonly=True)
    line_ids = fields.One2many("credit.score.backtest.line", "backtest_id")
    class_line_ids = fields.One2many(
        "credit.score.backtest.class", "backtest_id", "Classes"
    )
    factor_line_ids = fields.One2many(
        "credit.score.backtest.factor", "backtest_id", "Factors"
    )
    explanation = fields.Html("Why This Score", readonly=True)

    @api.constrains("horizon_months")
    def _check_horizon_months(self):
        if any(backtest.horizon_months < 0 for backtest in self):
            raise ValidationError(
                self.env._("The horizon is a number of months, 0 or more.")
            )

    def action_compute(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        if self.date >= today:
            raise UserError(self.env._("The backtest date must be in the past."))
        Score = self.env["credit.score"].sudo()
        Calibration = self.env["credit.score.model"].sudo()
        company = self.env.company
        model = False
        note = False
        if company.credit_score_method == "calibrated":
            fitted = Calibration._fit(company, self.date)
            model = fitted["state"] == "calibrated" and fitted["parameters"]
            note = fitted.get("note")
        then = Score._compute_scores(company, None, self.date, model=model)
        end = today
        if self.horizon_months:
            end = min(today, self.date + relativedelta(months=self.horizon_months))
        outcomes = {}
        for pid, __, count, late in Calibration._invoice_outcomes(
            company, self.date + timedelta(days=1), end, today, list(then)
        ):
            total = outcomes.setdefault(pid, [0, 0])
            total[0] += count
            total[1] += late
        self._fill_ranking(then, outcomes)
        self.method = "calibrated" if model else "weights"
        self.calibration_note = note
        partners = self.partner_id.commercial_partner_id
        shown = [pid for pid in then if not partners or pid == partners.id]
        now = Score._compute_scores(company, partners or None)
        self.line_ids = [
            fields.Command.clear(),
            *(
                fields.Command.create(
                    {
                        "partner_id": pid,
                        "score": then[pid]["score"],
                        "risk_class": then[pid]["risk_class"],
                        "invoice_count": outcomes.get(pid, [0, 0])[0],
                        "late_count": outcomes.get(pid, [0, 0])[1],
                        "score_today": now.get(pid, {}).get("score"),
                        "risk_class_today": now.get(pid, {}).get("risk_class"),
                    }
                )
                for pid in shown
            ),
        ]
        self.explanation = (
            Score._explain(then[partners.id])
            if partners and partners.id in then
            else False
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def _fill_ranking(self, then, outcomes):
        """AUC of the score and of each factor alone, and the class table, over the
        customers scored on the date that were invoiced after it."""
        Score = self.env["credit.score"]
        ranked = [pid for pid in then if pid in outcomes]
        self.invoice_count = sum(outcomes[pid][0] for pid in ranked)
        self.late_count = sum(outcomes[pid][1] for pid in ranked)
        rows = {pid: [-then[pid]["score"]] for pid in ranked}
        factors = []
        for factor, __ in Score._active_factors(self.env.company):
            code = factor["code"]
            column = Score._feature_column(
                factor,
                [
                    (then[pid]["factors"][code]["score"], outcomes[pid][0])
                    for pid in ranked
                ],
            )
            for pid, feature in zip(ranked, column, strict=True):
                rows[pid].append(-feature)
            factors.append(factor["name"])
        customers = [
            (rows[pid], outcomes[pid][1], outcomes[pid][0] - outcomes[pid][1])
            for pid in ranked
        ]
        values = [
            auc((risks[rank], late, on_time) for risks, late, on_time in customers)
            for rank in range(len(factors) + 1)
        ]
        draws = bootstrap_auc(customers)
        score_range = interval([draw[0] for draw in draws])
        self.auc = values[0] or 0.0
        self.auc_low, self.auc_high = score_range or (0.0, 0.0)
        factor_lines = []
        for rank, name in enumerate(factors, start=1):
            if values[rank] is None:
                continue
            lead_range = interval([draw[0] - draw[rank] for draw in draws])
            low, high = lead_range or (0.0, 0.0)
            factor_lines.append(
                fields.Command.create(
                    {
                        "name": name,
                        "auc": values[rank],
                        "lead_low": low,
                        "lead_high": high,
                    }
                )
            )
        classes = {}
        for pid in ranked:
            row = classes.setdefault(then[pid]["risk_class"], [0, 0, 0])
            row[0] += 1
            row[1] += outcomes[pid][0]
            row[2] += outcomes[pid][1]
        self.factor_line_ids = [fields.Command.clear(), *factor_lines]
        self.class_line_ids = [
            fields.Command.clear(),
            *(
                fields.Command.create(
                    {
                        "risk_class": risk_class,
                        "customer_count": classes[risk_class][0],
                        "invoice_count": classes[risk_class][1],
                        "late_count": classes[risk_class][2],
                        "late_share": classes[risk_class][2] / classes[risk_class][1],
                    }
                )
                for risk_class, __ in RISK_CLASSES
                if risk_class in classes
            ),
        ]
