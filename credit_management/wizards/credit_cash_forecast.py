# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..report.receivables import receivable_items_as_of, replace_lines

HISTORY_DAYS = 365


class CreditCashForecast(models.TransientModel):
    """Expected collections per week from the open items and each customer's own
    payment habit: an item is expected on its due date plus the customer's average
    delay (invoices paid in full during the year before the start, weighted by
    amount; the company's average for customers without history). Items expected
    before the start are expected in the first week. With a start in the past, each
    week also shows what was really collected on those items."""

    _name = "credit.cash.forecast"
    _description = "Cash-in Forecast"
    _inherit = "credit.report.mixin"
    _report_line_model = "credit.cash.forecast.line"
    _report_view_mode = "graph,pivot,list"

    date = fields.Date(
        "Start", required=True, default=lambda self: fields.Date.context_today(self)
    )
    weeks = fields.Integer(required=True, default=8)
    line_ids = fields.One2many(
        "credit.cash.forecast.line", "wizard_id", "Lines", readonly=True
    )

    # ------------------------------------------------------------------ report
    def _report_name(self):
        return self.env._("Cash-in Forecast")

    def _xlsx_filename(self):
        return f"cash_forecast_{self.date}.xlsx"

    # ------------------------------------------------------------------ business
    def _payment_delays(self):
        """{customer id: average days paid after the due date}, and the company's
        average under the key ``None``."""
        start = self.date
        rows = self.env.execute_query(
            SQL(
                """
            WITH paid AS (
                SELECT debit_move_id AS line_id, SUM(amount) AS amount,
                       MAX(max_date) AS paid_on
                  FROM account_partial_reconcile
                 WHERE max_date <= %(start)s AND company_id = %(company)s
                 GROUP BY 1)
            SELECT GROUPING(p.commercial_partner_id), p.commercial_partner_id,
                   SUM(aml.balance * (paid.paid_on
                                      - COALESCE(aml.date_maturity, aml.date)))
                   / SUM(aml.balance)
              FROM account_move_line aml
              JOIN paid ON paid.line_id = aml.id
              JOIN account_move m ON m.id = aml.move_id
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE acc.account_type = 'asset_receivable'
               AND m.move_type = 'out_invoice' AND aml.parent_state = 'posted'
               AND aml.company_id = %(company)s AND aml.balance > 0
               AND paid.amount >= aml.balance - 0.005
               AND paid.paid_on > %(since)s
             GROUP BY ROLLUP (p.commercial_partner_id)
                """,
                start=start,
                since=start - timedelta(days=HISTORY_DAYS),
                company=self.company_id.id,
            )
        )
        return {None if grouped else pid: float(days) for grouped, pid, days in rows}

    def _compute_lines(self):
        self.ensure_one()
        self._check_company_access()
        if not 1 <= self.weeks <= 26:
            raise UserError(self.env._("Forecast between 1 and 26 weeks."))
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        start, company_id = self.date, self.company_id.id
        end = start + timedelta(weeks=self.weeks)
        delays = self._payment_delays()
        default_delay = delays.get(None, 0.0)
        expected = defaultdict(float)  # (customer, week index) -> amount
        collected = defaultdict(float)
        items = self.env.execute_query(
            SQL(
                """
            WITH items AS (%(items)s)
            SELECT id, partner_id, date_due, residual FROM items WHERE residual > 0
                """,
                items=receivable_items_as_of(start, company_id),
            )
        )
        for __, partner_id, date_due, residual in items:
            delay = delays.get(partner_id, default_delay)
            when = date_due + timedelta(days=round(delay))
            week = max((when - start).days, 0) // 7
            if week < self.weeks:
                expected[partner_id, week] += float(residual)
        if items and start < fields.Date.context_today(self):
            for partner_id, paid_on, amount in self.env.execute_query(
                SQL(
                    """
                SELECT p.commercial_partner_id, apr.max_date, SUM(apr.amount)
                  FROM account_partial_reconcile apr
                  JOIN account_move_line aml ON aml.id = apr.debit_move_id
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN account_move_line pay ON pay.id = apr.credit_move_id
                  JOIN account_move pm ON pm.id = pay.move_id
                 WHERE apr.debit_move_id IN %(items)s
                   AND apr.max_date > %(start)s AND apr.max_date < %(end)s
                   AND pm.move_type = 'entry'
                 GROUP BY 1, 2
                    """,
                    items=tuple(row[0] for row in items),
                    start=start,
                    end=end,
                )
            ):
                week = (paid_on - start).days // 7
                collected[partner_id, week] += float(amount)
        partners = self.env["res.partner"].browse(
            {partner_id for partner_id, __ in expected.keys() | collected.keys()}
        )
        users = {partner.id: partner.user_id.id for partner in partners}
        vals_list = [
            {
                "wizard_id": self.id,
                "week_start": start + timedelta(weeks=week),
                "partner_id": partner_id,
                "user_id": users.get(partner_id),
                "expected": expected.get((partner_id, week), 0.0),
                "collected": collected.get((partner_id, week), 0.0),
            }
            for partner_id, week in expected.keys() | collected.keys()
        ]
        replace_lines(self, self.env["credit.cash.forecast.line"], vals_list)

    def _xlsx_sheets(self):
        weeks = defaultdict(lambda: [0.0, 0.0])
        for line in self.line_ids:
            weeks[line.week_start][0] += line.expected
            weeks[line.week_start][1] += line.collected
        title = self.env._(
            "Cash-in forecast of %(company)s from %(date)s",
            company=self.company_id.name,
            date=fields.Date.to_string(self.date),
        )
        line_fields = self.env["credit.cash.forecast.line"]._fields
        amounts = [
            (line_fields[name]._description_string(self.env), "amount")
            for name in ("expected", "collected")
        ]
        week_label = (line_fields["week_start"]._description_string(self.env), "date")
        return [
            {
                "name": self.env._("Weeks"),
                "title": title,
                "columns": [week_label] + amounts,
                "rows": [[week, *weeks[week]] for week in sorted(weeks)],
                "totals": True,
                "total_label": self.env._("Total"),
            },
            {
                "name": self.env._("Customers"),
                "title": title,
                "columns": [
                    week_label,
                    (self.env._("Customer"), "text"),
                    (self.env._("Salesperson"), "text"),
                ]
                + amounts,
                "rows": [
                    [
                        line.week_start,
                        line.partner_id.display_name,
                        line.user_id.name or False,
                        line.expected,
                        line.collected,
                    ]
                    for line in self.line_ids.sorted(
                        lambda line: (line.week_start, -line.expected)
                    )
                ],
                "totals": True,
                "total_label": self.env._("Total"),
            },
        ]
