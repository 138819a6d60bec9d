# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from ..models.credit_validation import check_text_size


class SaleOrderCreditRelease(models.TransientModel):
    _name = "sale.order.credit.release"
    _description = "Release an Order Blocked for Credit"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    amount_total = fields.Monetary(related="order_id.amount_total")
    credit_check_message = fields.Text(related="order_id.credit_check_message")
    reason = fields.Text(required=True)

    @api.constrains("reason")
    def _check_reason(self):
        check_text_size(self, ["reason"], name=lambda w: w.order_id.display_name)

    def action_release(self):
        self.ensure_one()
        self.order_id._credit_release(self.reason)
        return {"type": "ir.actions.act_window_close"}

    def action_release_and_confirm(self):
        self.ensure_one()
        self.order_id._credit_release(self.reason)
        self.order_id.action_confirm()
        return {"type": "ir.actions.act_window_close"}
