# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


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
