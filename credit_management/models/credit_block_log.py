# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

import psycopg2

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

REASONS = [
    ("hold", "Credit Hold"),
    ("no_limit", "No Credit Line"),
    ("limit", "Over Limit"),
    ("overdue", "Overdue"),
    ("release_lapsed", "Release Lapsed"),
]


class CreditBlockLog(models.Model):
    """One row per reason of every refused confirmation, kept even though the
    confirmation itself is rolled back: the blocked-order statistics."""

    _name = "credit.block.log"
    _description = "Blocked Order"
    _order = "date desc, id desc"
    _rec_name = "order_name"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    order_id = fields.Many2one(
        "sale.order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    order_name = fields.Char("Order Reference", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one("res.users", "Refused To", readonly=True)
    salesperson_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    reason = fields.Selection(REASONS, required=True, readonly=True)
    message = fields.Text(readonly=True)
    amount = fields.Monetary("Order Amount", readonly=True)
    exposure = fields.Monetary(readonly=True)
    credit_limit = fields.Monetary(readonly=True)
    overdue_amount = fields.Monetary(readonly=True)
    released = fields.Boolean(readonly=True)
    release_user_id = fields.Many2one("res.users", "Released By", readonly=True)

    @api.model
    def _log_refusals(self, refusals, own_transaction=True):
        """Record refusals; with ``own_transaction``, in a transaction of their own so
        that they survive the rollback of the refused confirmation (an unattended
        refusal is not rolled back: it is logged in the current transaction).

        The order may not be committed yet (created and confirmed in one call): the
        row then keeps the order's name without the link. A short lock timeout keeps
        this side transaction from ever waiting on the main one.
        """
        vals_list = []
        for order, reasons in refusals.items():
            company = order.company_id
            rows = (
                self.env["credit.exposure"]
                .sudo()
                .search(
                    [
                        ("partner_id", "=", order.credit_partner_id.id),
                        ("company_id", "=", company.id),
                    ],
                    limit=1,
                )
            )
            for code, message in reasons:
                vals_list.append(
                    {
                        "order_id": order.id,
                        "order_name": order.name,
                        "partner_id": order.credit_partner_id.id,
                        "company_id": company.id,
                        "user_id": self.env.uid,
                        "salesperson_id": order.user_id.id,
                        "reason": code,
                        "message": message,
                        "amount": order._credit_amount(),
                        "exposure": rows.exposure_total,
                        "credit_limit": rows.credit_limit,
                        "overdue_amount": rows.overdue_amount,
                    }
                )
        if not own_transaction:
            self.sudo().create(vals_list)
            return True
        for attempt in ("with_order", "without_order"):
            try:
                with self.env.registry.cursor() as cr:
                    cr.execute("SET LOCAL lock_timeout = '2s'")
                    env = self.env(cr=cr, su=True)
                    if attempt == "without_order":
                        for vals in vals_list:
                            vals["order_id"] = False
                    env[self._name].create(vals_list)
                return True
            except psycopg2.Error as error:
                _logger.info("Credit block log %s failed: %s", attempt, error)
        return False
