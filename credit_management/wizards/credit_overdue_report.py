# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..models.credit_dispute import OPEN_STATES
from ..report.credit_kpi_snapshot import month_end
from ..report.receivables import replace_lines

AMOUNTS = [
    "overdue",
    "overdue_previous",
    "overdue_change",
    "receivable",
    "dispute_amount",
    "promise_amount",
]
# columns of the line filled per customer by ``_collection_status``
STATUS_DEFAULTS = {
    "dunning_level_id": False,
    "dispute_count": 0,
    "dispute_amount": 0.0,
    "promise_count": 0,
    "promise_amount": 0.0,
    "promise_date": False,
}


class CreditOverdueReport(models.TransientModel):
    """Monthly overdue report: overdue per customer and salesperson at the end of a
    month (as of today for the current month), beside the end of the month before.
    Closed months come from the KPI snapshots, so the report of a past month reads
    as it was sent."""

    _name = "credit.overdue.report"
    _description = "Monthly Overdue Report"
    _inherit = "credit.report.mixin"
    _report_line_model = "credit.overdue.report.line"
    _report_view_mode = "list,pivot,graph"

    date = fields.Date(
        "Month",
        required=True,
        default=lambda self: fields.Date.context_today(self),
        help="Any day of the month to report.",
    )
    month = fields.Date("Month End", compute="_compute_month")
    user_ids = fields.Many2many("res.users", string="Salespeople")
    line_ids = fields.One2many(
        "credit.overdue.report.line", "wizard_id", "Lines", readonly=True
    )

    @api.depends("date")
    def _compute_month(self):
        for wizard in self:
            wizard.month = month_end(wizard.date) if wizard.date else False

    # ------------------------------------------------------------------ actions
    def action_show(self):
        action = super().action_show()
        action["context"]["search_default_group_user"] = 1
        return action

    def _report_name(self):
        return self.env._(
            "Overdue Report %(month)s", month=fields.Date.to_string(self.month)[:7]
        )

    def _xlsx_filename(self):
        return f"overdue_{fields.Date.to_string(self.month)[:7]}.xlsx"

    def action_print_pdf(self):
        self.ensure_one()
        self._compute_lines()
        return self.env.ref(
            "credit_management.credit_overdue_report_action_pdf"
        ).report_action(self)

    # ------------------------------------------------------------------ business
    def _compute_lines(self):
        """Lines per customer with an overdue amount in either month, with the
        collection status of each customer at the month end (highest dunning level
        sent, open disputes, pending promises to pay)."""
        self.ensure_one()
        self._check_company_access()
        if self.date > fields.Date.context_today(self):
            raise UserError(self.env._("The report cannot be for a future month."))
        snapshots = self.env["credit.kpi.snapshot"].sudo()
        current = snapshots._partner_rows(self.company_id, self.month)
        previous = snapshots._partner_rows(
            self.company_id, self.month - relativedelta(months=1, day=1)
        )
        status = self._collection_status(current.keys() | previous.keys())
        vals_list = []
        for partner_id in current.keys() | previous.keys():
            row = current.get(partner_id) or previous[partner_id]
            before = previous.get(partner_id, {}).get("overdue", 0.0)
            now = current.get(partner_id, {}).get("overdue", 0.0)
            if self.user_ids and row["user_id"] not in self.user_ids.ids:
                continue
            if not (round(now, 2) or round(before, 2)):
                continue
            vals_list.append(
                {
                    "wizard_id": self.id,
                    "partner_id": partner_id,
                    "user_id": row["user_id"],
                    "team_id": row["team_id"],
                    "country_id": row["country_id"],
                    "overdue": now,
                    "overdue_previous": before,
                    "overdue_change": now - before,
                    "receivable": current.get(partner_id, {}).get("receivable", 0.0),
                    **status.get(partner_id, STATUS_DEFAULTS),
                }
            )
        replace_lines(self, self.env["credit.overdue.report.line"], vals_list)

    def _collection_status(self, partner_ids):
        """``{partner_id: {column: value}}`` (columns of ``STATUS_DEFAULTS``) at the
        month end, one query per feature for all customers:

        - the highest dunning level of the reminders sent up to the month end;
        - the disputes opened by then and not settled by then (count, amount);
        - the promises to pay recorded by then and still pending then: open, or
          found kept or broken after the month end (count, amount, earliest
          promised date). Cancelled promises do not count.

        The report shows every customer of the company (like the snapshots it
        reads), hence plain SQL restricted to the company."""
        if not partner_ids:
            return {}
        as_of = min(self.month, fields.Date.context_today(self))
        company = self.company_id.id
        partners = tuple(partner_ids)
        self.env["credit.dunning.line"].flush_model(
            ["partner_id", "company_id", "state", "date", "level_id", "level_sequence"]
        )
        self.env["credit.dispute"].flush_model(
            ["partner_id", "company_id", "state", "date", "date_resolved",
             "amount_disputed"]
        )  # fmt: skip
        self.env["credit.promise"].flush_model(
            ["partner_id", "company_id", "state", "date", "date_closed", "amount",
             "date_promised"]
        )  # fmt: skip
        result = {}

        def status(partner_id):
            return result.setdefault(partner_id, dict(STATUS_DEFAULTS))

        for partner_id, level_id in self.env.execute_query(
            SQL(
                """
            SELECT DISTINCT ON (l.partner_id) l.partner_id, l.level_id
              FROM credit_dunning_line l
             WHERE l.company_id = %(company)s AND l.state = 'done'
               AND l.date <= %(as_of)s AND l.partner_id IN %(partners)s
             ORDER BY l.partner_id, l.level_sequence DESC, l.date DESC
                """,
                company=company,
                as_of=as_of,
                partners=partners,
            )
        ):
            status(partner_id)["dunning_level_id"] = level_id
        for partner_id, count, amount in self.env.execute_query(
            SQL(
                """
            SELECT d.partner_id, COUNT(*), COALESCE(SUM(d.amount_disputed), 0)
              FROM credit_dispute d
             WHERE d.company_id = %(company)s AND d.date <= %(as_of)s
               AND (d.state IN %(open)s OR d.date_resolved > %(as_of)s)
               AND d.partner_id IN %(partners)s
             GROUP BY 1
                """,
                company=company,
                as_of=as_of,
                open=OPEN_STATES,
                partners=partners,
            )
        ):
            status(partner_id).update(dispute_count=count, dispute_amount=amount)
        for partner_id, count, amount, next_date in self.env.execute_query(
            SQL(
                """
            SELECT pr.partner_id, COUNT(*), SUM(pr.amount), MIN(pr.date_promised)
              FROM credit_promise pr
             WHERE pr.company_id = %(company)s AND pr.date <= %(as_of)s
               AND (pr.state = 'open'
                    OR (pr.state IN ('kept', 'broken')
                        AND pr.date_closed > %(as_of)s))
               AND pr.partner_id IN %(partners)s
             GROUP BY 1
                """,
                company=company,
                as_of=as_of,
                partners=partners,
            )
        ):
            status(partner_id).update(
                promise_count=count, promise_amount=amount, promise_date=next_date
            )
        return result

    def _lines_by_user(self):
        """[(salesperson, lines, totals)] for the PDF and the XLSX, worst first."""
        groups = {}
        for line in self.line_ids:
            groups.setdefault(line.user_id, self.line_ids.browse())
            groups[line.user_id] |= line
        result = []
        for user, lines in groups.items():
            totals = {name: sum(lines.mapped(name)) for name in AMOUNTS}
            result.append((user, lines.sorted(lambda line: -line.overdue), totals))
        return sorted(result, key=lambda item: -item[2]["overdue"])

    def _xlsx_sheets(self):
        line_fields = self.env["credit.overdue.report.line"]._fields
        amount_columns = [
            (line_fields[name]._description_string(self.env), "amount")
            for name in AMOUNTS
        ]
        title = self.env._(
            "Overdue of %(company)s at the end of %(month)s",
            company=self.company_id.name,
            month=fields.Date.to_string(self.month)[:7],
        )
        groups = self._lines_by_user()
        customer_rows = [
            [line.partner_id.display_name, user.name or False]
            + [line[name] for name in AMOUNTS]
            + [
                line.dunning_level_id.name or False,
                line.dispute_count,
                line.promise_count,
                line.promise_date,
            ]
            for user, lines, __ in groups
            for line in lines
        ]
        status_columns = [
            (line_fields[name]._description_string(self.env), kind)
            for name, kind in [
                ("dunning_level_id", "text"),
                ("dispute_count", "integer"),
                ("promise_count", "integer"),
                ("promise_date", "date"),
            ]
        ]
        user_rows = [
            [user.name or self.env._("No Salesperson")]
            + [totals[name] for name in AMOUNTS]
            for user, __, totals in groups
        ]
        return [
            {
                "name": self.env._("Salespeople"),
                "title": title,
                "columns": [(self.env._("Salesperson"), "text")] + amount_columns,
                "rows": user_rows,
                "totals": True,
                "total_label": self.env._("Total"),
            },
            {
                "name": self.env._("Customers"),
                "title": title,
                "columns": [
                    (self.env._("Customer"), "text"),
                    (self.env._("Salesperson"), "text"),
                ]
                + amount_columns
                + status_columns,
                "rows": customer_rows,
                "totals": True,
                "total_label": self.env._("Total"),
            },
        ]
