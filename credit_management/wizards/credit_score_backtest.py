# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.exceptions import UserError

from ..models.credit_score import RISK_CLASSES


class CreditScoreBacktest(models.TransientModel):
    """The scores the customers would have had on a past date, from the history
    known then, beside today's: to check that the score saw the defaults coming."""

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
        help="Leave empty for every customer.",
    )
    line_ids = fields.One2many("credit.score.backtest.line", "backtest_id")
    explanation = fields.Html("Why This Score", readonly=True)

    def action_compute(self):
        self.ensure_one()
        if self.date > fields.Date.context_today(self):
            raise UserError(self.env._("The backtest date must be in the past."))
        Score = self.env["credit.score"].sudo()
        company = self.env.company
        partners = self.partner_id.commercial_partner_id or None
        then = Score._compute_scores(company, partners, self.date)
        now = Score._compute_scores(company, partners)
        self.line_ids = [
            fields.Command.clear(),
            *(
                fields.Command.create(
                    {
                        "partner_id": pid,
                        "score": result["score"],
                        "risk_class": result["risk_class"],
                        "score_today": now.get(pid, {}).get("score"),
                        "risk_class_today": now.get(pid, {}).get("risk_class"),
                    }
                )
                for pid, result in then.items()
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


class CreditScoreBacktestLine(models.TransientModel):
    _name = "credit.score.backtest.line"
    _description = "Risk Score Backtest Line"
    _order = "score, id"

    backtest_id = fields.Many2one(
        "credit.score.backtest", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    score = fields.Float("Score Then", digits=(5, 1), readonly=True)
    risk_class = fields.Selection(RISK_CLASSES, "Class Then", readonly=True)
    score_today = fields.Float(digits=(5, 1), readonly=True)
    risk_class_today = fields.Selection(RISK_CLASSES, "Class Today", readonly=True)
