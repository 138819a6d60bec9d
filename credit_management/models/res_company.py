# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_block_enabled = fields.Boolean(
        "Block Orders on Credit",
        default=True,
        help="Refuse the confirmation of sale orders that break the credit rules.",
    )
    credit_require_limit = fields.Boolean(
        "Require a Credit Line",
        help="A customer without a credit limit cannot have orders confirmed.",
    )
    credit_include_draft_invoices = fields.Boolean(
        "Count Draft Invoices",
        default=True,
        help="Draft customer invoices count in the exposure.",
    )
    credit_limit_tolerance = fields.Float(
        "Limit Tolerance (%)",
        help="Orders pass while exposure + order <= limit x (1 + tolerance).",
    )
    credit_overdue_tolerance = fields.Monetary(
        "Overdue Tolerance",
        currency_field="currency_id",
        help="Overdue amount tolerated before orders are blocked.",
    )
    credit_overdue_grace_days = fields.Integer(
        "Overdue Grace Days",
        help="Items overdue by this many days or fewer do not block orders.",
    )
    credit_group_exposure = fields.Boolean(
        "Group Exposure",
        help="The limit set in this company covers the customer's exposure in every "
        "company of the database.",
    )
    credit_dunning_bank_max_age = fields.Integer(
        "Bank Statements Max Age (days)",
        default=3,
        help="The scheduled dunning run sends nothing (and tells the controllers) when "
        "the last entry of a bank journal is older than this.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "credit_include_draft_invoices" in vals:
            # draft invoices in or out of the exposure: every row of the company changes
            self.env["credit.exposure"].sudo()._refresh(companies=self)
        return res
