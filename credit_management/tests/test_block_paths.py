# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The block holds on every write path, as an RPC caller of each group uses it:
the hold and release fields, confirmation by ``state``, changes of confirmed
orders, the invoice address, negative orders and the smaller guards."""

from contextlib import contextmanager

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestBlockPaths(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.payer = cls.env["res.partner"].create(
            {"name": "Martin Holding", "is_company": True, "credit_limit": 500.0}
        )
        cls.payer_billing = cls.env["res.partner"].create(
            {"name": "Martin Holding, Billing", "parent_id": cls.payer.id,
             "type": "invoice"}
        )  # fmt: skip

    @contextmanager
    def _refused(self, exception, text):
        """Odoo's ``assertRaises`` (which rolls its savepoint back, as an RPC
        call's error rolls its transaction back), then the message."""
        with self.assertRaises(exception) as catcher:
            yield
        self.assertRegex(str(catcher.exception), text)

    def _users(self):
        return self.salesman, self.controller, self.manager

    # ------------------------------------------------------------------ 1. fields
    def test_hold_and_release_fields_refused_to_every_group(self):
        order = self._order(self.customer, 2000.0)
        for user in self._users():
            for vals in (
                {"credit_release_amount": 5000.0},
                {"credit_blocked": True},
                {"credit_block_reason": "x"},
                {"credit_release_requested": True},
                {"credit_release_reason": "x"},
                {"credit_release_user_id": user.id},
                {"credit_release_date": "2026-01-01 00:00:00"},
                {"credit_partner_id": self.payer.id},
            ):
                with self._refused(AccessError, "credit actions only"):
                    order.with_user(user).write(vals)
        self.assertFalse(order.credit_release_amount)
        self.assertFalse(order.credit_blocked)
        self.assertEqual(order.credit_partner_id, self.customer)

    def test_hold_and_release_fields_refused_on_create_copy_load(self):
        order = self._order(self.customer, 2000.0)
        Order = self.env["sale.order"].with_user(self.salesman)
        count = Order.search_count([])
        with self.assertRaises(AccessError):
            Order.create(
                {"partner_id": self.customer.id, "credit_release_amount": 5000.0}
            )
        with self.assertRaises(AccessError):
            Order.with_context(default_credit_release_amount=5000.0).create(
                {"partner_id": self.customer.id}
            )
        with self.assertRaises(AccessError):
            order.with_user(self.manager).copy({"credit_release_amount": 5000.0})
        result = Order.load(
            ["partner_id/.id", "credit_release_amount"],
            [[str(self.customer.id), "5000"]],
        )
        self.assertFalse(result["ids"])
        self.assertIn("credit actions only", result["messages"][0]["message"])
        self.assertEqual(Order.search_count([]), count)
        # the release action still releases, logged
        wizard = Form(
            self.env["sale.order.credit.release"]
            .with_user(self.manager)
            .with_context(default_order_id=order.id)
        )
        wizard.reason = "Guarantee received"
        wizard.save().action_release_and_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_release_amount, 2000.0)

    # ------------------------------------------------------------------ 2. state
    def test_state_written_directly_runs_the_rule(self):
        over = self._order(self.customer, 1500.0)
        for user in self._users():
            with self._refused(UserError, "cannot be confirmed"):
                over.with_user(user).write({"state": "sale"})
            self.assertEqual(over.state, "draft")
        self.assertEqual(self._row(self.customer).order_amount, 0.0)
        within = self._order(self.customer, 600.0)
        within.with_user(self.salesman).write({"state": "sale"})
        self.assertEqual(within.state, "sale")
        # the order counts in the exposure, as after a confirmation
        self.assertEqual(self._row(self.customer).order_amount, 600.0)
        second = self._order(self.customer, 600.0)
        with self._refused(UserError, "exceeds the credit limit"):
            second.with_user(self.salesman).write({"state": "sale"})
        # a confirmed order written out of ``sale`` leaves the exposure
        within.with_user(self.salesman).write({"state": "cancel"})
        self.assertEqual(self._row(self.customer).order_amount, 0.0)
        second.with_user(self.salesman).write({"state": "sale"})
        self.assertEqual(self._row(self.customer).order_amount, 600.0)

    def test_state_on_create_copy_and_load_runs_the_rule(self):
        Order = self.env["sale.order"].with_user(self.salesman)
        line = Command.create(
            {"product_id": self.service.id, "product_uom_qty": 1.0,
             "price_unit": 1500.0, "tax_ids": [Command.clear()]}
        )  # fmt: skip
        count = Order.search_count([])
        with self._refused(UserError, "cannot be confirmed"):
            Order.create(
                {"partner_id": self.customer.id, "state": "sale", "order_line": [line]}
            )
        with self._refused(UserError, "cannot be confirmed"):
            Order.with_context(default_state="sale").create(
                {"partner_id": self.customer.id, "order_line": [line]}
            )
        quotation = self._order(self.customer, 1500.0)
        with self._refused(UserError, "cannot be confirmed"):
            quotation.with_user(self.salesman).copy({"state": "sale"})
        result = Order.load(
            ["partner_id/.id", "order_line/product_id/.id",
             "order_line/product_uom_qty", "order_line/price_unit", "state"],
            [[str(self.customer.id), str(self.service.id), "1", "1500", "sale"]],
        )  # fmt: skip
        self.assertFalse(result["ids"])
        self.assertIn("cannot be confirmed", result["messages"][0]["message"])
        self.assertEqual(Order.search_count([]), count + 1)  # the quotation
        self.assertEqual(self._row(self.customer).order_amount, 0.0)
        # within the limit, a confirmed order created directly counts
        order = Order.create(
            {"partner_id": self.customer.id, "state": "sale",
             "order_line": [Command.create(
                 {"product_id": self.service.id, "product_uom_qty": 1.0,
                  "price_unit": 400.0, "tax_ids": [Command.clear()]})]}
        )  # fmt: skip
        self.assertEqual(order.state, "sale")
        self.assertEqual(self._row(self.customer).order_amount, 400.0)

    # ------------------------------------------------------------------ 3. changes
    def test_confirmed_order_changes_are_checked(self):
        order = self._order(self.customer, 600.0)
        order.with_user(self.salesman).action_confirm()
        line = order.order_line
        as_salesman = order.with_user(self.salesman)
        # raising a quantity beyond the limit (through the order, then the line)
        with self._refused(UserError, "adds .*500.00 to the exposure"):
            as_salesman.write(
                {"order_line": [Command.update(
                    line.id, {"product_uom_qty": 2.0, "price_unit": 550.0})]}
            )  # fmt: skip
        with self._refused(UserError, "exceeds the credit limit"):
            line.with_user(self.salesman).write(
                {"product_uom_qty": 2.0, "price_unit": 600.0}
            )
        with self._refused(UserError, "exceeds the credit limit"):
            line.with_user(self.salesman).write({"price_unit": 1200.0})
        # adding a line, through the order and directly
        new_line = {"product_id": self.service.id, "product_uom_qty": 1.0,
                    "price_unit": 500.0, "tax_ids": [Command.clear()]}  # fmt: skip
        with self._refused(UserError, "exceeds the credit limit"):
            as_salesman.write({"order_line": [Command.create(new_line)]})
        with self._refused(UserError, "exceeds the credit limit"):
            self.env["sale.order.line"].with_user(self.salesman).create(
                {**new_line, "order_id": order.id}
            )
        self.assertEqual(order.amount_total, 600.0)
        self.assertEqual(self._row(self.customer).order_amount, 600.0)
        # an increase within the limit passes and counts; a decrease always passes
        line.with_user(self.salesman).write({"price_unit": 900.0})
        self.assertEqual(self._row(self.customer).order_amount, 900.0)
        self._invoice(self.customer, 500.0)  # now over the limit
        line.with_user(self.salesman).write({"price_unit": 800.0})
        self.assertEqual(self._row(self.customer).order_amount, 800.0)

    def test_confirmed_order_moved_to_another_customer_is_checked(self):
        order = self._order(self.customer, 600.0)
        order.action_confirm()
        self._invoice(self.payer, 400.0)
        for fname, partner in (
            ("partner_id", self.payer),
            ("partner_invoice_id", self.payer_billing),
        ):
            with self._refused(UserError, "Martin Holding"):
                order.with_user(self.salesman).write({fname: partner.id})
            self.assertEqual(order.credit_partner_id, self.customer)
        self.assertEqual(self._row(self.customer).order_amount, 600.0)
        self.payer.credit_limit = 2000.0
        order.with_user(self.salesman).write(
            {"partner_invoice_id": self.payer_billing.id}
        )
        self.assertEqual(self._row(self.customer).order_amount, 0.0)
        self.assertEqual(self._row(self.payer).order_amount, 600.0)

    # ------------------------------------------------------------------ 4. payer
    def test_invoice_address_of_another_customer_is_the_payer(self):
        self._invoice(self.payer, 400.0)
        # the customer has room, the payer has not: refused on the payer's limit
        order = self._order(
            self.customer, 200.0, partner_invoice_id=self.payer_billing.id
        )
        self.assertEqual(order.credit_partner_id, self.payer)
        self.assertEqual(order.credit_check_state, "block")
        self.assertIn("500.00", order.credit_check_message)
        with self._refused(UserError, "exceeds the credit limit"):
            order.with_user(self.salesman).action_confirm()
        # the payer has room, the ordering customer has none: passes, counts for
        # the payer
        self._invoice(self.customer, 1000.0)
        order.partner_invoice_id = self.payer_billing
        order.order_line.price_unit = 100.0
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(self._row(self.payer).order_amount, 100.0)
        self.assertEqual(self._row(self.customer).order_amount, 0.0)

    def test_paying_customer_shows_the_orders_it_pays_for(self):
        """The smart buttons count an order for the customer that pays it (whose
        exposure and limit it weighs on), not for the one that ordered."""
        self._invoice(self.payer, 400.0)
        held = self._order(
            self.customer, 200.0, partner_invoice_id=self.payer_billing.id
        )
        held.with_user(self.salesman).with_context(
            credit_unattended=True
        ).action_confirm()
        self.assertTrue(held.credit_blocked)
        fine = self._order(self.contact, 50.0)
        fine.with_user(self.salesman).action_confirm()

        def records(partner, action):
            action = getattr(partner.with_user(self.salesman), action)()
            return self.env[action["res_model"]].search(action["domain"])

        payer, customer = (
            p.with_user(self.salesman) for p in (self.payer, self.customer)
        )
        self.assertEqual(payer.credit_blocked_order_count, 1)
        self.assertEqual(self.payer_billing.credit_blocked_order_count, 1)
        self.assertEqual(customer.credit_blocked_order_count, 0)
        self.assertEqual(
            records(self.payer_billing, "action_open_credit_blocked_orders"), held
        )
        self.assertFalse(records(self.customer, "action_open_credit_blocked_orders"))
        self.assertEqual(records(self.customer, "action_open_credit_orders"), fine)
        self.assertFalse(records(self.payer, "action_open_credit_orders"))

    def test_ordering_customer_on_hold_is_refused_whoever_pays(self):
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Litigation"})
        order = self._order(
            self.customer, 100.0, partner_invoice_id=self.payer_billing.id
        )
        with self._refused(UserError, "ordering customer .* on credit hold"):
            order.with_user(self.salesman).action_confirm()

    # ------------------------------------------------------------------ 5. negative
    def test_negative_orders_make_no_room(self):
        self._invoice(self.customer, 800.0)
        credit = self._order(self.customer, -500.0)
        credit.with_user(self.salesman).action_confirm()
        self.assertEqual(self._row(self.customer).order_amount, 0.0)
        self.assertEqual(self._row(self.customer).exposure_total, 800.0)
        self.Exposure._refresh(self.customer)
        self.assertEqual(self._row(self.customer).order_amount, 0.0)
        order = self._order(self.customer, 300.0)
        with self._refused(UserError, "exceeds the credit limit"):
            order.with_user(self.salesman).action_confirm()
        # a negative line inside an order lowers that order, not below zero
        mixed = self._order(self.customer, 150.0)
        mixed.order_line = [
            Command.create(
                {"product_id": self.service.id, "product_uom_qty": 1.0,
                 "price_unit": -100.0, "tax_ids": [Command.clear()]}
            )
        ]  # fmt: skip
        mixed.with_user(self.salesman).action_confirm()
        self.assertEqual(self._row(self.customer).order_amount, 50.0)

    # ------------------------------------------------------------------ 10. smaller
    def test_refresh_all_is_for_managers(self):
        for user in (self.salesman, self.controller):
            with self.assertRaises(AccessError):
                self.Exposure.with_user(user).action_refresh_all()
        self.assertTrue(self.Exposure.with_user(self.manager).action_refresh_all())

    def test_release_requested_twice_gives_one_activity_per_manager(self):
        order = self._order(self.customer, 2000.0)
        for __ in range(3):
            order.with_user(self.salesman).action_credit_request_release()
        activity_type = self.env.ref(
            "credit_management.mail_activity_type_credit_release"
        )
        activities = order.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        self.assertTrue(activities)
        self.assertEqual(len(activities), len(activities.user_id))
        self.assertIn(self.manager, activities.user_id)
