# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from ..models.credit_score import RISK_CLASSES


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
    invoice_count = fields.Integer("Invoices After", readonly=True)
    late_count = fields.Integer("Paid Late", readonly=True)
    score_today = fields.Float(digits=(5, 1), readonly=True)
    risk_class_today = fields.Selection(RISK_CLASSES, "Class Today", readonly=True)
