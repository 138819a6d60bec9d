# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    credit_block_enabled = fields.Boolean(
        related="company_id.credit_block_enabled", readonly=False
    )
    credit_require_limit = fields.Boolean(
        related="company_id.credit_require_limit", readonly=False
    )
    credit_include_draft_invoices = fields.Boolean(
        related="company_id.credit_include_draft_invoices", readonly=False
    )
    credit_limit_tolerance = fields.Float(
        related="company_id.credit_limit_tolerance", readonly=False
    )
    credit_overdue_tolerance = fields.Monetary(
        related="company_id.credit_overdue_tolerance", readonly=False
    )
    credit_overdue_grace_days = fields.Integer(
        related="company_id.credit_overdue_grace_days", readonly=False
    )
    credit_group_exposure = fields.Boolean(
        related="company_id.credit_group_exposure", readonly=False
    )

    def set_values(self):
        # draft invoices in or out of the exposure: every row of the company changes
        old = {c: c.credit_include_draft_invoices for c in self.company_id}
        res = super().set_values()
        changed = self.company_id.filtered(
            lambda c: old[c] != c.credit_include_draft_invoices
        )
        if changed:
            self.env["credit.exposure"].sudo()._refresh(companies=changed)
        return res
