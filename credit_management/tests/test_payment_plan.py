# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .test_dispute import DisputeCommon


@tagged("post_install", "-at_install")
class TestPaymentPlan(DisputeCommon):
    def _plan(self, invoices, count=3, start=None, **values):
        plan = (
            self.env["credit.payment.plan"]
            .with_user(self.controller)
            .create(
                {
                    "partner_id": self.customer.id,
                    "invoice_ids": [Command.set(invoices.ids)],
                    "instalment_count": count,
                    "date_start": start or self.today,
                    **values,
                }
            )
        )
        plan.action_compute_instalments()
        return plan

    def test_equal_split_with_interest(self):
        invoices = self._invoice(self.customer, 600.0, due_in=-40) | self._invoice(
            self.customer, 400.01, due_in=-20
        )
        plan = self._plan(invoices, interest_rate=12.0)
        self.assertTrue(plan.name.startswith("PLAN/"))
        self.assertEqual(plan.amount_principal, 1000.01)
        self.assertEqual(
            plan.line_ids.mapped("amount_principal"), [333.34, 333.34, 333.33]
        )
        # 1 % a month on the principal still due
        self.assertEqual(plan.line_ids.mapped("amount_interest"), [10.0, 6.67, 3.33])
        self.assertEqual(
            plan.line_ids.mapped("date_due"),
            [self.today, fields.Date.add(self.today, months=1),
             fields.Date.add(self.today, months=2)],
        )  # fmt: skip
        plan.action_start()
        self.assertEqual(plan.state, "active")
        with self.assertRaisesRegex(UserError, "started plan"):
            plan.invoice_ids = invoices[:1]
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "credit_management.report_credit_payment_plan", plan.ids
            )[0]
            .decode()
        )
        self.assertIn(plan.name, html)
        self.assertIn("Read and approved", html)
        # sent to the customer with the plan attached
        self.customer.email = "compta@dupont.example.com"
        action = plan.with_user(self.controller).action_send()
        composer = Form(
            self.env["mail.compose.message"]
            .with_user(self.controller)
            .with_context(**action["context"])
        ).save()
        composer._action_send_mail()
        message = plan.message_ids[0]
        self.assertIn(self.customer, message.partner_ids)
        self.assertIn(plan.name, message.subject)
        self.assertTrue(message.attachment_ids)

    def test_instalments_by_hand_must_add_up(self):
        invoice = self._invoice(self.customer, 900.0, due_in=-40)
        plan = self._plan(invoice)
        plan.line_ids[0].amount_principal = 100.0
        with self.assertRaisesRegex(UserError, "add up to"):
            plan.action_start()
        plan.line_ids[1].amount_principal = 500.0
        plan.action_start()
        self.assertEqual(plan.state, "active")

    def test_missed_instalment_is_dunned_only(self):
        old = self._invoice(self.customer, 600.0, due_in=-90)
        recent = self._invoice(self.customer, 600.0, due_in=-60)
        outside = self._invoice(self.customer, 50.0, due_in=-60)
        plan = self._plan(
            old | recent, count=3, start=fields.Date.subtract(self.today, days=35)
        )  # instalments of 400.00: 35 days ago, 5 days ago (or so), next month
        plan.action_start()
        # in good standing on the first day: all the plan's invoices are paused
        self.assertEqual(self._paused(plan.date_start), old | recent)
        self.assertNotIn(outside, self._paused())
        # first instalment paid (on the oldest invoice), second one missed
        self._pay(old, 400.0)
        lines = plan.line_ids
        self.assertEqual(lines[0].payment_state, "paid")
        self.assertEqual(lines[1].payment_state, "missed")
        self.assertEqual(lines[2].payment_state, "pending")
        self.assertEqual(plan.amount_missed, 400.0)
        # the responsible is told, once
        Plan = self.env["credit.payment.plan"]
        Plan._cron_update_state()
        Plan._cron_update_state()
        missed = self.env.ref("credit_management.mail_activity_type_credit_plan_missed")
        activity = plan.activity_ids.filtered(lambda a: a.activity_type_id == missed)
        self.assertEqual(activity.user_id, self.controller)
        self.assertIn("400.00", activity.summary)
        # 400.00 missed: the oldest invoice (200.00 still due) and the next one
        # cover it; both are dunned
        self.assertFalse(self._paused())
        # 300.00 more paid on the recent invoice: 100.00 missed, covered by the
        # oldest invoice alone (200.00 due): only it is dunned
        self._pay(recent, 300.0)
        self.assertEqual(plan.amount_missed, 100.0)
        self.assertEqual(self._paused(), recent)
        # up to date again: nothing of the plan is dunned
        self._pay(recent, 100.0)
        self.assertEqual(self._paused(), old | recent)
        self._pay(old | recent)
        self.env["credit.payment.plan"]._cron_update_state()
        self.assertEqual(plan.state, "done")

    def test_salesman_cannot_touch_payment_plans(self):
        invoice = self._invoice(self.customer, 300.0, due_in=-40)
        plan = self._plan(invoice)
        plan_as_salesman = plan.with_user(self.salesman)
        self.assertEqual(plan_as_salesman.amount_principal, 300.0)
        with self.assertRaises(AccessError):
            plan_as_salesman.write({"instalment_count": 2})
        with self.assertRaises(AccessError):
            plan_as_salesman.action_start()
        with self.assertRaises(AccessError):
            self.env["credit.payment.plan"].with_user(self.salesman).create(
                {"partner_id": self.customer.id}
            )
        with self.assertRaises(AccessError):
            plan_as_salesman.unlink()
