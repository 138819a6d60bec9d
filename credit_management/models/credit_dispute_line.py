# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare

from .credit_dispute import OPEN_STATES


class CreditDisputeLine(models.Model):
    """One disputed invoice of a dispute and the amount disputed on it (the whole
    invoice or a part), in company currency.

    The owner edits the lines until a credit controller accepts the dispute; then
    only controllers add, change or move them. Only controllers delete lines
    (access rights)."""

    _name = "credit.dispute.line"
    _description = "Disputed Invoice"
    _order = "dispute_id, id"
    _check_company_auto = True

    dispute_id = fields.Many2one(
        "credit.dispute", required=True, index=True, ondelete="cascade"
    )
    move_id = fields.Many2one(
        "account.move",
        "Invoice",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted')]",
    )
    company_id = fields.Many2one(
        related="dispute_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        related="dispute_id.partner_id", store=True, index=True
    )
    state = fields.Selection(related="dispute_id.state", store=True)
    amount = fields.Monetary("Disputed Amount", required=True)
    # The invoice's figures are read from it, not related to it: see
    # ``account.move._credit_invoice_figures_changed``.
    move_amount_total = fields.Monetary(
        "Invoice Total", compute="_compute_move_figures", compute_sudo=True
    )
    move_amount_residual = fields.Monetary(
        "Amount Due", compute="_compute_move_figures", compute_sudo=True
    )
    move_date_due = fields.Date(
        "Due Date", compute="_compute_move_figures", compute_sudo=True
    )

    _amount_positive = models.Constraint(
        "CHECK(amount > 0)", "The disputed amount must be positive."
    )
    _dispute_move_uniq = models.UniqueIndex(
        "(dispute_id, move_id)", "An invoice appears once in a dispute."
    )

    @api.depends("move_id")
    def _compute_move_figures(self):
        for line in self:
            line.move_amount_total = line.move_id.amount_total_signed
            line.move_amount_residual = line.move_id.amount_residual_signed
            line.move_date_due = line.move_id.invoice_date_due

    @api.onchange("move_id")
    def _onchange_move_id(self):
        if self.move_id and not self.amount:
            self.amount = self.move_id.amount_residual_signed

    @api.constrains("move_id", "amount")
    def _check_move(self):
        for line in self:
            move = line.move_id
            if move.move_type != "out_invoice" or move.state != "posted":
                raise ValidationError(
                    self.env._(
                        "%(move)s is not a posted customer invoice: only those can be "
                        "disputed.",
                        move=move.display_name,
                    )
                )
            if (
                float_compare(
                    line.amount,
                    move.amount_total_signed,
                    precision_rounding=line.currency_id.rounding,
                )
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The disputed amount of %(move)s cannot exceed its total.",
                        move=move.display_name,
                    )
                )
        self._check_single_open_dispute()

    def _check_single_open_dispute(self):
        """An invoice is in one open dispute at most (one query)."""
        moves = self.filtered(lambda line: line.state in OPEN_STATES).move_id
        if not moves:
            return
        groups = self.sudo()._read_group(
            [("move_id", "in", moves.ids), ("state", "in", OPEN_STATES)],
            groupby=["move_id"],
            aggregates=["dispute_id:count_distinct"],
            having=[("dispute_id:count_distinct", ">", 1)],
        )
        if groups:
            raise ValidationError(
                self.env._(
                    "%(moves)s already in an open dispute.",
                    moves=", ".join(move.display_name for move, __ in groups),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self.env["credit.dispute"].browse(
            {vals["dispute_id"] for vals in vals_list if vals.get("dispute_id")}
        )._credit_check_not_accepted()
        lines = super().create(vals_list)
        lines.dispute_id._refresh_exposure()
        return lines

    def write(self, vals):
        disputes = self.env["credit.dispute"]
        if not disputes._credit_is_controller():
            # the dispute's own figures, stored here for searches
            if vals.keys() & {"state", "company_id", "partner_id"}:
                raise AccessError(
                    self.env._(
                        "The state, company and customer of a disputed invoice are "
                        "those of its dispute."
                    )
                )
            if vals.keys() & {"amount", "move_id", "dispute_id"}:
                (
                    self.dispute_id | disputes.browse(vals.get("dispute_id") or [])
                )._credit_check_not_accepted()
        res = super().write(vals)
        if vals.keys() & {"amount", "move_id"}:
            self.dispute_id._refresh_exposure()
        return res

    def unlink(self):
        disputes = self.dispute_id
        res = super().unlink()
        disputes.exists()._refresh_exposure()
        return res
