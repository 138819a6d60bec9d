# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditLimitHistory(models.Model):
    """Every change of a customer's credit limit in a company: when, by whom, from
    what to what, and the approved request behind it if any."""

    _name = "credit.limit.history"
    _description = "Credit Limit History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", "Changed By", readonly=True, default=lambda self: self.env.user
    )
    old_limit = fields.Monetary("Previous Limit", readonly=True)
    new_limit = fields.Monetary(readonly=True)
    request_id = fields.Many2one(
        "credit.limit.request", readonly=True, ondelete="set null"
    )
