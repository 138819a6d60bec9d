# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditAgedBalanceLine(models.TransientModel):
    _name = "credit.aged.balance.line"
    _description = "Aged Balance Line"
    _order = "total desc, id"
    _rec_name = "partner_id"

    wizard_id = fields.Many2one(
        "credit.aged.balance", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="wizard_id.company_id")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    not_due = fields.Monetary(readonly=True)
    days_1_30 = fields.Monetary("1-30", readonly=True)
    days_31_60 = fields.Monetary("31-60", readonly=True)
    days_61_90 = fields.Monetary("61-90", readonly=True)
    days_91_120 = fields.Monetary("91-120", readonly=True)
    days_over_120 = fields.Monetary("Over 120", readonly=True)
    total = fields.Monetary(readonly=True)
