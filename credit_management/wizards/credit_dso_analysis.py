# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models
from odoo.exceptions import UserError

from ..report.credit_kpi_snapshot import DIMENSIONS, month_end
from ..report.receivables import replace_lines

KPIS = [
    "dso_countback", "dso_standard", "dso_best", "dso_contractual",
    "days_beyond_terms", "cei", "overdue_share",
]  # fmt: skip
FIGURES = ["receivable", "overdue", "not_due", "sales"]


class CreditDsoAnalysis(models.TransientModel):
    """DSO and collection KPIs per month for one dimension (salesperson, sales team,
    country, credit segment, customer or the company), over the months ending with a
    given one."""

    _name = "credit.dso.analysis"
    _description = "DSO Analysis"
    _inherit = "credit.report.mixin"
    _report_line_model = "credit.dso.analysis.line"
    _report_view_mode = "pivot,graph,list"

    dimension = fields.Selection(
        [
            ("company", "Company"),
            ("user", "Salesperson"),
            ("team", "Sales Team"),
            ("country", "Country"),
            ("segment", "Credit Segment"),
            ("partner", "Customer"),
        ],
        required=True,
        default="user",
    )
    date = fields.Date(
        "Last Month",
        required=True,
        default=lambda self: fields.Date.context_today(self),
        help="Any day of the last month of the analysis.",
    )
    months = fields.Integer(required=True, default=12)
    line_ids = fields.One2many(
        "credit.dso.analysis.line", "wizard_id", "Lines", readonly=True
    )

    def _report_name(self):
        return self.env._("DSO Analysis")

    def _xlsx_filename(self):
        return f"dso_{self.dimension}_{month_end(self.date)}.xlsx"

    def _compute_lines(self):
        self.ensure_one()
        self._check_company_access()
        if not 1 <= self.months <= 36:
            raise UserError(self.env._("Analyse between 1 and 36 months."))
        if self.date > fields.Date.context_today(self):
            raise UserError(self.env._("The analysis cannot end in the future."))
        results = (
            self.env["credit.kpi.snapshot"]
            .sudo()
            ._kpis(self.company_id, self.dimension, self.date, self.months)
        )
        field = DIMENSIONS[self.dimension]  # the line has the same column
        comodel = self.env["credit.dso.analysis.line"]._fields[field].comodel_name
        records = self.env[comodel].sudo().browse(key for key in results if key)
        names = dict(zip(records.ids, [r.display_name for r in records], strict=True))
        no_value = self.env._("None")
        vals_list = []
        for key, months in results.items():
            for figures, kpis in months:
                if not any(figures[name] for name in FIGURES):
                    continue
                vals = {
                    "wizard_id": self.id,
                    "month": figures["month"],
                    field: key or False,
                    "name": names.get(key) or no_value,
                    **{name: figures[name] for name in FIGURES},
                    **kpis,
                }
                vals_list.append(vals)
        replace_lines(self, self.env["credit.dso.analysis.line"], vals_list)

    def _xlsx_sheets(self):
        line_fields = self.env["credit.dso.analysis.line"]._fields
        columns = [
            (self.env._("Group"), "text"),
            (line_fields["month"]._description_string(self.env), "date"),
        ] + [
            (
                line_fields[name]._description_string(self.env),
                "amount" if name in FIGURES else "days",
            )
            for name in FIGURES + KPIS
        ]
        lines = self.line_ids.sorted(lambda line: (line.name, line.month))
        title = self.env._(
            "DSO of %(company)s by %(dimension)s",
            company=self.company_id.name,
            dimension=dict(self._fields["dimension"]._description_selection(self.env))[
                self.dimension
            ],
        )
        sheets = [
            {
                "name": self.env._("KPIs"),
                "title": title,
                "columns": columns,
                "rows": [
                    [line.name, line.month] + [line[n] for n in FIGURES + KPIS]
                    for line in lines
                ],
            }
        ]
        # one sheet with the countback DSO trend: a row per group, a column per month
        months = sorted(set(lines.mapped("month")))
        table = {}
        for line in lines:
            table.setdefault(line.name, {})[line.month] = line.dso_countback
        sheets.append(
            {
                "name": self.env._("DSO Trend"),
                "title": title,
                "columns": [(self.env._("Group"), "text")]
                + [(fields.Date.to_string(m)[:7], "days") for m in months],
                "rows": [
                    [name] + [row.get(m, False) for m in months]
                    for name, row in sorted(table.items())
                ],
            }
        )
        return sheets
