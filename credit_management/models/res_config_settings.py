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
    credit_dunning_bank_max_age = fields.Integer(
        related="company_id.credit_dunning_bank_max_age", readonly=False
    )
