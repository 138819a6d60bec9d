# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64

from odoo import fields, models
from odoo.exceptions import UserError


class CreditReportMixin(models.AbstractModel):
    """What the report wizards share: the company reported on, **Show** (computes
    the lines and opens them) and **Export XLSX** (computes the lines and downloads
    the workbook of ``_xlsx_sheets()``).

    A report defines ``_report_line_model`` (its lines, with a ``wizard_id``),
    ``_report_view_mode`` (the views Show opens), its ``line_ids``, and the methods
    ``_report_name()`` (the title of the lines' window), ``_xlsx_filename()``,
    ``_compute_lines()`` and ``_xlsx_sheets()``."""

    _name = "credit.report.mixin"
    _description = "Credit Report"

    _report_line_model = None
    _report_view_mode = "list,pivot"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    export_file = fields.Binary(readonly=True, attachment=False)
    export_filename = fields.Char(readonly=True)

    # ------------------------------------------------------------------ actions
    def action_show(self):
        self.ensure_one()
        self._compute_lines()
        return {
            "type": "ir.actions.act_window",
            "name": self._report_name(),
            "res_model": self._report_line_model,
            "view_mode": self._report_view_mode,
            "domain": [("wizard_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_export_xlsx(self):
        self.ensure_one()
        self._compute_lines()
        content = self.env["credit.report.xlsx"]._render(self._xlsx_sheets())
        self.write(
            {
                "export_file": base64.b64encode(content),
                "export_filename": self._xlsx_filename(),
            }
        )
        return self.env["credit.report.xlsx"]._download_action(self)

    # ------------------------------------------------------------------ business
    def _check_company_access(self):
        if self.company_id not in self.env.user.company_ids:
            raise UserError(
                self.env._("You cannot report on a company you have no access to.")
            )
