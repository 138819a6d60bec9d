# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortalAndRpc(HttpCase):
    """Paths with nobody to read a Python error: the customer accepting a quotation
    on the portal, and a client calling ``action_confirm`` over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="cm_portal_salesman",
            password="cm_portal_salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.manager = new_test_user(
            cls.env,
            login="cm_portal_manager",
            groups="sales_team.group_sale_salesman,credit_management.group_credit_manager",
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Portal Client SAS",
                "is_company": True,
                "credit_limit": 100.0,
                "email": "client@example.com",
            }
        )
        product = cls.env["product.product"].create(
            {"name": "Audit", "type": "service", "taxes_id": [Command.clear()]}
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.salesman.id,
                "require_signature": True,
                "require_payment": False,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "price_unit": 500.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        cls.order.action_quotation_sent()

    def test_portal_acceptance_puts_order_on_hold(self):
        order = self.order
        result = self.make_jsonrpc_request(
            f"/my/orders/{order.id}/accept",
            {
                "access_token": order._portal_ensure_token(),
                "name": "Client",
                "signature": "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
            },
        )
        self.assertNotIn("error", result)
        self.assertIn("redirect_url", result)
        order.invalidate_recordset()
        self.assertEqual(order.state, "sent")
        self.assertTrue(order.credit_blocked)
        self.assertIn("exceeds the credit limit", order.credit_block_reason)
        users = order.activity_ids.user_id
        self.assertIn(self.salesman, users)
        self.assertIn(self.manager, users)
        # the customer sees a polite message, not an error
        page = self.url_open(result["redirect_url"])
        self.assertEqual(page.status_code, 200)
        self.assertIn("reviewed by our credit department", page.text)
        log = self.env["credit.block.log"].search([("order_id", "=", order.id)])
        self.assertEqual(log.reason, "limit")

    def test_rpc_confirmation_is_refused(self):
        self.authenticate("cm_portal_salesman", "cm_portal_salesman")
        response = self.url_open(
            "/web/dataset/call_kw/sale.order/action_confirm",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {
                    "model": "sale.order",
                    "method": "action_confirm",
                    "args": [[self.order.id]],
                    "kwargs": {},
                },
            },
        )
        error = response.json()["error"]
        self.assertEqual(error["data"]["name"], "odoo.exceptions.UserError")
        self.assertIn("exceeds the credit limit", error["data"]["message"])
        self.order.invalidate_recordset()
        self.assertEqual(self.order.state, "sent")

    def test_salesperson_sees_why_and_requests_release(self):
        """In the browser: the banner explains the block, one click asks for a
        release, and the credit managers get an activity."""
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{self.order.id}",
            "credit_management_blocked_order",
            login="cm_portal_salesman",
        )
        self.assertTrue(self.order.credit_release_requested)
        self.assertIn(self.manager, self.order.activity_ids.user_id)
