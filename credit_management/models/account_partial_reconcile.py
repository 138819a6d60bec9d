# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def _credit_receivable_lines(self):
        return (self.debit_move_id | self.credit_move_id).filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        self.env["account.move"]._credit_invoice_figures_changed()
        lines = partials._credit_receivable_lines()
        if lines:
            self.env["credit.exposure"].sudo()._refresh_later(
                lines.partner_id, lines.company_id
            )
            # a payment may keep a promise to pay: decided at once
            self.env["credit.promise"].sudo()._credit_update_partners(lines.partner_id)
        return partials

    def unlink(self):
        lines = self._credit_receivable_lines()
        res = super().unlink()
        self.env["account.move"]._credit_invoice_figures_changed()
        lines = lines.exists()
        if lines:
            self.env["credit.exposure"].sudo()._refresh_later(
                lines.partner_id, lines.company_id
            )
        return res
