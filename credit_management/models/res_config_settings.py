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

    # risk scores: method, factor weights and class thresholds
    credit_score_method = fields.Selection(
        related="company_id.credit_score_method", readonly=False, required=True
    )
    credit_score_weight_days_late = fields.Float(
        related="company_id.credit_score_weight_days_late", readonly=False
    )
    credit_score_weight_late_share = fields.Float(
        related="company_id.credit_score_weight_late_share", readonly=False
    )
    credit_score_weight_overdue_ratio = fields.Float(
        related="company_id.credit_score_weight_overdue_ratio", readonly=False
    )
    credit_score_weight_overdue_age = fields.Float(
        related="company_id.credit_score_weight_overdue_age", readonly=False
    )
    credit_score_weight_utilisation = fields.Float(
        related="company_id.credit_score_weight_utilisation", readonly=False
    )
    credit_score_weight_relationship_age = fields.Float(
        related="company_id.credit_score_weight_relationship_age", readonly=False
    )
    credit_score_weight_returned_payments = fields.Float(
        related="company_id.credit_score_weight_returned_payments", readonly=False
    )
    credit_score_weight_dunning_level = fields.Float(
        related="company_id.credit_score_weight_dunning_level", readonly=False
    )
    credit_score_weight_open_disputes = fields.Float(
        related="company_id.credit_score_weight_open_disputes", readonly=False
    )
    credit_score_weight_broken_promises = fields.Float(
        related="company_id.credit_score_weight_broken_promises", readonly=False
    )
    credit_score_class_a = fields.Float(
        related="company_id.credit_score_class_a", readonly=False
    )
    credit_score_class_b = fields.Float(
        related="company_id.credit_score_class_b", readonly=False
    )
    credit_score_class_c = fields.Float(
        related="company_id.credit_score_class_c", readonly=False
    )
    credit_score_class_d = fields.Float(
        related="company_id.credit_score_class_d", readonly=False
    )
    credit_limit_second_approval_amount = fields.Monetary(
        related="company_id.credit_limit_second_approval_amount", readonly=False
    )
    credit_procedure = fields.Html(
        related="company_id.credit_procedure", readonly=False
    )

    def action_credit_print_procedure(self):
        return self.env.ref(
            "credit_management.action_report_credit_procedure"
        ).report_action(self.company_id)

    credit_dispute_exclude_dunning = fields.Boolean(
        related="company_id.credit_dispute_exclude_dunning", readonly=False
    )
    credit_dispute_exclude_overdue = fields.Boolean(
        related="company_id.credit_dispute_exclude_overdue", readonly=False
    )
    credit_dispute_require_acceptance = fields.Boolean(
        related="company_id.credit_dispute_require_acceptance", readonly=False
    )
    credit_dunning_bank_max_age = fields.Integer(
        related="company_id.credit_dunning_bank_max_age", readonly=False
    )
