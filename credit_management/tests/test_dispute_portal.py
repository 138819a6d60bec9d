# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import re

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDisputePortal(HttpCase):
    """The customer disputes an invoice from its portal page (access token link of
    the invoice e-mail): the salesperson owns the dispute and is told."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env,
            login="cm_dispute_salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Client Portail SARL",
                "is_company": True,
                "email": "compta@client-portail.example.com",
                "user_id": cls.salesman.id,
            }
        )
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_user_id": cls.salesman.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Audit", "price_unit": 750.0, "tax_ids": []}
                    )
                ],
            }
        )
        cls.invoice.action_post()
        cls.reason = cls.env.ref("credit_management.credit_dispute_reason_quantity")

    def test_customer_disputes_invoice_on_portal(self):
        url = self.invoice.get_portal_url()
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("I dispute this invoice", page.text)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        # no reason: refused, nothing created
        response = self.url_open(
            f"/my/invoices/{self.invoice.id}/dispute",
            data={
                "csrf_token": csrf,
                "access_token": self.invoice.access_token,
                "comment": "",
            },
        )
        self.assertIn("could not be recorded", response.text)
        Dispute = self.env["credit.dispute"]
        self.assertFalse(Dispute.search([("partner_id", "=", self.customer.id)]))
        response = self.url_open(
            f"/my/invoices/{self.invoice.id}/dispute",
            data={
                "csrf_token": csrf,
                "access_token": self.invoice.access_token,
                "reason_id": self.reason.id,
                "comment": "We received 8 boxes, not 10.",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("your dispute has been recorded", response.text)
        dispute = Dispute.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(dispute.source, "portal")
        self.assertEqual(dispute.reason_id, self.reason)
        self.assertEqual(dispute.user_id, self.salesman)
        self.assertEqual(dispute.amount_disputed, 750.0)
        self.assertIn("8 boxes", dispute.description)
        self.assertEqual(dispute.activity_ids.user_id, self.salesman)
        notified = dispute.message_ids.filtered(
            lambda m: self.salesman.partner_id in m.partner_ids
        )
        self.assertIn("8 boxes", notified.body)
        self.assertTrue(self.invoice.credit_disputed)
        # the page now says who handles it, and offers no second dispute
        page = self.url_open(url)
        self.assertIn("is handling it", page.text)
        self.assertNotIn("I dispute this invoice", page.text)
