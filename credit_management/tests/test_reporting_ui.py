# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestReportingUi(HttpCase):
    """The dashboard renders in a browser (kanban tiles, the graph widget) without
    any JavaScript error, on the demo data."""

    def test_dashboard_renders(self):
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
            login="admin",
        )
