# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..models.credit_validation import check_amounts, check_text_size


class ResPartnerCreditLimitTemporary(models.TransientModel):
    _name = "res.partner.credit.limit.temporary"
    _description = "Grant a Temporary Credit Limit"

    partner_id = fields.Many2one("res.partner", required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    current_limit = fields.Monetary(compute="_compute_current_limit")
    amount = fields.Monetary("Temporary Limit", required=True)
    date_end = fields.Date("Until", required=True)
    reason = fields.Text(required=True)

    @api.depends("partner_id", "company_id")
    def _compute_current_limit(self):
        for wizard in self:
            wizard.current_limit = (
                wizard.partner_id.sudo().with_company(wizard.company_id).credit_limit
            )

    @api.constrains("amount", "date_end", "reason")
    def _check_values(self):
        def name(wizard):
            return wizard.partner_id.display_name

        check_amounts(self, ["amount"], name=name)
        check_text_size(self, ["reason"], name=name)
        today = fields.Date.context_today(self)
        for wizard in self:
            if wizard.amount <= 0:
                raise ValidationError(self.env._("A temporary limit must be positive."))
            if wizard.date_end < today:
                raise ValidationError(
                    self.env._("The temporary limit must end today or later.")
                )

    def action_grant(self):
        self.ensure_one()
        if not self.env.user.has_group("credit_management.group_credit_manager"):
            raise UserError(self.env._("Only credit managers can grant credit limits."))
        partner = self.partner_id.commercial_partner_id.with_company(self.company_id)
        partner.with_context(credit_logged=True).write(
            {
                "credit_limit_temporary": self.amount,
                "credit_limit_temporary_expiry": self.date_end,
            }
        )
        partner.message_post(
            body=self.env._(
                "Temporary credit limit of %(amount)s in %(company)s until "
                "%(date)s granted "
                "by %(user)s: %(reason)s",
                amount=format_amount(self.env, self.amount, self.currency_id),
                company=self.company_id.name,
                date=format_date(self.env, self.date_end),
                user=self.env.user.name,
                reason=self.reason,
            )
        )
        return {"type": "ir.actions.act_window_close"}
