# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestExposure(CreditCommon):
    def test_posted_invoice_counts_and_falls_overdue(self):
        invoice = self._invoice(self.customer, 300.0, due_in=-10)
        self.assertEqual(
            invoice.invoice_date_due, fields.Date.add(self.today, days=-10)
        )
        self._invoice(self.customer, 200.0, due_in=20)
        row = self._row(self.customer)
        self.assertRecordValues(
            row,
            [
                {
                    "receivable_amount": 500.0,
                    "overdue_amount": 300.0,
                    "exposure_total": 500.0,
                    "credit_limit": 1000.0,
                    "available_credit": 500.0,
                    "over_limit": False,
                    "oldest_overdue_date": fields.Date.add(self.today, days=-10),
                    "next_due_date": fields.Date.add(self.today, days=20),
                }
            ],
        )
        self.assertEqual(row.overdue_days, 10)

    def test_contacts_roll_up_to_commercial_partner(self):
        self._invoice(self.contact, 120.0)
        self._order(self.contact, 80.0).action_confirm()
        row = self._row(self.customer)
        self.assertEqual(row.partner_id, self.customer)
        self.assertEqual(row.exposure_total, 200.0)
        self.assertFalse(self.Exposure.search([("partner_id", "=", self.contact.id)]))
        self.assertEqual(
            self.contact.with_user(self.salesman).credit_exposure_total, 200.0
        )

    def test_partial_and_full_payment(self):
        invoice = self._invoice(self.customer, 500.0, due_in=-5)
        self._pay(invoice, 200.0)
        self.assertRecordValues(
            self._row(self.customer),
            [{"receivable_amount": 300.0, "overdue_amount": 300.0}],
        )
        self._pay(invoice)
        self.assertRecordValues(
            self._row(self.customer),
            [
                {
                    "receivable_amount": 0.0,
                    "overdue_amount": 0.0,
                    "oldest_overdue_date": False,
                }
            ],
        )

    def test_credit_note_and_unreconciled_payment_reduce(self):
        self._invoice(self.customer, 500.0, due_in=-5)
        self._invoice(self.customer, 100.0, move_type="out_refund", due_in=-5)
        self.assertEqual(self._row(self.customer).receivable_amount, 400.0)
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 150.0,
            }
        )
        payment.action_post()
        self.assertEqual(self._row(self.customer).receivable_amount, 250.0)
        self.assertEqual(self._row(self.customer).overdue_amount, 250.0)

    def test_draft_invoices_follow_company_setting(self):
        self._invoice(self.customer, 250.0, post=False)
        self.assertEqual(self._row(self.customer).draft_invoice_amount, 250.0)
        settings = self.env["res.config.settings"].create({})
        settings.credit_include_draft_invoices = False
        settings.execute()
        self.assertEqual(self._row(self.customer).draft_invoice_amount, 0.0)
        self.assertEqual(self._row(self.customer).exposure_total, 0.0)

    def test_confirmed_order_then_invoiced_is_not_counted_twice(self):
        order = self._order(self.customer, 100.0, taxes=self.tax_20)
        order.action_confirm()
        self.assertEqual(self._row(self.customer).order_amount, 120.0)  # taxes included
        invoice = order._create_invoices()
        row = self._row(self.customer)
        self.assertEqual((row.order_amount, row.draft_invoice_amount), (0.0, 120.0))
        invoice.action_post()
        row = self._row(self.customer)
        self.assertRecordValues(
            row,
            [
                {
                    "order_amount": 0.0,
                    "draft_invoice_amount": 0.0,
                    "receivable_amount": 120.0,
                    "exposure_total": 120.0,
                }
            ],
        )
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(self._row(self.customer).receivable_amount, 0.0)

    # ------------------------------------------------------------------ posting
    ROW_FIGURES = [
        "receivable_amount", "overdue_amount", "oldest_overdue_date",
        "next_due_date", "draft_invoice_amount", "order_amount", "exposure_total",
        "credit_limit", "available_credit", "over_limit",
    ]  # fmt: skip

    def _assert_as_refreshed(self, partner, company=None):
        """The row kept by the events holds what a recomputation gives."""
        row = self._row(partner, company)
        self.assertTrue(row)
        row.invalidate_recordset()
        kept = row.read(self.ROW_FIGURES)
        self.Exposure._refresh(partner, company or self.company)
        row.invalidate_recordset()
        self.assertEqual(kept, row.read(self.ROW_FIGURES))

    def test_posting_an_invoice_adds_it_in_one_statement(self):
        """Posting a customer invoice not yet due adds its items to the customer's
        row in one UPDATE, without recomputing the row, and gives the figures a
        recomputation gives (drafts recounted in the same statement)."""
        self.company.credit_overdue_tolerance = 1000.0
        self._invoice(self.customer, 300.0, due_in=-5)
        self._order(self.customer, 100.0).action_confirm()
        self._invoice(self.customer, 40.0, post=False)
        invoice = self._invoice(self.customer, 250.0, due_in=10, post=False)
        self.assertEqual(self._row(self.customer).draft_invoice_amount, 290.0)
        self.env.flush_all()
        with self.assertLogs("odoo.sql_db", "DEBUG") as logged:
            invoice.action_post()
            self.env.flush_all()
        queries = [line.split("query:")[-1] for line in logged.output]
        statements = [query for query in queries if "credit_exposure" in query]
        self.assertEqual(len(statements), 1, statements)
        self.assertIn("UPDATE credit_exposure", statements[0])
        self.assertFalse([query for query in queries if "credit_dispute" in query])
        self.assertRecordValues(
            self._row(self.customer),
            [
                {
                    "receivable_amount": 550.0,
                    "overdue_amount": 300.0,
                    "oldest_overdue_date": fields.Date.add(self.today, days=-5),
                    "next_due_date": fields.Date.add(self.today, days=10),
                    "draft_invoice_amount": 40.0,
                    "order_amount": 100.0,
                    "exposure_total": 690.0,
                    "available_credit": 310.0,
                    "over_limit": False,
                }
            ],
        )
        self._assert_as_refreshed(self.customer)
        # over the limit by the posting alone
        self._invoice(self.customer, 400.0, due_in=3)
        self.assertRecordValues(
            self._row(self.customer),
            [{"exposure_total": 1090.0, "over_limit": True}],
        )
        self._assert_as_refreshed(self.customer)

    def test_posting_recomputes_what_an_addition_cannot_give(self):
        """Items already due, credit notes, an invoice of nothing, payments,
        customers without a row, another company, another currency, a contact,
        several invoices at once and a company that does not count drafts: the row
        holds what a recomputation gives after each posting."""
        self._invoice(self.customer, 200.0, due_in=20)
        cases = [
            (self.customer, 120.0, {"due_in": -3}),
            (self.customer, 50.0, {"due_in": -3, "move_type": "out_refund"}),
            (self.customer, 70.0, {"due_in": 0}),
            (self.contact, 30.0, {"due_in": 5}),
            (self.customer, 0.0, {}),
        ]
        for partner, amount, values in cases:
            self._invoice(partner, amount, **values)
            self._assert_as_refreshed(self.customer)
        self.assertRecordValues(
            self._row(self.customer),
            [{"receivable_amount": 370.0, "overdue_amount": 70.0}],
        )
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 80.0,
            }
        )
        payment.action_post()
        self._assert_as_refreshed(self.customer)
        self.assertEqual(self._row(self.customer).receivable_amount, 290.0)

        newcomer = self.env["res.partner"].create(
            {"name": "Nouveau", "credit_limit": 100.0}
        )
        self._invoice(newcomer, 60.0)
        self.assertEqual(self._row(newcomer).exposure_total, 60.0)
        self._assert_as_refreshed(newcomer)

        company_b = self.setup_other_company(name="Filiale B")["company"]
        self._invoice(self.customer, 400.0, company=company_b)
        self._invoice(self.customer, 10.0, company=company_b)
        self.assertEqual(self._row(self.customer, company_b).exposure_total, 410.0)
        self._assert_as_refreshed(self.customer, company_b)

        eur = self.setup_other_currency("EUR", rates=[(self.today, 2.0)])
        self._invoice(self.customer, 300.0, currency=eur)  # 150.00 company currency
        self.assertEqual(self._row(self.customer).receivable_amount, 440.0)
        self._assert_as_refreshed(self.customer)

        both = self._invoice(self.customer, 5.0, post=False) | self._invoice(
            self.contact, 15.0, due_in=1, post=False
        )
        both.action_post()
        self.assertEqual(self._row(self.customer).receivable_amount, 460.0)
        self._assert_as_refreshed(self.customer)

        self.company.credit_include_draft_invoices = False
        self._invoice(self.customer, 25.0, post=False)
        self._invoice(self.customer, 35.0)
        self.assertRecordValues(
            self._row(self.customer),
            [{"receivable_amount": 495.0, "draft_invoice_amount": 0.0}],
        )
        self._assert_as_refreshed(self.customer)

    def test_posting_keeps_a_row_fallen_overdue_for_recomputation(self):
        """An addition to a row whose items fell due since its computation leaves it
        to be recomputed by the next reader, which then counts both."""
        self._invoice(self.customer, 300.0, due_in=-5)
        invoice = self._invoice(self.customer, 100.0, due_in=10, post=False)
        row = self._row(self.customer)
        yesterday = fields.Date.subtract(self.today, days=1)
        self.env.cr.execute(
            """UPDATE credit_exposure
                  SET refreshed_on = %s, next_due_date = %s, overdue_amount = 0,
                      oldest_overdue_date = NULL
                WHERE id = %s""",
            [yesterday, yesterday, row.id],
        )
        row.invalidate_recordset()
        invoice.action_post()
        row.invalidate_recordset()
        self.assertEqual(row.receivable_amount, 400.0)
        self.assertEqual(row.next_due_date, yesterday)
        rows = self.Exposure._get_rows(self.customer, self.company)
        self.assertRecordValues(
            rows,
            [
                {
                    "receivable_amount": 400.0,
                    "overdue_amount": 300.0,
                    "next_due_date": fields.Date.add(self.today, days=10),
                    "refreshed_on": self.today,
                }
            ],
        )

    def test_cancelled_order_leaves_exposure(self):
        order = self._order(self.customer, 300.0)
        order.action_confirm()
        self.assertEqual(self._row(self.customer).order_amount, 300.0)
        order._action_cancel()
        self.assertEqual(self._row(self.customer).order_amount, 0.0)

    def test_foreign_currency_order_at_rate_of_the_day(self):
        other = self.setup_other_currency(
            "EUR",
            rates=[(fields.Date.subtract(self.today, days=30), 4.0), (self.today, 2.0)],
        )
        order = self._order(self.customer, 300.0, currency=other)
        self.assertEqual(order.currency_id, other)
        order.action_confirm()
        # 300 in the foreign currency at today's rate of 2 per company unit
        self.assertAlmostEqual(self._row(self.customer).order_amount, 150.0)

    def test_refresh_all_matches_event_maintenance(self):
        self._invoice(self.customer, 300.0, due_in=3)
        other = self.env["res.partner"].create(
            {"name": "Martin SA", "credit_limit": 50.0}
        )
        self._invoice(other, 80.0, due_in=-5)
        self._order(self.customer, 40.0).action_confirm()
        fields_ = [
            "receivable_amount",
            "overdue_amount",
            "order_amount",
            "exposure_total",
            "over_limit",
            "available_credit",
        ]
        before = (self._row(self.customer) | self._row(other)).read(fields_)
        self.Exposure.action_refresh_all()
        after = (self._row(self.customer) | self._row(other)).read(fields_)
        self.assertEqual(before, after)
        self.assertTrue(self._row(other).over_limit)

    def test_payment_refreshes_once_at_the_end(self):
        """Posting and reconciling a payment ask two refreshes; the enclosing block
        runs them together at its end, and a check inside it sees them."""
        invoice = self._invoice(self.customer, 500.0, due_in=-5)
        with self.Exposure._deferred_refresh():
            self._pay(invoice, 200.0)
            self.assertEqual(self._row(self.customer).receivable_amount, 500.0)
            rows = self.Exposure._get_rows(self.customer, self.company)
            self.assertEqual(rows.receivable_amount, 300.0)
            self._pay(invoice, 100.0)
        self.assertEqual(self._row(self.customer).receivable_amount, 200.0)

    def test_event_refresh_runs_serially_and_restores_the_setting(self):
        """An event's refresh keeps PostgreSQL from starting parallel workers for its
        few customers, and leaves the transaction's setting as it found it."""
        self.env.cr.execute("SHOW max_parallel_workers_per_gather")
        before = self.env.cr.fetchone()[0]
        self._invoice(self.customer, 500.0, due_in=-5)
        self.Exposure._refresh(self.customer, self.company)
        self.env.cr.execute("SHOW max_parallel_workers_per_gather")
        self.assertEqual(self.env.cr.fetchone()[0], before)
        self.assertEqual(self._row(self.customer).overdue_amount, 500.0)

    def test_deferred_refresh_left_to_the_commit_on_error(self):
        invoice = self._invoice(self.customer, 500.0, due_in=-5, post=False)
        # caught without a savepoint (assertRaises would roll the posting back)
        stopped = False
        try:
            with self.Exposure._deferred_refresh():
                invoice.action_post()
                raise ValueError("interrupted")
        except ValueError:
            stopped = True
        self.assertTrue(stopped)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(self._row(self.customer).receivable_amount, 0.0)
        self.env.cr.precommit.run()  # what a commit runs first
        self.assertEqual(self._row(self.customer).receivable_amount, 500.0)

    def test_refresh_is_set_based(self):
        """The number of queries of a refresh does not grow with the partners."""
        partners = self.env["res.partner"].create(
            [{"name": f"Customer {i}", "credit_limit": 10.0} for i in range(12)]
        )
        for partner in partners:
            self._invoice(partner, 20.0)
        self.env.flush_all()
        with self.assertQueryCount(7):
            self.Exposure._refresh(partners[:1])
        with self.assertQueryCount(7):
            self.Exposure._refresh(partners)
        self.assertEqual(
            self.Exposure.search_count(
                [("partner_id", "in", partners.ids), ("over_limit", "=", True)]
            ),
            12,
        )

    def test_daily_refresh_picks_items_falling_overdue(self):
        self._invoice(self.customer, 300.0, due_in=2)
        self.assertEqual(self._row(self.customer).overdue_amount, 0.0)
        with freeze_time(fields.Date.add(self.today, days=5)):
            self.Exposure._cron_refresh()
            row = self._row(self.customer)
            self.assertEqual(row.overdue_amount, 300.0)
            self.assertEqual(row.overdue_days, 3)

    def test_multi_company_isolation_and_selected_companies(self):
        company_b = self.setup_other_company(name="Filiale B")["company"]
        self._invoice(self.customer, 400.0, company=company_b)
        self._invoice(self.customer, 100.0)
        self.assertEqual(self._row(self.customer).exposure_total, 100.0)
        self.assertEqual(self._row(self.customer, company_b).exposure_total, 400.0)
        # the figures do not depend on the companies the user has selected
        self.Exposure.with_context(allowed_company_ids=company_b.ids)._refresh(
            self.customer
        )
        self.assertEqual(self._row(self.customer).exposure_total, 100.0)

    def test_group_exposure(self):
        company_b = self.setup_other_company(name="Filiale B")["company"]
        self._invoice(self.customer, 950.0, company=company_b)
        order = self._order(self.customer, 100.0)
        self.assertEqual(order.credit_check_state, "pass")
        self.company.credit_group_exposure = True
        order.invalidate_recordset(["credit_check_state"])
        self.assertEqual(order.credit_check_state, "block")

    def test_group_exposure_confirmation(self):
        """With group exposure the confirmation locks the customer's rows of every
        company and adds the order to the row of the order's company only."""
        company_b = self.setup_other_company(name="Filiale B")["company"]
        self._invoice(self.customer, 600.0, company=company_b)
        self.company.credit_group_exposure = True
        self._order(self.customer, 300.0).action_confirm()
        self.assertEqual(self._row(self.customer).order_amount, 300.0)
        self.assertRecordValues(
            self._row(self.customer, company_b),
            [{"order_amount": 0.0, "exposure_total": 600.0}],
        )
        with self.assertRaisesRegex(
            UserError, "Exposure .*900.00 \\+ this order .*200.00 exceeds"
        ):
            self._order(self.customer, 200.0).action_confirm()
        self.assertEqual(self._row(self.customer).order_amount, 300.0)

    def test_rows_leave_room_for_updates_in_place(self):
        """The exposure table keeps a fifth of each page free, for the updates of
        every confirmation, posting and payment to stay on their page (HOT)."""
        self.env.cr.execute(
            "SELECT reloptions FROM pg_class WHERE relname = 'credit_exposure'"
        )
        self.assertIn("fillfactor=80", self.env.cr.fetchone()[0] or [])

    def test_rarely_read_settings_are_not_fetched_with_every_record(self):
        """Fetching a company, an order, an invoice or a partner's accounting
        settings (every request does) loads the settings the block and the exposure
        read, not the others."""
        invoice = self._invoice(self.customer, 100.0)
        order = self._order(self.customer, 50.0)
        self.env.invalidate_all()

        def cached(record, fname):
            return record.id in record._fields[fname]._get_cache(record.env)

        self.assertTrue(self.company.credit_block_enabled)
        self.assertTrue(cached(self.company, "credit_limit_tolerance"))
        for fname in (
            "credit_score_weight_days_late",
            "credit_score_class_a",
            "credit_limit_second_approval_amount",
            "credit_dunning_bank_max_age",
            "credit_procedure",
        ):
            self.assertFalse(cached(self.company, fname), fname)
        self.assertEqual(order.state, "draft")
        self.assertTrue(cached(order, "credit_release_amount"))
        self.assertFalse(cached(order, "credit_release_reason"))
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(cached(invoice, "credit_dunning_level_id"))
        # the accounting reads the partner's company-dependent fields (receivable
        # account, payment terms) with every invoice and payment: not the credit ones
        partner = self.customer
        self.assertTrue(partner.property_account_receivable_id)
        self.assertTrue(cached(partner, "property_payment_term_id"))
        for fname in ("credit_hold", "credit_limit_tolerance", "credit_insolvency"):
            self.assertFalse(cached(partner, fname), fname)
        # reading one of a group fetches the group
        self.assertEqual(self.company.credit_score_class_a, 80.0)
        self.assertTrue(cached(self.company, "credit_score_weight_days_late"))

    def test_partner_settings_nobody_searches_are_not_indexed(self):
        """Odoo indexes company-dependent fields by default; every index of
        ``res_partner`` costs the planning of each query on partners and each
        write. The settings only read (tolerances, hold reason, insurance) have
        none; those searched (the hold filter, reviews due, temporary limits
        lapsing, the many2ones) keep theirs."""
        indexes = {
            name
            for [name] in self.env.execute_query(
                SQL("SELECT indexname FROM pg_indexes WHERE tablename = 'res_partner'")
            )
        }
        fields_ = self.env["res.partner"]._fields
        for fname in (
            "credit_hold_reason",
            "credit_custom_tolerance",
            "credit_limit_tolerance",
            "credit_overdue_tolerance",
            "credit_overdue_grace_days",
            "credit_limit_temporary",
            "credit_insured_amount",
            "credit_insurance_cap",
        ):
            self.assertTrue(fields_[fname].company_dependent)
            self.assertNotIn(f"res_partner__{fname}_index", indexes, fname)
        for fname in (
            "credit_hold",
            "credit_next_review_date",
            "credit_limit_temporary_expiry",
            "credit_segment_id",
        ):
            self.assertIn(f"res_partner__{fname}_index", indexes, fname)

    def test_accounting_trigger_trees_are_left_alone(self):
        """Odoo merges the trigger trees of the fields it writes on every write of
        an invoice or a payment item: no field of the module hangs on them (they
        would make every payment slower, see
        ``account.move._credit_invoice_figures_changed``)."""
        registry = self.env.registry
        for model, fname in [
            ("account.move", "amount_residual_signed"),
            ("account.move", "amount_total_signed"),
            ("account.move", "invoice_date_due"),
            ("account.move.line", "amount_residual"),
            ("account.partial.reconcile", "debit_move_id"),
        ]:
            field = self.env[model]._fields[fname]
            tree = registry.get_trigger_tree([field])
            ours = {
                str(dependent)
                for node in tree.depth_first()
                for dependent in [*node.root, *node]
                if dependent.model_name.startswith("credit.")
            }
            self.assertFalse(ours, f"{model}.{fname}")

    def test_over_limit_filter_is_one_indexed_search(self):
        self._invoice(self.customer, 1500.0)
        found = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .search([("credit_status", "in", ["over_limit"])])
        )
        self.assertIn(self.customer, found)
        self.assertNotIn(self.contact, found)  # the customers, not their contacts
        overdue = self.env["res.partner"].search([("credit_status", "in", ["overdue"])])
        self.assertNotIn(self.customer, overdue)

    def test_over_limit_at_the_limit_and_beyond(self):
        """Every statement that changes a row (posting, confirmation, recomputation)
        flags it over its limit beyond the limit, not at it."""
        self._invoice(self.customer, 999.0)
        self._order(self.customer, 1.0).action_confirm()
        row = self._row(self.customer)
        at_limit = [{"exposure_total": 1000.0, "available_credit": 0.0}]
        self.assertRecordValues(row, [{**at_limit[0], "over_limit": False}])
        self.Exposure.action_refresh_all()
        self.assertRecordValues(row, [{**at_limit[0], "over_limit": False}])
        self._invoice(self.customer, 0.01)
        beyond = {"exposure_total": 1000.01, "available_credit": -0.01}
        self.assertRecordValues(row, [{**beyond, "over_limit": True}])
        self.Exposure.action_refresh_all()
        self.assertRecordValues(row, [{**beyond, "over_limit": True}])

    def test_limit_change_updates_row(self):
        self._invoice(self.customer, 800.0)
        self.customer.with_user(self.manager).credit_limit = 500.0
        self.assertRecordValues(
            self._row(self.customer),
            [{"credit_limit": 500.0, "over_limit": True, "available_credit": -300.0}],
        )

    def test_rows_keep_a_copy_of_the_customer_settings(self):
        """The confirmation check reads the customer's settings from its exposure
        row: the row of each company follows what is set in that company, at once,
        and the rule applies it."""
        company_b = self.setup_other_company(name="Filiale B")["company"]
        self._invoice(self.customer, 100.0)
        self._invoice(self.customer, 100.0, company=company_b)
        customer = self.customer.with_user(self.manager)
        customer.write({"credit_hold": True, "credit_hold_reason": "Cheque returned"})
        self.customer.with_company(company_b).write(
            {"credit_custom_tolerance": True, "credit_overdue_grace_days": 12}
        )
        self.assertRecordValues(
            self._row(self.customer) | self._row(self.customer, company_b),
            [
                {
                    "credit_hold": True,
                    "credit_hold_reason": "Cheque returned",
                    "credit_custom_tolerance": False,
                    "credit_overdue_grace_days": 0,
                },
                {
                    "credit_hold": False,
                    "credit_hold_reason": False,
                    "credit_custom_tolerance": True,
                    "credit_overdue_grace_days": 12,
                },
            ],
        )
        order = self._order(self.customer, 10.0)
        with self.assertRaisesRegex(UserError, "on credit hold: Cheque returned"):
            order.action_confirm()
        customer.credit_hold = False
        self.assertFalse(self._row(self.customer).credit_hold)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        # a row computed from scratch (all customers) copies the same values
        self.Exposure.action_refresh_all()
        self.assertRecordValues(
            self._row(self.customer, company_b),
            [{"credit_custom_tolerance": True, "credit_overdue_grace_days": 12}],
        )

    def test_rule_values_from_the_statement_are_the_rows_values(self):
        """The rule takes the rows' values as the statement returns them: they
        are what the ORM reads of the rows, for a customer with every setting set
        and for one with none (their copies are empty in the table)."""
        segment = self.env["credit.segment"].create(
            {"name": "Key accounts", "max_credit_limit": 5000.0}
        )
        self.customer.write(
            {
                "credit_hold": True,
                "credit_hold_reason": "Cheque returned",
                "credit_custom_tolerance": True,
                "credit_limit_tolerance": 5.0,
                "credit_overdue_tolerance": 50.0,
                "credit_overdue_grace_days": 7,
                "credit_segment_id": segment.id,
                "credit_segment_manual": True,
                "credit_insured_amount": 800.0,
                "credit_insurance_expiry": self.today,
                "credit_insurance_cap": True,
            }
        )
        plain = self.env["res.partner"].create({"name": "Plain SAS"})
        self._invoice(self.customer, 100.0, due_in=-3)
        self._invoice(plain, 50.0)
        customers = self.customer | plain
        for add in (None, {self.customer.id: 10.0, plain.id: 20.0}):
            values = {}
            rows = self.Exposure._get_rows(
                customers, self.company, lock=bool(add), add=add, values=values
            )
            self.assertEqual(len(rows), 2)
            rows.invalidate_recordset()
            self.assertEqual(values, rows._rule_values())
        self.assertEqual(values[self._row(plain).id]["credit_limit_tolerance"], 0.0)
        self.assertIs(values[self._row(plain).id]["credit_hold"], False)

    def test_contact_moving_to_another_company(self):
        self._invoice(self.contact, 100.0)
        other = self.env["res.partner"].create({"name": "Other SA", "is_company": True})
        self.contact.sudo().parent_id = other
        # the receivable line belongs to the commercial partner invoiced at the time
        self.assertEqual(self._row(self.customer).receivable_amount, 100.0)
        self.assertEqual(self._row(other).receivable_amount, 0.0)

    def test_read_only_request_computes_rows_without_writing(self):
        """A form opened in a read-only request shows a new customer's figures
        without inserting its exposure row; the rule reads its settings from the
        rows computed in memory."""
        partner = self.env["res.partner"].create(
            {"name": "New SAS", "credit_limit": 100.0, "credit_hold": True}
        )
        self._invoice(partner, 150.0, post=False)  # draft: counted, row created
        stored = self._row(partner)
        stored.sudo().unlink()
        self.env.flush_all()
        # a real read-only cursor (the transaction is SET READ ONLY): a write fails
        with self.registry.cursor(readonly=True) as cr:
            self.assertTrue(cr.readonly)
            env = self.env(cr=cr)
            rows = (
                env["credit.exposure"]
                .sudo()
                ._get_rows(partner.with_env(env), self.company.with_env(env))
            )
            values = rows.read(
                ["draft_invoice_amount", "exposure_total", "credit_limit", "over_limit"]
            )
            refusal = partner.with_env(env)._credit_check(
                self.company.with_env(env), 10.0, rows
            )
        self.assertFalse(self._row(partner), "nothing was written")
        self.assertEqual(
            [{k: v for k, v in row.items() if k != "id"} for row in values],
            [
                {
                    "draft_invoice_amount": 150.0,
                    "exposure_total": 150.0,
                    "credit_limit": 100.0,
                    "over_limit": True,
                }
            ],
        )
        self.assertEqual([code for code, __ in refusal], ["hold", "limit"])
        self.assertIn("exceeds the credit limit", refusal[1][1])

    def test_refresh_all_gives_every_past_customer_a_row(self):
        """A customer whose invoices are all paid still gets its (zeroed) row, so
        that confirming its next order creates nothing."""
        partner = self.env["res.partner"].create({"name": "Paid Up SA"})
        invoice = self._invoice(partner, 100.0)
        self._pay(invoice)
        self._row(partner).sudo().unlink()  # as before the module was installed
        self.Exposure.action_refresh_all()
        self.assertRecordValues(
            self._row(partner), [{"receivable_amount": 0.0, "exposure_total": 0.0}]
        )

    def test_install_hook_computes_existing_history(self):
        from ..hooks import post_init_hook  # noqa: PLC0415

        self._invoice(self.customer, 300.0, due_in=-4)
        self.env["credit.exposure"].sudo().search([]).unlink()  # before installation
        post_init_hook(self.env)
        self.assertRecordValues(
            self._row(self.customer),
            [{"receivable_amount": 300.0, "overdue_amount": 300.0}],
        )

    def test_smart_buttons_open_the_customers_records(self):
        """From a contact, the customer's smart buttons list the commercial
        partner's records, each in its own action and context."""
        order = self._order(self.contact, 80.0)
        order.action_confirm()
        overdue = self._invoice(self.contact, 300.0, due_in=-10)
        self._invoice(self.customer, 200.0)
        paid = self._invoice(self.customer, 50.0)
        self._pay(paid)
        partner = self.contact

        def records(action):
            return self.env[action["res_model"]].search(action["domain"])

        invoices = partner.action_open_credit_invoices()
        self.assertEqual(invoices["res_model"], "account.move")
        self.assertEqual(len(records(invoices)), 2)
        self.assertNotIn(paid, records(invoices))
        self.assertEqual(invoices["context"], {"default_move_type": "out_invoice"})
        items = partner.action_open_credit_overdue_items()
        self.assertEqual(items["name"], "Overdue Items")
        self.assertEqual(records(items).move_id, overdue)
        self.assertEqual(items["context"], {"search_default_group_by_move": 0})
        self.assertEqual(records(partner.action_open_credit_orders()), order)
        self.assertFalse(records(partner.action_open_credit_blocked_orders()))
        for action in (
            partner.action_open_credit_dunning_lines(),
            partner.action_open_credit_limit_requests(),
            partner.action_credit_open_disputes(),
            partner.action_credit_open_promises(),
        ):
            self.assertEqual(action["type"], "ir.actions.act_window")
            self.assertEqual(action["domain"], [("partner_id", "=", self.customer.id)])
        self.assertEqual(
            partner.action_credit_open_promises()["context"],
            {"default_partner_id": self.customer.id},
        )
