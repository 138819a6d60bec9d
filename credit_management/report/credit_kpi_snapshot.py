# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import calendar
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from . import kpi
from .receivables import receivable_items_as_of

FIGURES = [
    "receivable_begin", "receivable", "not_due", "overdue", "sales", "invoiced",
    "invoiced_term_days",
]  # fmt: skip
# report dimension -> snapshot column
DIMENSIONS = {
    "company": "company_id",
    "user": "user_id",
    "team": "team_id",
    "country": "country_id",
    "segment": "segment_id",
    "partner": "partner_id",
}


def month_end(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class CreditKpiSnapshot(models.Model):
    """Credit figures of one customer at the end of one month, kept as they were.

    The KPI history (DSO trend, overdue month on month) reads these rows, so that a
    payment or a credit note booked later in a closed month does not rewrite the
    past. The customer's salesperson, team, country and credit segment (in the
    company) are frozen with the figures:
    a customer moved to another salesperson keeps its history with the former one.
    """

    _name = "credit.kpi.snapshot"
    _description = "Credit KPI Monthly Snapshot"
    _order = "month desc, company_id, partner_id"
    _rec_name = "partner_id"

    month = fields.Date(required=True, readonly=True, help="Last day of the month.")
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, readonly=True, index=True
    )
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    segment_id = fields.Many2one(
        "credit.segment", "Credit Segment", readonly=True, ondelete="set null"
    )
    receivable_begin = fields.Monetary("Receivable at Start", readonly=True)
    receivable = fields.Monetary("Receivable at End", readonly=True)
    not_due = fields.Monetary(readonly=True)
    overdue = fields.Monetary(readonly=True)
    sales = fields.Monetary(
        readonly=True, help="Invoices less credit notes of the month, taxes included."
    )
    invoiced = fields.Monetary(readonly=True)
    invoiced_term_days = fields.Float(
        "Invoiced × Term Days",
        readonly=True,
        help="Sum of invoice amount × payment term in days: divided by the invoiced "
        "amount, the contractual payment delay.",
    )

    _month_company_partner_uniq = models.UniqueIndex(
        "(month, company_id, partner_id)",
        "A customer has one snapshot per month and company.",
    )

    # ------------------------------------------------------------------ figures
    @api.model
    def _compute_month(self, company, month):
        """Figures of every customer of ``company`` for the month ending ``month``,
        computed from the accounting (as of today when the month is not over).

        :return: list of dicts (snapshot values), one per customer with a figure.
        """
        today = fields.Date.context_today(self)
        as_of = min(month_end(month), today)
        start = month.replace(day=1)
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["res.partner"].flush_model(
            ["user_id", "country_id", "credit_segment_id"]
        )
        rows = self.env.execute_query_dict(
            SQL(
                """
            WITH items_end AS (%(items_end)s),
                 items_begin AS (%(items_begin)s),
                 fig_end AS (
                    SELECT partner_id, SUM(residual) AS receivable,
                           SUM(residual) FILTER (
                               WHERE date_due < %(as_of)s OR residual < 0) AS overdue
                      FROM items_end WHERE residual != 0 GROUP BY partner_id),
                 fig_begin AS (
                    SELECT partner_id, SUM(residual) AS receivable
                      FROM items_begin WHERE residual != 0 GROUP BY partner_id),
                 fig_sales AS (
                    SELECT p.commercial_partner_id AS partner_id,
                           SUM(aml.balance) AS sales,
                           SUM(aml.balance) FILTER (
                               WHERE m.move_type = 'out_invoice') AS invoiced,
                           SUM(aml.balance * (COALESCE(aml.date_maturity, aml.date)
                                              - COALESCE(m.invoice_date, aml.date)))
                               FILTER (WHERE m.move_type = 'out_invoice')
                               AS invoiced_term_days
                      FROM account_move_line aml
                      JOIN account_move m ON m.id = aml.move_id
                      JOIN account_account acc ON acc.id = aml.account_id
                      JOIN res_partner p ON p.id = aml.partner_id
                     WHERE acc.account_type = 'asset_receivable'
                       AND aml.parent_state = 'posted'
                       AND m.move_type IN ('out_invoice', 'out_refund')
                       AND aml.company_id = %(company)s
                       AND aml.date BETWEEN %(start)s AND %(as_of)s
                     GROUP BY 1),
                 customers AS (
                    SELECT partner_id FROM fig_end
                    UNION SELECT partner_id FROM fig_begin
                    UNION SELECT partner_id FROM fig_sales)
            SELECT c.partner_id, cp.user_id, u.sale_team_id AS team_id, cp.country_id,
                   seg.id AS segment_id,
                   COALESCE(b.receivable, 0) AS receivable_begin,
                   COALESCE(e.receivable, 0) AS receivable,
                   GREATEST(COALESCE(e.overdue, 0), 0) AS overdue,
                   COALESCE(s.sales, 0) AS sales,
                   COALESCE(s.invoiced, 0) AS invoiced,
                   COALESCE(s.invoiced_term_days, 0) AS invoiced_term_days
              FROM customers c
              JOIN res_partner cp ON cp.id = c.partner_id
              LEFT JOIN res_users u ON u.id = cp.user_id
              -- company-dependent: jsonb keyed by company id
              LEFT JOIN credit_segment seg
                     ON seg.id = (cp.credit_segment_id ->> %(company_key)s)::int
              LEFT JOIN fig_end e ON e.partner_id = c.partner_id
              LEFT JOIN fig_begin b ON b.partner_id = c.partner_id
              LEFT JOIN fig_sales s ON s.partner_id = c.partner_id
                """,
                items_end=receivable_items_as_of(as_of, company.id),
                items_begin=receivable_items_as_of(
                    start - timedelta(days=1), company.id
                ),
                as_of=as_of,
                start=start,
                company=company.id,
                company_key=str(company.id),
            )
        )
        month = month_end(month)
        for row in rows:
            row.update(
                month=month,
                company_id=company.id,
                not_due=row["receivable"] - row["overdue"],
            )
            for name in FIGURES:
                row[name] = float(row[name] or 0.0)
        return rows

    @api.model
    def _take(self, company, months):
        """Store the snapshots of the closed ``months`` not taken yet; a month already
        taken is kept as it is (the history must not move). Months before the
        company's first receivable have no figure and are skipped.

        :return: the created snapshots.
        """
        if self.env.cr.readonly:
            return self.browse()  # a read-only request computes them live instead
        today = fields.Date.context_today(self)
        months = {month_end(m) for m in months}
        months = {m for m in months if m < today}
        first = months and self._first_date(company)
        months = {m for m in months if first and m >= first}
        if not months:
            return self.browse()
        taken = {
            month
            for (month,) in self.sudo()._read_group(
                [("company_id", "=", company.id), ("month", "in", list(months))],
                groupby=["month:day"],
            )
        }
        vals_list = []
        for month in sorted(months - taken):
            vals_list += self._compute_month(company, month)
        return self.sudo().create(vals_list)

    @api.model
    def _first_date(self, company):
        """Date of the company's first posted receivable item (months before it
        have no figure and no snapshot)."""
        self.env["account.move.line"].flush_model(["date", "account_id"])
        return self.env.execute_query(
            SQL(
                """SELECT MIN(aml.date) FROM account_move_line aml
                     JOIN account_account acc ON acc.id = aml.account_id
                    WHERE aml.company_id = %s AND aml.parent_state = 'posted'
                      AND acc.account_type = 'asset_receivable'""",
                company.id,
            )
        )[0][0]

    @api.model
    def _cron_take_snapshots(self, months=13):
        """Monthly: snapshot the months just closed; on a first run, the last
        ``months`` closed months (the KPI trends need a year of history)."""
        today = fields.Date.context_today(self)
        last_closed = today.replace(day=1) - timedelta(days=1)
        for company in self.env["res.company"].sudo().search([]):
            self.sudo()._take(
                company,
                [last_closed - relativedelta(months=back) for back in range(months)],
            )
        return True

    @api.model
    def _partner_rows(self, company, month):
        """Per-customer figures of one month: the snapshot of a closed month (taken
        now when missing), live figures for the current month.

        :return: ``{partner id: values}`` (values as in :meth:`_compute_month`)
        """
        month = month_end(month)
        self._take(company, [month])
        if not self.search_count(
            [("company_id", "=", company.id), ("month", "=", month)], limit=1
        ):  # the current month, or a read-only request
            return {
                row["partner_id"]: row for row in self._compute_month(company, month)
            }
        names = ["partner_id", "user_id", "team_id", "country_id", "segment_id",
                 *FIGURES]  # fmt: skip
        self.flush_model()
        rows = self.env.execute_query_dict(
            SQL(
                """SELECT %s FROM credit_kpi_snapshot
                    WHERE company_id = %s AND month = %s""",
                SQL(", ").join(SQL.identifier(name) for name in names),
                company.id,
                month,
            )
        )
        return {row["partner_id"]: dict(row, month=month) for row in rows}

    # ------------------------------------------------------------------ KPIs
    @api.model
    def _history(self, company, dimension, last_month, count):
        """Summed figures per dimension value and month, for the ``count`` months
        ending with ``last_month``: stored snapshots for closed months (taken now when
        missing, unless the request is read-only), live figures for the others.

        :return: ``{dimension id: [month figures, newest first]}``; every list has
            one entry per month (zeros where the group had no figure).
        """
        column = DIMENSIONS[dimension]
        today = fields.Date.context_today(self)
        months = [
            month_end(last_month - relativedelta(months=back)) for back in range(count)
        ]
        self._take(company, [m for m in months if m < today])
        self.flush_model()
        closed = [
            month
            for (month,) in self.env.execute_query(
                SQL(
                    """SELECT DISTINCT month FROM credit_kpi_snapshot
                        WHERE company_id = %s AND month IN %s""",
                    company.id,
                    tuple(months),
                )
            )
        ]
        sums = defaultdict(lambda: defaultdict(float))  # (key, month) -> figures
        if closed:
            for row in self.env.execute_query_dict(
                SQL(
                    """SELECT %(column)s AS key, month, %(sums)s
                         FROM credit_kpi_snapshot
                        WHERE company_id = %(company)s AND month IN %(months)s
                        GROUP BY 1, 2""",
                    column=SQL.identifier(column),
                    sums=SQL(", ").join(
                        SQL("SUM(%s) AS %s", SQL.identifier(n), SQL.identifier(n))
                        for n in FIGURES
                    ),
                    company=company.id,
                    months=tuple(closed),
                )
            ):
                figures = sums[row["key"], row["month"]]
                for name in FIGURES:
                    figures[name] += row[name] or 0.0
        first = self._first_date(company)
        for month in months:
            if month in closed or not first or month < first.replace(day=1):
                continue  # stored, or nothing booked yet
            for row in self._compute_month(company, month):
                figures = sums[row[column], month]
                for name in FIGURES:
                    figures[name] += row[name]
        keys = {key for key, __ in sums}
        history = {}
        for key in keys:
            history[key] = []
            for month in months:
                figures = dict.fromkeys(FIGURES, 0.0)
                figures.update(sums.get((key, month), {}))
                start = month.replace(day=1)
                figures["month"] = month
                figures["days"] = (min(month, today) - start).days + 1
                history[key].append(figures)
        return history

    @api.model
    def _kpis(self, company, dimension, last_month, count, history_months=6):
        """KPIs per dimension value for each of the ``count`` months ending with
        ``last_month``; countback DSO looks back up to ``history_months`` more.

        :return: ``{dimension id: [(month figures, kpis), ... newest first]}``
        """
        history = self._history(company, dimension, last_month, count + history_months)
        result = {}
        for key, months in history.items():
            result[key] = [
                (months[index], kpi.kpis(months[index:])) for index in range(count)
            ]
        return result
