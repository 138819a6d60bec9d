# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class CreditScoreBacktestFactor(models.TransientModel):
    """One factor of a backtest: the AUC it reaches alone, to compare with the
    score's."""

    _name = "credit.score.backtest.factor"
    _description = "Risk Score Backtest Factor"
    _order = "auc desc, id"

    backtest_id = fields.Many2one(
        "credit.score.backtest", required=True, ondelete="cascade"
    )
    name = fields.Char("Factor", readonly=True)
    auc = fields.Float("AUC Alone", digits=(3, 3), readonly=True)
    lead = fields.Float(
        "Score Ahead By",
        digits=(3, 3),
        compute="_compute_verdict",
        help="The score's AUC minus this factor's alone.",
    )
    lead_low = fields.Float(
        "Ahead By From",
        digits=(3, 3),
        readonly=True,
        help="90 % interval of the lead, from resampling the customers (the same "
        "resamples for the score and the factor).",
    )
    lead_high = fields.Float("Ahead By To", digits=(3, 3), readonly=True)
    verdict = fields.Selection(
        [
            ("better", "Score better"),
            ("even", "No clear difference"),
            ("worse", "Factor alone better"),
        ],
        compute="_compute_verdict",
        help="Score better: the whole interval is above zero; factor alone better: "
        "the whole interval is below zero; otherwise the difference is within what "
        "another set of customers could reverse.",
    )

    @api.depends("auc", "lead_low", "lead_high", "backtest_id.auc")
    def _compute_verdict(self):
        for line in self:
            line.lead = line.backtest_id.auc - line.auc
            line.verdict = (
                "better"
                if line.lead_low > 0
                else "worse"
                if line.lead_high < 0
                else "even"
            )
