# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditCashForecastLine(models.TransientModel):
    _name = "credit.cash.forecast.line"
    _description = "Cash-in Forecast Line"
    _order = "week_start, expected desc, id"
    _rec_name = "partner_id"

    wizard_id = fields.Many2one(
        "credit.cash.forecast", required=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    week_start = fields.Date("Week", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    expected = fields.Monetary(readonly=True)
    collected = fields.Monetary(
        readonly=True, help="Really collected on these items (a start in the past)."
    )
