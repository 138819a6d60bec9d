# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..report.receivables import replace_lines

AMOUNTS = ["amount_reminded", "amount_collected"]


class CreditDunningEffectiveness(models.TransientModel):
    """Dunning effectiveness: per dunning level and month of sending, the amount
    reminded and the amount collected within ``days`` days after the reminder.

    Reminded: residual of each invoice when its reminder was sent
    (``credit.dunning.item`` of sent lines). Collected: reconciliations
    (``account_partial_reconcile.amount``) of the invoice's receivable items dated
    (``max_date``) from the reminder date to ``days`` days after it, at most the
    amount reminded per invoice."""

    _name = "credit.dunning.effectiveness"
    _description = "Dunning Effectiveness"
    _inherit = "credit.report.mixin"
    _report_line_model = "credit.dunning.effectiveness.line"

    date_from = fields.Date(
        "Reminders From",
        required=True,
        default=lambda self: fields.Date.context_today(self)
        - relativedelta(months=11, day=1),
    )
    date_to = fields.Date(
        "Reminders To",
        required=True,
        default=lambda self: fields.Date.context_today(self),
    )
    days = fields.Integer(
        "Days After Reminder",
        required=True,
        default=15,
        help="A payment counts as collected when it is matched with the reminded "
        "invoice within this many days after the reminder.",
    )
    line_ids = fields.One2many(
        "credit.dunning.effectiveness.line", "wizard_id", "Lines", readonly=True
    )

    # ------------------------------------------------------------------ report
    def _report_name(self):
        return self.env._("Dunning Effectiveness")

    def _xlsx_filename(self):
        return f"dunning_effectiveness_{self.date_to}.xlsx"

    # ------------------------------------------------------------------ business
    def _check_input(self):
        self._check_company_access()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The start date must be before the end date."))
        if not 1 <= self.days <= 365:
            raise UserError(
                self.env._("The days after the reminder must be between 1 and 365.")
            )

    def _compute_lines(self):
        """One line per level and month of sending, in one query."""
        self.ensure_one()
        self._check_input()
        self.env["credit.dunning.item"].flush_model()
        self.env["credit.dunning.line"].flush_model(["company_id"])
        rows = self.env.execute_query(
            SQL(
                """
            WITH items AS (
                SELECT i.id, i.level_id, i.level_sequence, i.move_id, i.date,
                       i.amount_residual
                  FROM credit_dunning_item i
                  JOIN credit_dunning_line l ON l.id = i.line_id
                 WHERE l.company_id = %(company)s AND i.state = 'done'
                   AND i.date BETWEEN %(date_from)s AND %(date_to)s),
            collected AS (
                SELECT items.id, SUM(apr.amount) AS amount
                  FROM items
                  JOIN account_move_line aml ON aml.move_id = items.move_id
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE acc.account_type = 'asset_receivable'
                   AND apr.max_date BETWEEN items.date
                                        AND items.date + %(days)s
                 GROUP BY items.id)
            SELECT items.level_id, MIN(items.level_sequence),
                   date_trunc('month', items.date)::date,
                   COUNT(DISTINCT items.move_id), SUM(items.amount_residual),
                   SUM(LEAST(COALESCE(collected.amount, 0), items.amount_residual))
              FROM items
              LEFT JOIN collected ON collected.id = items.id
             GROUP BY items.level_id, 3
                """,
                company=self.company_id.id,
                date_from=self.date_from,
                date_to=self.date_to,
                days=self.days,
            )
        )
        vals_list = [
            {
                "wizard_id": self.id,
                "level_id": level_id,
                "level_sequence": sequence,
                "month": month,
                "invoice_count": count,
                "amount_reminded": reminded,
                "amount_collected": collected,
                "collection_rate": collected / reminded * 100 if reminded else 0.0,
            }
            for level_id, sequence, month, count, reminded, collected in rows
        ]
        replace_lines(self, self.env["credit.dunning.effectiveness.line"], vals_list)

    def _xlsx_sheets(self):
        line_fields = self.env["credit.dunning.effectiveness.line"]._fields

        def label(name):
            return line_fields[name]._description_string(self.env)

        title = self.env._(
            "Dunning effectiveness of %(company)s, %(date_from)s to %(date_to)s, "
            "collected within %(days)s days",
            company=self.company_id.name,
            date_from=self.date_from,
            date_to=self.date_to,
            days=self.days,
        )
        lines = self.line_ids.sorted(lambda line: (line.month, line.level_sequence))
        levels = {}
        for line in lines:
            totals = levels.setdefault(
                line.level_id, {"count": 0, "reminded": 0.0, "collected": 0.0}
            )
            totals["count"] += line.invoice_count
            totals["reminded"] += line.amount_reminded
            totals["collected"] += line.amount_collected
        level_rows = [
            [
                level.display_name,
                totals["count"],
                totals["reminded"],
                totals["collected"],
                totals["collected"] / totals["reminded"] * 100
                if totals["reminded"]
                else 0.0,
            ]
            for level, totals in sorted(
                levels.items(), key=lambda item: (item[0].sequence, item[0].id)
            )
        ]
        columns = [
            (label("invoice_count"), "integer"),
            (label("amount_reminded"), "amount"),
            (label("amount_collected"), "amount"),
            (label("collection_rate"), "percent"),
        ]
        return [
            {
                "name": self.env._("Levels"),
                "title": title,
                "columns": [(label("level_id"), "text")] + columns,
                "rows": level_rows,
                "totals": True,
                "total_label": self.env._("Total"),
            },
            {
                "name": self.env._("Months"),
                "title": title,
                "columns": [
                    (label("month"), "date"),
                    (label("level_id"), "text"),
                ]
                + columns,
                "rows": [
                    [
                        line.month,
                        line.level_id.display_name,
                        line.invoice_count,
                        line.amount_reminded,
                        line.amount_collected,
                        line.collection_rate,
                    ]
                    for line in lines
                ],
                "totals": True,
                "total_label": self.env._("Total"),
            },
        ]
