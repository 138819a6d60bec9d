# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import tagged

from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.sale.tests.common import SaleCommon


@tagged("post_install", "-at_install")
class TestPaymentPath(AccountPaymentCommon, SaleCommon):
    """A customer pays a quotation online while over its limit: the payment goes
    through, the order is not confirmed but put on credit hold."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls.sale_order.currency_id
        cls.partner = cls.sale_order.partner_invoice_id
        cls.provider.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.provider
        ).payment_account_id = cls.inbound_payment_method_line.payment_account_id
        cls.sale_order.require_payment = True
        cls.sale_order.partner_id.commercial_partner_id.sudo().credit_limit = 1.0

    def test_online_payment_puts_order_on_hold(self):
        order = self.sale_order
        self.amount = order.amount_total
        tx = self._create_transaction(
            flow="redirect", sale_order_ids=[order.id], state="done"
        )
        tx._post_process()
        self.assertEqual(tx.state, "done")
        self.assertIn(order.state, ("draft", "sent"))
        self.assertTrue(order.credit_blocked)
        self.assertIn("exceeds the credit limit", order.credit_block_reason)
        self.assertTrue(order.activity_ids)
        self.assertTrue(
            self.env["credit.block.log"].search([("order_id", "=", order.id)])
        )

    def test_online_payment_within_limit_confirms(self):
        order = self.sale_order
        order.partner_id.commercial_partner_id.sudo().credit_limit = 0.0  # no limit
        self.amount = order.amount_total
        tx = self._create_transaction(
            flow="redirect", sale_order_ids=[order.id], state="done"
        )
        tx._post_process()
        self.assertEqual(order.state, "sale")
        self.assertFalse(order.credit_blocked)
