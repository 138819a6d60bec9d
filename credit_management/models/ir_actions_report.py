# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models

from odoo.addons.base.models.ir_actions_report import _wkhtml


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        """EXTENDS base: several documents of the add-on's reports (a run's dunning
        letters, statements, payment plans) in one PDF with any wkhtmltopdf.

        Debian's wkhtmltopdf is built without Odoo's patched Qt, which cannot
        convert several documents in one call (Odoo refuses it). There, each
        document is rendered on its own; Odoo then merges the streams, in order,
        into one PDF, as it does for documents printed from attachments."""
        report = self._get_report(report_ref)
        if (
            not res_ids
            or len(res_ids) < 2
            or len(set(res_ids)) != len(res_ids)
            or not report.report_name.startswith("credit_management.")
            or "(with patched qt)" in _wkhtml().version
        ):
            return super()._render_qweb_pdf_prepare_streams(
                report_ref, data, res_ids=res_ids
            )
        streams = {}
        for res_id in res_ids:
            streams.update(
                super()._render_qweb_pdf_prepare_streams(
                    report_ref, dict(data or {}), res_ids=[res_id]
                )
            )
        return streams
