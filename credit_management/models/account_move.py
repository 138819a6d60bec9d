# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # dunning: the last level sent and when (written in bulk by the dunning run)
    credit_dunning_level_id = fields.Many2one(
        "credit.dunning.level",
        "Dunning Level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="credit_management.group_credit_user",
    )
    credit_dunning_date = fields.Date(
        "Last Reminder",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="credit_management.group_credit_user",
    )
    credit_dunning_item_ids = fields.One2many(
        "credit.dunning.item",
        "move_id",
        "Reminders",
        groups="credit_management.group_credit_controller",
    )

    def _credit_refresh_exposure(self):
        """Refresh the exposure of the customers of these moves (customer invoices and
        any move with a receivable line, such as payments)."""
        moves = self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
            or any(line.account_type == "asset_receivable" for line in m.line_ids)
        )
        if moves:
            partners = (
                moves.commercial_partner_id
                | moves.line_ids.filtered(
                    lambda line: line.account_type == "asset_receivable"
                ).partner_id
            )
            self.env["credit.exposure"].sudo()._refresh(partners, moves.company_id)

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        moves.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        )._credit_refresh_exposure()
        return moves

    def write(self, vals):
        # drafts change amounts and partner; posted moves change state elsewhere
        before = self.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
        partners_before = before.commercial_partner_id
        res = super().write(vals)
        if before and vals.keys() & {
            "invoice_line_ids",
            "line_ids",
            "partner_id",
            "currency_id",
            "invoice_date",
        }:
            before._credit_refresh_exposure()
            moved = partners_before - before.commercial_partner_id
            if moved:
                self.env["credit.exposure"].sudo()._refresh(moved, before.company_id)
        return res

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._credit_refresh_exposure()
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._credit_refresh_exposure()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self._credit_refresh_exposure()
        return res

    def unlink(self):
        partners = self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        ).commercial_partner_id
        companies = self.company_id
        res = super().unlink()
        if partners:
            self.env["credit.exposure"].sudo()._refresh(partners, companies)
        return res
