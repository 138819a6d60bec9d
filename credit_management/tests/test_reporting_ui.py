# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReportingUi(HttpCase):
    """The dashboard renders in a browser (kanban tiles, the graph widget) without
    any JavaScript error."""

    def _customer_with_invoice(self):
        salesperson = new_test_user(
            self.env, login="cm_claire", name="Claire Durand",
            groups="sales_team.group_sale_salesman",
        )  # fmt: skip
        customer = self.env["res.partner"].create(
            {"name": "Scierie Lambert", "is_company": True, "user_id": salesperson.id}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_line_ids": [
                    Command.create({"name": "Bois", "quantity": 1, "price_unit": 800})
                ],
            }
        )
        invoice.action_post()

    def test_dashboard_renders(self):
        self._customer_with_invoice()
        self.browser_js(
            "/odoo/action-credit_management.credit_dashboard_action",
            """
            const cards = document.querySelectorAll(
                ".o_kanban_record:not(.o_kanban_ghost)");
            const names = [...cards].map((card) => card.innerText).join(" | ");
            if (cards.length >= 5 && names.includes("Top Risky Customers")) {
                console.log("test successful");
            } else {
                console.error("dashboard tiles missing: " + names);
            }
            """,
            ready="document.querySelectorAll('.o_kanban_record canvas').length >= 2",
            timeout=120,
            login="admin",
        )

    def test_dso_by_salesperson(self):
        """From the dashboard: the DSO of each salesperson month by month."""
        self._customer_with_invoice()
        self.start_tour(
            "/odoo/action-credit_management.credit_dashboard_action",
            "credit_management_dso_analysis",
            login="admin",
        )
