# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError


class CreditDisputeReply(models.TransientModel):
    """A controller logs the customer's reply (a call, a letter, an answer to a
    reminder) disputing invoices: the dispute goes to the salesperson, who is told
    what the customer said."""

    _name = "credit.dispute.reply"
    _description = "Log a Customer's Dispute"

    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    )
    author_id = fields.Many2one(
        "res.partner", "Customer Contact", help="Who replied for the customer."
    )
    reason_id = fields.Many2one("credit.dispute.reason", "Reason", required=True)
    comment = fields.Text("Customer's Reply", required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move":
            moves = self.env["account.move"].browse(
                self.env.context.get("active_ids", [])
            )
            values["move_ids"] = [Command.set(moves.ids)]
            values["author_id"] = moves[:1].partner_id.id
        return values

    def action_confirm(self):
        self.ensure_one()
        moves = self.move_ids
        if len(moves.commercial_partner_id) != 1 or len(moves.company_id) != 1:
            raise UserError(
                self.env._("A dispute covers invoices of one customer in one company.")
            )
        dispute = self.env["credit.dispute"].create(
            {
                "partner_id": moves.commercial_partner_id.id,
                "company_id": moves.company_id.id,
                "reason_id": self.reason_id.id,
                "source": "customer_reply",
                "description": self.comment,
                "line_ids": [
                    Command.create(
                        {"move_id": move.id, "amount": move.amount_residual_signed}
                    )
                    for move in moves
                ],
            }
        )
        dispute._credit_notify_owner(
            self.author_id or moves.commercial_partner_id, self.comment
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.dispute",
            "res_id": dispute.id,
            "view_mode": "form",
        }
