# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditDsoAnalysisLine(models.TransientModel):
    """KPIs of one group for one month. Ratios are not additive: the pivot shows them
    averaged over groups; the figure of the whole company is the *Company* dimension."""

    _name = "credit.dso.analysis.line"
    _description = "DSO Analysis Line"
    _order = "name, month"

    wizard_id = fields.Many2one(
        "credit.dso.analysis", required=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    name = fields.Char("Group", readonly=True)
    month = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    segment_id = fields.Many2one("credit.segment", "Credit Segment", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    receivable = fields.Monetary(readonly=True)
    overdue = fields.Monetary(readonly=True)
    not_due = fields.Monetary(readonly=True)
    sales = fields.Monetary(readonly=True)
    dso_countback = fields.Float(
        "DSO (Countback)",
        readonly=True,
        aggregator="avg",
        help="Days of the latest sales that the receivable at the end of the month "
        "represents, counted back month by month.",
    )
    dso_standard = fields.Float(
        "DSO (Standard, 3 Months)",
        readonly=True,
        aggregator="avg",
        help="Receivable at the end of the month / sales of the last three months "
        "× their days.",
    )
    dso_best = fields.Float(
        "Best Possible DSO",
        readonly=True,
        aggregator="avg",
        help="Receivable not yet due / sales of the last three months × their days: "
        "the DSO if every customer paid on its due date.",
    )
    dso_contractual = fields.Float(
        "Contractual DSO",
        readonly=True,
        aggregator="avg",
        help="Payment terms of the invoices of the last three months, weighted by "
        "their amounts.",
    )
    days_beyond_terms = fields.Float(
        readonly=True, aggregator="avg", help="Standard DSO - best possible DSO."
    )
    cei = fields.Float(
        "CEI (%)",
        readonly=True,
        aggregator="avg",
        help="Collection effectiveness index: collected / (receivable at start + "
        "sales - receivable not due at the end).",
    )
    overdue_share = fields.Float(
        "Overdue Share (%)",
        readonly=True,
        aggregator="avg",
        help="Overdue / receivable at the end of the month.",
    )
