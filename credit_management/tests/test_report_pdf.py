# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import unittest

from odoo.tests import tagged
from odoo.tools.pdf import PdfFileReader

from .test_dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestReportPdf(DunningCommon):
    """Real PDFs with the wkhtmltopdf the setup installs (Debian's, unpatched Qt):
    several documents in one file, each rendered on its own and merged."""

    def setUp(self):
        super().setUp()
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            self.fail("wkhtmltopdf is missing: `make setup` installs it")

    def test_run_letters_of_three_customers_in_one_pdf(self):
        customer_c = self.env["res.partner"].create(
            {"name": "Lefèvre et Fils", "is_company": True, "email": "c@lf.example"}
        )
        customers = self.customer | self.customer_b | customer_c
        for customer in customers:
            self._invoice(customer, 500.0, due_in=-30)
        run = self._run()
        self.assertEqual(run.line_ids.partner_id, customers)
        run.line_ids.level_id = self.level_2  # a level with a letter
        run.action_confirm()
        action = run.action_print_letters()
        self.assertEqual(
            action["report_name"], "credit_management.report_credit_dunning_letter"
        )
        lines = run.line_ids.filtered("send_letter")
        self.assertEqual(len(lines), 3)
        try:
            pdf, fmt = (
                self.env["ir.actions.report"]
                .with_context(force_report_rendering=True)
                ._render_qweb_pdf(
                    "credit_management.action_report_credit_dunning_letter", lines.ids
                )
            )
        except unittest.SkipTest as error:
            # what Odoo does in a test where it cannot merge documents
            self.fail(f"the letters were not merged: {error}")
        self.assertEqual(fmt, "pdf")
        reader = PdfFileReader(io.BytesIO(pdf))
        self.assertGreaterEqual(len(reader.pages), 3)
        # the text as pypdf extracts it has tabs or line breaks between words
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
        # each customer's letter is in the file, in the order of the lines
        positions = [text.find(line.partner_id.name) for line in lines]
        self.assertNotIn(-1, positions, text[:500])
        self.assertEqual(positions, sorted(positions))
