# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestRelease(CreditCommon):
    def test_request_then_release_then_confirm(self):
        order = self._order(self.customer, 1500.0)
        order.with_user(self.salesman).action_credit_request_release()
        activity = order.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertEqual(activity.activity_type_id.name, "Credit Release")
        self.assertTrue(order.credit_release_requested)
        wizard = Form(
            self.env["sale.order.credit.release"]
            .with_user(self.manager)
            .with_context(default_order_id=order.id)
        )
        wizard.reason = "Bank guarantee received"
        wizard.save().action_release_and_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_release_user_id, self.manager)
        self.assertFalse(
            order.activity_ids.filtered(lambda a: a.user_id == self.manager)
        )
        for record in (order, self.customer):
            self.assertIn("Bank guarantee received", record.message_ids[0].body)

    def test_release_lapses_when_amount_grows(self):
        order = self._order(self.customer, 1500.0)
        order.with_user(self.manager)._credit_release("Guarantee")
        self.assertEqual(order.credit_check_state, "released")
        order.order_line[0].price_unit = 1600.0
        self.assertEqual(order.credit_check_state, "block")
        with self.assertRaisesRegex(UserError, "release of .* lapsed"):
            order.with_user(self.salesman).action_confirm()
        order.order_line[0].price_unit = 1400.0  # back under the released amount
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_salesman_cannot_release(self):
        order = self._order(self.customer, 1500.0)
        with self.assertRaisesRegex(UserError, "Only credit managers"):
            order.with_user(self.salesman)._credit_release("please")
        with self.assertRaises(AccessError):
            self.env["sale.order.credit.release"].with_user(self.salesman).create(
                {"order_id": order.id, "reason": "please"}
            )

    def test_release_needs_reason(self):
        order = self._order(self.customer, 1500.0)
        with self.assertRaisesRegex(UserError, "reason"):
            order.with_user(self.manager)._credit_release("  ")

    def test_temporary_limit_and_expiry(self):
        order = self._order(self.customer, 1500.0)
        end = fields.Date.add(self.today, days=7)
        wizard = (
            self.env["res.partner.credit.limit.temporary"]
            .with_user(self.manager)
            .create(
                {
                    "partner_id": self.customer.id,
                    "amount": 2000.0,
                    "date_end": end,
                    "reason": "Season peak",
                }
            )
        )
        wizard.action_grant()
        self.assertEqual(self._row(self.customer).credit_limit, 2000.0)
        self.assertEqual(order.credit_check_state, "pass")
        with freeze_time(fields.Date.add(end, days=1)):
            self.env["credit.exposure"]._cron_refresh()
            self.assertFalse(self.customer.credit_limit_temporary_expiry)
            self.assertEqual(self._row(self.customer).credit_limit, 1000.0)
            self.assertIn("expired", self.customer.message_ids[0].body)
            order.invalidate_recordset(["credit_check_state"])
            self.assertEqual(order.credit_check_state, "block")

    def test_temporary_limit_validation(self):
        with self.assertRaisesRegex(Exception, "end today or later"):
            self.env["res.partner.credit.limit.temporary"].with_user(
                self.manager
            ).create(
                {
                    "partner_id": self.customer.id,
                    "amount": 10.0,
                    "reason": "x",
                    "date_end": fields.Date.subtract(self.today, days=1),
                }
            )
