# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .test_dispute import DisputeCommon


@tagged("post_install", "-at_install")
class TestPromise(DisputeCommon):
    def _promise(self, amount, days_ago=0, due_in=10, invoices=None, **values):
        return (
            self.env["credit.promise"]
            .with_user(self.controller)
            .create(
                {
                    "partner_id": self.contact.id,
                    "amount": amount,
                    "date": fields.Date.subtract(self.today, days=days_ago),
                    "date_promised": fields.Date.add(self.today, days=due_in),
                    "invoice_ids": [Command.set(invoices.ids)] if invoices else [],
                    **values,
                }
            )
        )

    def test_kept_from_reconciled_payment(self):
        invoice = self._invoice(self.customer, 800.0, due_in=-30)
        promise = self._promise(500.0)
        self.assertEqual(promise.partner_id, self.customer)
        promise._credit_update_state()
        self.assertEqual(promise.state, "open")  # nothing paid, date not reached
        self._pay(invoice, 300.0)
        promise._credit_update_state()
        self.assertEqual((promise.state, promise.amount_paid), ("open", 300.0))
        self._pay(invoice, 200.0)  # the reconciliation decides it at once
        self.assertEqual((promise.state, promise.amount_paid), ("kept", 500.0))
        self.assertEqual(promise.date_closed, self.today)

    def test_broken_creates_activity_and_counts_for_the_score(self):
        invoice = self._invoice(self.customer, 800.0, due_in=-30)
        self._pay(invoice, 100.0)  # paid before the promise: does not count
        promise = self._promise(400.0, days_ago=0, due_in=0)
        self._pay(invoice, 150.0)
        with self.subTest("date not past"):
            promise._credit_update_state()
            self.assertEqual(promise.state, "open")
        # backdated by the accountant (a credit manager: past promises are history)
        promise.with_env(self.env).write(
            {
                "date": fields.Date.subtract(self.today, days=10),
                "date_promised": fields.Date.subtract(self.today, days=1),
            }
        )
        # the 150.00 paid today is after the promised date: late, does not count
        self.env["credit.promise"]._cron_update_state()
        self.assertEqual((promise.state, promise.amount_paid), ("broken", 0.0))
        activity = promise.activity_ids
        self.assertEqual(activity.user_id, self.controller)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("credit_management.mail_activity_type_credit_promise_broken"),
        )
        # what the risk score reads: broken promises per partner in the last year
        counts = dict(
            self.env["credit.promise"]._read_group(
                [
                    ("state", "=", "broken"),
                    ("date_promised", ">=", fields.Date.subtract(self.today, years=1)),
                    ("company_id", "=", self.company.id),
                ],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        self.assertEqual(counts[self.customer], 1)

    def test_invoice_promise_counts_only_its_invoices(self):
        promised = self._invoice(self.customer, 300.0, due_in=-10)
        other = self._invoice(self.customer, 300.0, due_in=-10)
        promise = self._promise(300.0, invoices=promised)
        self._pay(other)
        promise._credit_update_state()
        self.assertEqual(promise.amount_paid, 0.0)
        self._pay(promised)
        promise._credit_update_state()
        self.assertEqual(promise.state, "kept")

    def test_promise_pauses_dunning_until_its_date(self):
        first = self._invoice(self.customer, 300.0, due_in=-10)
        second = self._invoice(self.customer, 300.0, due_in=-10)
        promise = self._promise(300.0, invoices=first, due_in=5)
        self.assertEqual(self._paused(), first)
        self.assertEqual(self._paused(fields.Date.add(self.today, days=5)), first)
        self.assertFalse(self._paused(fields.Date.add(self.today, days=6)))
        # a promise on the whole account pauses every invoice of the customer
        promise.action_cancel()
        self.assertFalse(self._paused())
        self._promise(600.0)
        self.assertEqual(self._paused(), first | second)

    def test_salesman_reads_but_does_not_record_promises(self):
        promise = self._promise(100.0)
        self.assertEqual(promise.with_user(self.salesman).amount, 100.0)
        with self.assertRaises(AccessError):
            self.env["credit.promise"].with_user(self.salesman).create(
                {
                    "partner_id": self.customer.id,
                    "amount": 1.0,
                    "date_promised": self.today,
                }
            )
