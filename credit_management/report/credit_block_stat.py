# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models, tools
from odoo.tools import SQL


class CreditBlockStat(models.Model):
    """Blocked-order statistics: one row per refused confirmation (the block log
    has one row per reason of a refusal), with its reasons, the order amount and
    whether the order was released afterwards."""

    _name = "credit.block.stat"
    _description = "Blocked-Order Statistics"
    _auto = False
    _order = "date desc"
    _rec_name = "order_name"
    _depends = {
        "credit.block.log": [
            "date", "order_id", "order_name", "partner_id", "salesperson_id",
            "company_id", "reason", "amount", "released",
        ],
        "res.company": ["currency_id"],
    }  # fmt: skip

    date = fields.Datetime(readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    order_name = fields.Char("Order Reference", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    salesperson_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    reasons = fields.Char(readonly=True)
    reason_count = fields.Integer("Number of Reasons", readonly=True)
    amount = fields.Monetary("Order Amount", readonly=True)
    released = fields.Boolean(readonly=True)
    release_count = fields.Integer("Releases", readonly=True)
    released_amount = fields.Monetary(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
            CREATE VIEW %s AS (
                SELECT MIN(log.id) AS id, log.date, MAX(log.order_id) AS order_id,
                       log.order_name, log.partner_id,
                       MAX(log.salesperson_id) AS salesperson_id, log.company_id,
                       MAX(c.currency_id) AS currency_id,
                       STRING_AGG(log.reason, ', ' ORDER BY log.reason) AS reasons,
                       COUNT(*) AS reason_count, MAX(log.amount) AS amount,
                       BOOL_OR(log.released) AS released,
                       CASE WHEN BOOL_OR(log.released) THEN 1 ELSE 0 END
                           AS release_count,
                       CASE WHEN BOOL_OR(log.released) THEN MAX(log.amount) ELSE 0 END
                           AS released_amount
                  FROM credit_block_log log
                  JOIN res_company c ON c.id = log.company_id
                 GROUP BY log.date, log.order_name, log.partner_id, log.company_id
            )""",
                SQL.identifier(self._table),
            )
        )
