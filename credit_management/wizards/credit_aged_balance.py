# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..models.credit_score import RISK_CLASSES
from ..report.receivables import (
    AGE_BUCKETS,
    age_bucket_columns,
    receivable_items_as_of,
    replace_lines,
)

AMOUNTS = [name for name, __, __ in AGE_BUCKETS] + ["total"]


class CreditAgedBalance(models.TransientModel):
    """Aged balance of the customers as of any date, rebuilt from the reconciliation
    dates (partial payments and credit notes count on the day they were matched)."""

    _name = "credit.aged.balance"
    _description = "Aged Balance"
    _inherit = "credit.report.mixin"
    _report_line_model = "credit.aged.balance.line"

    date = fields.Date(
        "As of", required=True, default=lambda self: fields.Date.context_today(self)
    )
    user_ids = fields.Many2many("res.users", string="Salespeople")
    team_ids = fields.Many2many("crm.team", string="Sales Teams")
    country_ids = fields.Many2many("res.country", string="Countries")
    partner_ids = fields.Many2many("res.partner", string="Customers")
    segment_ids = fields.Many2many(
        "credit.segment",
        string="Credit Segments",
        domain="[('company_id', 'in', (False, company_id))]",
        help="Customers in these segments in the company (their current segment).",
    )
    risk_class = fields.Selection(
        RISK_CLASSES,
        help="Customers whose current risk score in the company has this class.",
    )
    line_ids = fields.One2many(
        "credit.aged.balance.line", "wizard_id", "Lines", readonly=True
    )

    # ------------------------------------------------------------------ report
    def _report_name(self):
        return self.env._(
            "Aged Balance as of %(date)s", date=fields.Date.to_string(self.date)
        )

    def _xlsx_filename(self):
        return f"aged_balance_{self.date}.xlsx"

    # ------------------------------------------------------------------ business
    def _filters(self):
        """Conditions on the customer (alias ``cp``) and its salesperson (``u``).
        Segment and risk class are the customer's current ones in the company."""
        clauses = []
        if self.user_ids:
            clauses.append(SQL("cp.user_id IN %s", tuple(self.user_ids.ids)))
        if self.team_ids:
            clauses.append(SQL("u.sale_team_id IN %s", tuple(self.team_ids.ids)))
        if self.country_ids:
            clauses.append(SQL("cp.country_id IN %s", tuple(self.country_ids.ids)))
        if self.partner_ids:
            clauses.append(
                SQL("cp.id IN %s", tuple(self.partner_ids.commercial_partner_id.ids))
            )
        if self.segment_ids:
            # company-dependent: jsonb keyed by company id
            clauses.append(
                SQL(
                    "(cp.credit_segment_id ->> %s)::int IN %s",
                    str(self.company_id.id),
                    tuple(self.segment_ids.ids),
                )
            )
        if self.risk_class:
            clauses.append(
                SQL(
                    """cp.id IN (SELECT partner_id FROM credit_score
                                  WHERE company_id = %s AND risk_class = %s)""",
                    self.company_id.id,
                    self.risk_class,
                )
            )
        return SQL(" AND ").join(clauses) if clauses else SQL("TRUE")

    def _compute_lines(self):
        """One aggregate query; the lines are replaced."""
        self.ensure_one()
        self._check_company_access()
        if self.date > fields.Date.context_today(self):
            raise UserError(
                self.env._("The aged balance cannot be dated in the future.")
            )
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.env["res.partner"].flush_model(
            ["user_id", "country_id", "credit_segment_id"]
        )
        self.env["credit.score"].flush_model(["partner_id", "company_id", "risk_class"])
        rows = self.env.execute_query(
            SQL(
                """
            WITH items AS (%(items)s)
            SELECT i.partner_id, cp.user_id, u.sale_team_id, cp.country_id,
                   %(buckets)s, SUM(i.residual)
              FROM items i
              JOIN res_partner cp ON cp.id = i.partner_id
              LEFT JOIN res_users u ON u.id = cp.user_id
             WHERE i.residual != 0 AND %(filters)s
             GROUP BY 1, 2, 3, 4
            HAVING SUM(ABS(i.residual)) > 0
                """,
                items=receivable_items_as_of(self.date, self.company_id.id),
                buckets=age_bucket_columns(self.date),
                filters=self._filters(),
            )
        )
        names = ["partner_id", "user_id", "team_id", "country_id", *AMOUNTS]
        replace_lines(
            self,
            self.env["credit.aged.balance.line"],
            [
                dict(zip(names, row, strict=True), wizard_id=self.id)
                for row in rows
                if any(round(amount, 2) for amount in row[4:])
            ],
        )

    def _xlsx_sheets(self):
        labels = self.env["credit.aged.balance.line"]._fields
        columns = [
            (self.env._("Customer"), "text"),
            (self.env._("Salesperson"), "text"),
            (self.env._("Country"), "text"),
        ] + [(labels[name]._description_string(self.env), "amount") for name in AMOUNTS]
        lines = self.line_ids.sorted(lambda line: (-line.total, line.partner_id.name))
        rows = [
            [
                line.partner_id.display_name,
                line.user_id.name or False,
                line.country_id.name or False,
            ]
            + [line[name] for name in AMOUNTS]
            for line in lines
        ]
        by_user = {}
        for line in lines:
            by_user.setdefault(line.user_id, dict.fromkeys(AMOUNTS, 0.0))
            for name in AMOUNTS:
                by_user[line.user_id][name] += line[name]
        user_rows = [
            [user.name or self.env._("No Salesperson")]
            + [amounts[name] for name in AMOUNTS]
            for user, amounts in sorted(
                by_user.items(), key=lambda item: -item[1]["total"]
            )
        ]
        title = self.env._(
            "Aged balance of %(company)s as of %(date)s",
            company=self.company_id.name,
            date=fields.Date.to_string(self.date),
        )
        return [
            {
                "name": self.env._("Customers"),
                "title": title,
                "columns": columns,
                "rows": rows,
                "totals": True,
                "total_label": self.env._("Total"),
            },
            {
                "name": self.env._("Salespeople"),
                "title": title,
                "columns": [columns[1]] + columns[3:],
                "rows": user_rows,
                "totals": True,
                "total_label": self.env._("Total"),
            },
        ]
