# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import float_compare

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestBlock(CreditCommon):
    def _confirm_as(self, order, user=None):
        return order.with_user(user or self.salesman).action_confirm()

    def _refused(self, order, user=None):
        """Confirm and return the refusal message (the test fails if it passes).

        No savepoint here on purpose: the block log is written by a transaction of
        its own, which a savepoint rollback of the test would also undo."""
        try:
            self._confirm_as(order, user)
        except UserError as error:
            self.assertIn(order.state, ("draft", "sent"))
            return str(error)
        self.fail(f"{order.name} was confirmed")

    # ------------------------------------------------------------------ limit
    def test_limit_boundaries(self):
        self._invoice(self.customer, 400.0)
        just_under = self._order(self.customer, 599.99)
        equal = self._order(self.customer, 600.0)
        just_over = self._order(self.customer, 600.01)
        for order in (just_under, equal):
            self.assertEqual(order.credit_check_state, "pass")
        message = self._refused(just_over)
        self.assertIn(
            "Exposure $\xa0400.00 + this order $\xa0600.01 exceeds the credit "
            "limit of $\xa01,000.00",
            message,
        )
        self._confirm_as(equal)
        self.assertEqual(equal.state, "sale")
        self.assertEqual(self._row(self.customer).exposure_total, 1000.0)
        self._refused(just_under)

    def test_amounts_compare_as_rounded_to_the_currency(self):
        """The rule's comparison answers as ``float_compare`` at the currency's
        rounding, near the limit (where it rounds) and far from it (where it
        does not need to)."""
        Exposure = self.env["credit.exposure"]
        for currency in (self.company.currency_id, self.env.ref("base.JPY")):
            for limit in (0.0, 1000.0, 1234.565):
                for delta in (-2, -1.01, -1, -0.5, -0.011, -0.01, -0.006, -0.005,
                              -0.004, -1e-9, 0, 1e-9, 0.004, 0.005, 0.006, 0.01,
                              0.011, 0.5, 1, 1.01, 2):  # fmt: skip
                    amount = limit + delta
                    self.assertEqual(
                        Exposure._is_over(amount, limit, currency.rounding),
                        float_compare(
                            amount, limit, precision_rounding=currency.rounding
                        )
                        > 0,
                        f"{amount} against {limit} in {currency.name}",
                    )

    def test_limit_tolerance(self):
        self.company.credit_limit_tolerance = 10.0
        self.assertEqual(self._order(self.customer, 1100.0).credit_check_state, "pass")
        message = self._refused(self._order(self.customer, 1100.01))
        self.assertIn("tolerance 10.0 %", message)
        # per-partner override
        self.customer.write(
            {"credit_custom_tolerance": True, "credit_limit_tolerance": 0.0}
        )
        self._refused(self._order(self.customer, 1000.01))

    def test_no_limit_means_unlimited_unless_required(self):
        partner = self.env["res.partner"].create({"name": "No Line SAS"})
        order = self._order(partner, 50000.0)
        self.assertEqual(order.credit_check_state, "pass")
        self.company.credit_require_limit = True
        order.invalidate_recordset(["credit_check_state"])
        self.assertIn("has no credit line", self._refused(order))

    # ------------------------------------------------------------------ overdue
    def test_overdue_tolerance_boundaries(self):
        self.company.credit_overdue_tolerance = 100.0
        self.customer.credit_limit = 0.0  # overdue rule alone
        self._invoice(self.customer, 100.0, due_in=-3)
        self._confirm_as(self._order(self.customer, 10.0))  # equal to tolerance: passes
        self._invoice(self.customer, 0.01, due_in=-1)
        message = self._refused(self._order(self.customer, 10.0))
        self.assertIn("Overdue $\xa0100.01 exceeds the tolerated $\xa0100.00", message)

    def test_overdue_grace_days(self):
        self.company.credit_overdue_grace_days = 10
        self._invoice(self.customer, 50.0, due_in=-10)  # 10 days late: within grace
        self._confirm_as(self._order(self.customer, 10.0))
        self._invoice(self.customer, 50.0, due_in=-11)  # 11 days late: blocks
        message = self._refused(self._order(self.customer, 10.0))
        self.assertIn("more than 10 days late", message)
        self.assertIn("$\xa050.00", message)

    def test_grace_days_of_each_customer_in_one_batch(self):
        """A batch over customers with different grace days applies each one's, with
        one query per number of days, not one per customer."""
        self.company.credit_overdue_grace_days = 10
        customers = self.customer | self.env["res.partner"].create(
            [
                {"name": name, "is_company": True, "credit_limit": 1000.0}
                for name in ("Martin SAS", "Bernard SA", "Petit SARL")
            ]
        )
        # Bernard and Petit have 3 grace days of their own
        customers[2:].write(
            {"credit_custom_tolerance": True, "credit_overdue_grace_days": 3}
        )
        for customer in customers:
            self._invoice(customer, 50.0, due_in=-5)
        orders = self.env["sale.order"].concat(
            *(self._order(customer, 10.0) for customer in customers)
        )
        self.env.flush_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logged:
            refusals = orders._credit_refusals()
        overdue_queries = [
            line for line in logged.output if "OR aml.amount_residual < 0" in line
        ]
        self.assertEqual(len(overdue_queries), 2)  # 10 days and 3 days
        self.assertEqual(list(refusals), list(orders[2:]))
        for order in orders[2:]:
            self.assertIn("more than 3 days late", refusals[order][0][1])

    def test_group_exposure_in_another_currency_at_rate_of_the_day(self):
        """Group exposure converts the rows of a company in another currency into
        the order's company currency at the rate of the day."""
        eur = self.setup_other_currency("EUR", rates=[(self.today, 2.0)])
        company_b = self.setup_other_company(name="Filiale EU", currency_id=eur.id)[
            "company"
        ]
        self._invoice(self.customer, 800.0, company=company_b)  # 400.00 here
        self.assertEqual(self._row(self.customer, company_b).exposure_total, 800.0)
        self.company.credit_group_exposure = True
        self._confirm_as(self._order(self.customer, 600.0))  # 400 + 600 = 1,000
        message = self._refused(self._order(self.customer, 0.01))
        self.assertIn("Exposure $\xa01,000.00 + this order $\xa00.01", message)

    def test_batch_over_companies_and_currencies(self):
        """One call over orders of two companies: only the company with the block
        checks its orders, and an order in another currency counts converted."""
        company_b = self.setup_other_company(name="Filiale B")["company"]
        company_b.credit_block_enabled = False
        eur = self.setup_other_currency("EUR", rates=[(self.today, 2.0)])
        free = self._order(self.customer, 5000.0, company_id=company_b.id)
        first = self._order(self.customer, 1200.0, currency=eur)  # 600.00 here
        second = self._order(self.customer, 500.0)  # 600 + 500 is over 1,000
        checked = (free | first | second)._credit_to_check()
        self.assertEqual(checked, first | second)
        refusals = checked._credit_refusals()
        self.assertEqual(list(refusals), [second])
        self.assertIn(
            "Exposure $\xa00.00 + other orders confirmed with it $\xa0600.00 + this "
            "order $\xa0500.00",
            refusals[second][0][1],
        )

    def test_not_yet_due_does_not_block(self):
        self._invoice(self.customer, 500.0, due_in=0)  # due today: not overdue
        self._confirm_as(self._order(self.customer, 10.0))

    # ------------------------------------------------------------------ hold
    def test_credit_hold(self):
        self.customer.write(
            {"credit_hold": True, "credit_hold_reason": "Cheque returned"}
        )
        message = self._refused(self._order(self.contact, 1.0))
        self.assertIn("Dupont SARL is on credit hold: Cheque returned.", message)
        # a credit manager is refused too: only an explicit release passes
        self._refused(self._order(self.customer, 1.0), self.manager)

    def test_every_reason_with_figures(self):
        self.customer.credit_hold = True
        self._invoice(self.customer, 900.0, due_in=-40)
        message = self._refused(self._order(self.customer, 200.0))
        for text in ("credit hold", "exceeds the credit limit", "Overdue $\xa0900.00"):
            self.assertIn(text, message)

    # ------------------------------------------------------------------ paths
    def test_batch_confirmation_is_cumulative(self):
        first, second = (
            self._order(self.customer, 600.0),
            self._order(self.customer, 600.0),
        )
        self.assertEqual(first.credit_check_state, "pass")
        self.assertEqual(second.credit_check_state, "pass")
        with self.assertRaisesRegex(UserError, "other orders confirmed with it"):
            (first | second).with_user(self.salesman).action_confirm()
        self.assertEqual((first | second).mapped("state"), ["draft", "draft"])
        # orders of other customers in the same batch are not affected
        other = self.env["res.partner"].create({"name": "Other", "credit_limit": 700.0})
        batch = first | self._order(other, 600.0)
        batch.with_user(self.salesman).action_confirm()
        self.assertEqual(batch.mapped("state"), ["sale", "sale"])

    def test_rule_counts_only_the_orders_that_pass_or_are_released(self):
        """``_credit_check_orders``: in sequence, an order that passes or is released
        counts for the next ones; a refused one does not."""
        codes = [
            [code for code, __ in reasons]
            for reasons in self.customer._credit_check_orders(
                self.company,
                [300.0, 900.0, 200.0, 600.0, 100.0],
                released=[False, False, False, True, False],
            )
        ]
        # 300 passes; 300 + 900 is over 1,000; 300 + 200 passes; 600 released
        # (1,100 now); 1,100 + 100 is over
        self.assertEqual(codes, [[], ["limit"], [], [], ["limit"]])
        self.customer.credit_hold = True
        results = self.customer._credit_check_orders(self.company, [10.0, 20.0])
        self.assertEqual(
            [[code for code, __ in reasons] for reasons in results],
            [["hold"], ["hold"]],
        )

    # ------------------------------------------------------------------ the rows
    def _orders_on_row(self, partner=None):
        row = self._row(partner or self.customer)
        row.invalidate_recordset()
        return row.order_amount

    def test_confirmation_adds_the_order_in_the_locking_statement(self):
        """One statement on the exposure rows per confirmation: the UPDATE that adds
        the order also locks the row (no locking read before, no update after)."""
        self._confirm_as(self._order(self.customer, 100.0))
        self.assertEqual(self._orders_on_row(), 100.0)
        order = self._order(self.customer, 250.0)
        self.env.flush_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logged:
            self._confirm_as(order)
            self.env.flush_all()
        statements = [
            line
            for line in logged.output
            if "credit_exposure" in line.split("query:")[-1]
        ]
        self.assertEqual(len(statements), 1, statements)
        self.assertIn("UPDATE credit_exposure", statements[0])
        self.assertEqual(self._orders_on_row(), 350.0)

    def test_new_customer_row_counts_the_order_once(self):
        newcomer = self.env["res.partner"].create(
            {"name": "New", "credit_limit": 500.0}
        )
        self.assertFalse(self._row(newcomer))
        self._confirm_as(self._order(newcomer, 300.0))
        self.assertEqual(self._orders_on_row(newcomer), 300.0)
        self.assertEqual(self._row(newcomer).available_credit, 200.0)

    def test_row_fallen_overdue_is_recomputed_with_the_order_once(self):
        """A row whose items fell due since its computation is recomputed by the
        check, and the order being confirmed is then added once."""
        self.company.credit_overdue_tolerance = 1000.0
        self._invoice(self.customer, 300.0, due_in=-5)
        self._confirm_as(self._order(self.customer, 100.0))
        row = self._row(self.customer)
        yesterday = fields.Date.subtract(self.today, days=1)
        # as if computed yesterday, with the invoice not yet due
        self.env.cr.execute(
            """UPDATE credit_exposure
                  SET refreshed_on = %s, next_due_date = %s, overdue_amount = 0
                WHERE id = %s""",
            [yesterday, yesterday, row.id],
        )
        row.invalidate_recordset()
        self.assertEqual(row.overdue_amount, 0.0)
        self._confirm_as(self._order(self.customer, 200.0))
        row.invalidate_recordset()
        self.assertRecordValues(
            row,
            [
                {
                    "overdue_amount": 300.0,
                    "order_amount": 300.0,
                    "refreshed_on": self.today,
                }
            ],
        )

    def test_row_overdue_in_the_users_time_zone_is_recomputed(self):
        """The check asks for the user's date only for rows that may have fallen
        overdue by the server's date plus one day: a user whose day is ahead of the
        server's still sees the item due the day before (their time) as overdue."""
        self.company.credit_overdue_tolerance = 1000.0
        self._invoice(self.customer, 300.0, due_in=0)
        row = self._row(self.customer)
        self.assertEqual(row.overdue_amount, 0.0)
        self.salesman.tz = "Pacific/Kiritimati"  # UTC+14: tomorrow from 10:00 UTC
        with freeze_time(f"{self.today} 12:00:00"):
            self._confirm_as(self._order(self.customer, 100.0))
        row.invalidate_recordset()
        self.assertRecordValues(
            row,
            [
                {
                    "overdue_amount": 300.0,
                    "order_amount": 100.0,
                    "refreshed_on": fields.Date.add(self.today, days=1),
                }
            ],
        )

    def test_refused_batch_leaves_the_rows_as_they_were(self):
        """A caller catching the refusal without rolling back (a script looping on
        orders) finds the exposure unchanged, the passing orders of the batch too."""
        self._confirm_as(self._order(self.customer, 100.0))
        batch = self._order(self.customer, 400.0) | self._order(self.customer, 600.0)
        with self.assertRaisesRegex(UserError, "exceeds the credit limit"):
            batch.with_user(self.salesman).action_confirm()
        self.assertEqual(self._orders_on_row(), 100.0)

    def test_error_after_the_check_leaves_the_rows_as_they_were(self):
        done = self._order(self.customer, 100.0)
        self._confirm_as(done)
        # Odoo refuses a batch holding an order already confirmed, after the check
        with self.assertRaisesRegex(UserError, "not in a state requiring confirmation"):
            (done | self._order(self.customer, 200.0)).with_user(
                self.salesman
            ).action_confirm()
        self.assertEqual(self._orders_on_row(), 100.0)

    def test_unattended_batch_counts_only_the_confirmed_orders(self):
        blocked = self._order(self.customer, 1500.0)
        fine = self._order(self.customer, 100.0)
        (blocked | fine).with_user(self.salesman).with_context(
            credit_unattended=True
        ).action_confirm()
        self.assertEqual((blocked | fine).mapped("state"), ["draft", "sale"])
        self.assertEqual(self._orders_on_row(), 100.0)

    def test_batch_of_a_customer_and_its_contact_is_cumulative(self):
        # each order knows the customer it counts for (its stored commercial entity)
        batch = self._order(self.customer, 600.0) | self._order(self.contact, 600.0)
        with self.assertRaisesRegex(UserError, "other orders confirmed with it"):
            batch.with_user(self.salesman).action_confirm()
        self.assertEqual(batch.mapped("state"), ["draft", "draft"])

    def test_contact_moved_in_the_same_transaction(self):
        # the new parent, not yet written to the database, is the one checked
        order = self._order(self.contact, 500.0)
        other = self.env["res.partner"].create({"name": "Small", "credit_limit": 100.0})
        self.contact.parent_id = other
        self.assertEqual(order.credit_partner_id, other)
        message = self._refused(order)
        self.assertIn("credit limit of $\xa0100.00", message)

    def test_form_button_path(self):
        order = self._order(self.customer, 1500.0)
        form = Form(order.with_user(self.salesman))
        self.assertEqual(form.credit_check_state, "block")
        self.assertIn("exceeds the credit limit", form.credit_check_message)
        record = form.save()
        with self.assertRaisesRegex(UserError, "exceeds the credit limit"):
            record.action_confirm()

    def test_code_calling_action_confirm_as_superuser(self):
        order = self._order(self.customer, 1500.0)
        with self.assertRaisesRegex(UserError, "exceeds the credit limit"):
            order.sudo().action_confirm()

    def test_unattended_context_is_no_bypass(self):
        """The unattended flag only changes how a refusal is shown: the order is put
        on credit hold, never confirmed."""
        blocked = self._order(self.customer, 1500.0)
        fine = self._order(self.customer, 100.0)
        (blocked | fine).with_user(self.salesman).with_context(
            credit_unattended=True
        ).action_confirm()
        self.assertEqual(fine.state, "sale")
        self.assertEqual(blocked.state, "draft")
        self.assertTrue(blocked.credit_blocked)
        activities = blocked.activity_ids
        self.assertIn(self.salesman, activities.user_id)
        self.assertIn(self.manager, activities.user_id)
        self.assertEqual(
            self.customer.with_user(self.salesman).credit_blocked_order_count, 1
        )

    def test_refusal_is_logged(self):
        order = self._order(self.customer, 1500.0)
        self._refused(order)
        log = self.env["credit.block.log"].search([("order_id", "=", order.id)])
        self.assertRecordValues(
            log,
            [
                {
                    "reason": "limit",
                    "partner_id": self.customer.id,
                    "amount": 1500.0,
                    "user_id": self.salesman.id,
                    "salesperson_id": self.salesman.id,
                    "credit_limit": 1000.0,
                    "released": False,
                }
            ],
        )
        self.assertIn("exceeds the credit limit", log.message)

    def test_block_disabled_per_company(self):
        self.company.credit_block_enabled = False
        self._confirm_as(self._order(self.customer, 5000.0))

    def test_refusal_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["credit_management"], ["fr_FR"]
        )
        self.salesman.lang = "fr_FR"
        order = self._order(self.customer, 1500.0).with_context(lang="fr_FR")
        message = self._refused(order)  # a request of a French user carries its lang
        self.assertIn("dépasse la limite de crédit", message)
