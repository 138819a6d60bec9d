# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditOverdueReportLine(models.TransientModel):
    _name = "credit.overdue.report.line"
    _description = "Monthly Overdue Report Line"
    _order = "overdue desc, id"
    _rec_name = "partner_id"

    wizard_id = fields.Many2one(
        "credit.overdue.report", required=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    overdue = fields.Monetary("Overdue at Month End", readonly=True)
    overdue_previous = fields.Monetary("Overdue Month Before", readonly=True)
    overdue_change = fields.Monetary("Change", readonly=True)
    receivable = fields.Monetary("Receivable at Month End", readonly=True)
    dunning_level_id = fields.Many2one(
        "credit.dunning.level",
        "Highest Dunning Level",
        readonly=True,
        help="Highest level of the reminders sent to the customer up to the month end.",
    )
    dispute_count = fields.Integer("Open Disputes", readonly=True)
    dispute_amount = fields.Monetary("Disputed Amount", readonly=True)
    promise_count = fields.Integer("Pending Promises", readonly=True)
    promise_amount = fields.Monetary("Promised Amount", readonly=True)
    promise_date = fields.Date(
        "Next Promised Date",
        readonly=True,
        help="Earliest promised date of the promises pending at the month end.",
    )
