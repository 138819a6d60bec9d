# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from ..models.credit_score import RISK_CLASSES


class CreditScoreBacktestClass(models.TransientModel):
    """One class of a backtest: how many of the invoices issued after the date
    to the customers of that class (then) were paid late."""

    _name = "credit.score.backtest.class"
    _description = "Risk Score Backtest Class"
    _order = "risk_class"

    backtest_id = fields.Many2one(
        "credit.score.backtest", required=True, ondelete="cascade"
    )
    risk_class = fields.Selection(RISK_CLASSES, "Class Then", readonly=True)
    customer_count = fields.Integer("Customers", readonly=True)
    invoice_count = fields.Integer("Invoices After", readonly=True)
    late_count = fields.Integer("Paid Late", readonly=True)
    late_share = fields.Float(readonly=True)
