# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models, tools
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

    # ------------------------------------------------------------------ export
    def action_export_xlsx(self):
        """XLSX of the selected refusals (all when none is selected): the refusals,
        and the statistics by salesperson and month."""
        refusals = self or self.search([])
        content = self.env["credit.report.xlsx"]._render(self._xlsx_sheets(refusals))
        attachment = self.env["ir.attachment"].create(
            {
                "name": "blocked_orders.xlsx",
                "raw": content,
                "mimetype": "application/vnd.openxmlformats-officedocument"
                ".spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": f"/web/content/{attachment.id}?download=true",
        }

    @api.model
    def _xlsx_sheets(self, refusals):
        labels = {
            name: field._description_string(self.env)
            for name, field in self._fields.items()
        }
        title = self.env._("Blocked-order statistics")
        groups = self._read_group(
            [("id", "in", refusals.ids)],
            groupby=["salesperson_id", "date:month"],
            aggregates=[
                "__count", "amount:sum", "release_count:sum", "released_amount:sum"
            ],
            order="salesperson_id, date:month",
        )  # fmt: skip
        return [
            {
                "name": self.env._("By Salesperson and Month"),
                "title": title,
                "columns": [
                    (labels["salesperson_id"], "text"),
                    (self.env._("Month"), "date"),
                    (self.env._("Refusals"), "integer"),
                    (labels["amount"], "amount"),
                    (labels["release_count"], "integer"),
                    (labels["released_amount"], "amount"),
                ],
                "rows": [
                    [user.name or False, month, count, amount, releases, released]
                    for user, month, count, amount, releases, released in groups
                ],
                "totals": True,
                "total_label": self.env._("Total"),
            },
            {
                "name": self.env._("Refusals"),
                "title": title,
                "columns": [
                    (labels["date"], "date"),
                    (labels["order_name"], "text"),
                    (labels["partner_id"], "text"),
                    (labels["salesperson_id"], "text"),
                    (labels["reasons"], "text"),
                    (labels["amount"], "amount"),
                    (labels["released"], "text"),
                ],
                "rows": [
                    [
                        refusal.date,
                        refusal.order_name,
                        refusal.partner_id.display_name,
                        refusal.salesperson_id.name or False,
                        refusal.reasons,
                        refusal.amount,
                        self.env._("Yes") if refusal.released else False,
                    ]
                    for refusal in refusals
                ],
                "totals": True,
                "total_label": self.env._("Total"),
            },
        ]
