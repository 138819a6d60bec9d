# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io

import xlsxwriter

from odoo import api, models

# column kind -> (xlsxwriter number format, width)
KINDS = {
    "text": (None, 32),
    "date": ("yyyy-mm-dd", 12),
    "amount": ("#,##0.00;[Red]-#,##0.00", 14),
    "days": ("0.0", 10),
    "percent": ('0.0"%"', 10),
    "integer": ("0", 10),
}


class CreditReportXlsx(models.AbstractModel):
    """One place that writes the credit reports to XLSX the same way: a title, a
    bold header row with frozen panes and filters, number formats per column kind,
    a totals row (SUBTOTAL formulas, so that filtering keeps it right), one sheet
    per section."""

    _name = "credit.report.xlsx"
    _description = "Credit Report XLSX Writer"

    @api.model
    def _render(self, sheets):
        """:param sheets: list of dicts ``{"name", "title", "columns": [(label,
        kind)], "rows": [[values]], "totals": bool}``; a ``False`` value is
        written as an empty cell.
        :return: the workbook as bytes."""
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        title_format = workbook.add_format({"bold": True, "font_size": 14})
        header_format = workbook.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True}
        )
        formats, total_formats = {}, {}
        for kind, (num_format, __) in KINDS.items():
            props = {"num_format": num_format} if num_format else {}
            formats[kind] = workbook.add_format(props)
            total_formats[kind] = workbook.add_format(dict(props, bold=True, top=1))
        for sheet_spec in sheets:
            sheet = workbook.add_worksheet(sheet_spec["name"][:31])
            columns = sheet_spec["columns"]
            sheet.write(0, 0, sheet_spec.get("title", sheet_spec["name"]), title_format)
            header_row = 2
            for col, (label, kind) in enumerate(columns):
                sheet.set_column(col, col, KINDS[kind][1])
                sheet.write(header_row, col, label, header_format)
            rows = sheet_spec["rows"]
            for index, values in enumerate(rows, start=header_row + 1):
                for col, value in enumerate(values):
                    kind = columns[col][1]
                    if value is False or value is None:
                        sheet.write_blank(index, col, None, formats[kind])
                    elif kind == "date":
                        sheet.write_datetime(index, col, value, formats[kind])
                    else:
                        sheet.write(index, col, value, formats[kind])
            sheet.freeze_panes(header_row + 1, 1)
            last = header_row + len(rows)
            if rows:
                sheet.autofilter(header_row, 0, last, len(columns) - 1)
            if sheet_spec.get("totals") and rows:
                total_row = last + 1
                sheet.write(total_row, 0, sheet_spec.get("total_label", "Total"),
                            total_formats["text"])  # fmt: skip
                for col, (__, kind) in enumerate(columns):
                    if kind != "amount" or not col:
                        continue
                    cell_from = xlsxwriter.utility.xl_rowcol_to_cell(
                        header_row + 1, col
                    )
                    cell_to = xlsxwriter.utility.xl_rowcol_to_cell(last, col)
                    total = sum(values[col] or 0.0 for values in rows)
                    sheet.write_formula(
                        total_row,
                        col,
                        f"=SUBTOTAL(9,{cell_from}:{cell_to})",
                        total_formats[kind],
                        round(total, 2),
                    )
        workbook.close()
        return output.getvalue()

    @api.model
    def _download_action(self, record):
        """Action downloading the file a report wizard stored in its ``export_file``."""
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": f"/web/content/?model={record._name}&id={record.id}"
            "&field=export_file&filename_field=export_filename&download=true",
        }
