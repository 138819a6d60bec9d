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
    credit_dispute_exclude_dunning = fields.Boolean(
        "No Dunning of Disputed Invoices",
        default=True,
        help="Invoices in an open dispute are left out of dunning.",
    )
    credit_dispute_exclude_overdue = fields.Boolean(
        "Disputed Amounts Do Not Block",
        default=True,
        help="The disputed amount of open disputes is left out of the overdue test "
        "of the order block.",
    )

    def write(self, vals):
        res = super().write(vals)
        if vals.keys() & {
            "credit_include_draft_invoices",
            "credit_dispute_exclude_overdue",
        }:
            # draft invoices in or out of the exposure: every row of the company changes
            self.env["credit.exposure"].sudo()._refresh(companies=self)
        return res
