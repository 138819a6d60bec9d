# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import CreditCommon


class DunningCommon(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("credit_management.mail_template_credit_dunning")
        cls.policy = cls.env["credit.dunning.policy"].create(
            {
                "name": "Test policy",
                "company_id": cls.company.id,
                "is_default": True,
                "recovery_indemnity": True,
                "interest_rate": 10.0,
                "level_ids": [
                    Command.create(
                        {
                            "name": "First",
                            "sequence": 10,
                            "delay_days": 5,
                            "min_amount": 50.0,
                            "channel_email": True,
                            "mail_template_id": cls.template.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Second",
                            "sequence": 20,
                            "delay_days": 10,
                            "delay_base": "previous",
                            "channel_email": True,
                            "channel_letter": True,
                            "attach_statement": True,
                            "mail_template_id": cls.template.id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Legal",
                            "sequence": 30,
                            "delay_days": 10,
                            "delay_base": "previous",
                            "channel_email": False,
                            "channel_letter": True,
                            "channel_phone": True,
                            "is_final": True,
                        }
                    ),
                ],
            }
        )
        cls.level_1, cls.level_2, cls.level_3 = cls.policy.level_ids
        cls.customer.email = "compta@dupont.example.com"
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Durand SA", "is_company": True, "email": "ar@durand.example.com"}
        )

    def _run(self, days=0, user=None, **values):
        """A previewed run ``days`` after today."""
        run = (
            self.env["credit.dunning.run"]
            .with_user(user or self.controller)
            .create({"date": self.today + timedelta(days=days), **values})
        )
        run.action_preview()
        return run

    def _line(self, run, partner=None):
        return run.line_ids.filtered(
            lambda line: line.partner_id == (partner or self.customer)
        )


@tagged("post_install", "-at_install")
class TestDunningLevels(DunningCommon):
    def test_level_progression_across_dates(self):
        invoice = self._invoice(self.customer, 500.0, due_in=-6)
        run = self._run()
        line = self._line(run)
        self.assertEqual(line.level_id, self.level_1)
        self.assertEqual(line.item_ids.move_id, invoice)
        self.assertEqual(line.amount_due, 500.0)
        self.assertEqual(line.days_overdue, 6)
        self.assertEqual(line.indemnity_amount, 40.0)
        self.assertAlmostEqual(line.interest_amount, round(500 * 0.10 * 6 / 365, 2))
        run.action_confirm()
        self.assertEqual(invoice.credit_dunning_level_id, self.level_1)
        self.assertEqual(invoice.credit_dunning_date, self.today)
        # the second level counts 10 days from the first reminder
        self.assertFalse(self._run(days=9).line_ids)
        run = self._run(days=10)
        self.assertEqual(self._line(run).level_id, self.level_2)
        run.action_confirm()
        self.assertEqual(invoice.credit_dunning_level_id, self.level_2)
        self.assertEqual(self._line(run).letter_state, "to_print")
        # final level: credit hold, call and follow-up activities for the controller
        run = self._run(days=20)
        self.assertEqual(self._line(run).level_id, self.level_3)
        run.action_confirm()
        self.assertTrue(self.customer.credit_hold)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        self.assertEqual(
            set(activities.activity_type_id.mapped("id")),
            {
                self.env.ref("mail.mail_activity_data_call").id,
                self.env.ref("mail.mail_activity_data_todo").id,
            },
        )
        self.assertEqual(activities.user_id, self.controller)
        # nothing after the last level
        self.assertFalse(self._run(days=40).line_ids)

    def test_delay_after_due_date(self):
        self._invoice(self.customer, 500.0, due_in=-4)
        self.assertFalse(self._run().line_ids, "5 days after due: not yet")
        self.assertEqual(self._line(self._run(days=1)).level_id, self.level_1)

    def test_minimum_amount_per_customer(self):
        self._invoice(self.customer, 30.0, due_in=-10)
        self.assertFalse(self._run().line_ids, "30.00 is under the 50.00 minimum")
        self._invoice(self.customer, 30.0, due_in=-8)
        line = self._line(self._run(days=1))
        self.assertEqual(line.amount_due, 60.0)
        self.assertEqual(len(line.item_ids), 2)

    def test_courtesy_level_before_due_date_and_partner_policy(self):
        courtesy = self.policy.copy({"name": "Courtesy", "is_default": False})
        courtesy.level_ids[0].write({"sequence": 5, "delay_days": -3})
        self.customer.with_user(self.controller).credit_dunning_policy_id = courtesy
        soon = self._invoice(self.customer, 200.0, due_in=2)
        late = self._invoice(self.customer_b, 200.0, due_in=-20)
        run = self._run()
        line = self._line(run)
        self.assertEqual(line.policy_id, courtesy)
        self.assertEqual(line.item_ids.move_id, soon)
        self.assertEqual(line.level_id.delay_days, -3)
        self.assertEqual(line.indemnity_amount, 0.0, "nothing is late yet")
        # the other customer keeps the company's default policy
        self.assertEqual(self._line(run, self.customer_b).item_ids.move_id, late)
        self.assertEqual(self._line(run, self.customer_b).policy_id, self.policy)

    def test_invalid_levels_are_refused(self):
        with self.assertRaises(ValidationError):
            self.level_1.write(
                {
                    "channel_email": False,
                    "channel_letter": False,
                    "channel_phone": False,
                }
            )
        with self.assertRaises(ValidationError):
            self.level_2.delay_days = -2


@tagged("post_install", "-at_install")
class TestDunningExclusions(DunningCommon):
    def test_no_dunning_flag(self):
        self._invoice(self.customer, 500.0, due_in=-30)
        self.customer.with_user(self.controller).credit_no_dunning = True
        self.assertFalse(self._run().line_ids)
        with self.assertRaisesRegex(AccessError, "dunning settings"):
            self.customer.with_user(self.salesman).credit_no_dunning = False

    def test_credit_note_covering_the_balance(self):
        self._invoice(self.customer, 500.0, due_in=-30)
        refund = self._invoice(self.customer, 500.0, move_type="out_refund")
        self.assertFalse(self._run().line_ids)
        refund.button_draft()
        line = self._line(self._run())
        self.assertEqual(line.amount_due, 500.0)

    def test_unreconciled_payment_shown_as_credit(self):
        self._invoice(self.customer, 500.0, due_in=-30)
        self._invoice(self.customer, 200.0, move_type="out_refund")
        line = self._line(self._run())
        self.assertEqual(line.amount_due, 500.0)
        self.assertEqual(line.amount_credit, 200.0)

    def test_paid_invoice_is_not_reminded(self):
        invoice = self._invoice(self.customer, 500.0, due_in=-30)
        self._pay(invoice)
        self.assertFalse(self._run().line_ids)

    def test_disputed_and_promised_invoices_are_paused(self):
        disputed = self._invoice(self.customer, 500.0, due_in=-30)
        promised = self._invoice(self.customer, 300.0, due_in=-30)
        other = self._invoice(self.customer, 200.0, due_in=-30)
        self.env["credit.dispute"].create(
            {
                "partner_id": self.customer.id,
                "reason_id": self.env.ref(
                    "credit_management.credit_dispute_reason_quality"
                ).id,
                "line_ids": [Command.create({"move_id": disputed.id, "amount": 100.0})],
            }
        )
        self.env["credit.promise"].create(
            {
                "partner_id": self.customer.id,
                "amount": 300.0,
                "date_promised": self.today + timedelta(days=7),
                "invoice_ids": [Command.set(promised.ids)],
            }
        )
        run = self._run()
        self.assertEqual(self._line(run).item_ids.move_id, other)
        run.action_confirm()
        # once the promised date has passed, the invoice is reminded (the other one
        # waits for the delay of its second level)
        line = self._line(self._run(days=8))
        self.assertEqual(line.item_ids.move_id, promised)

    def test_segment_policy_between_customer_and_company(self):
        segment_policy = self.policy.copy(
            {"name": "Public sector", "is_default": False}
        )
        segment = self.env["credit.segment"].create(
            {"name": "Public sector", "dunning_policy_id": segment_policy.id}
        )
        self.customer_b.credit_segment_id = segment
        own = self.policy.copy({"name": "Own", "is_default": False})
        self.customer.write(
            {"credit_segment_id": segment.id, "credit_dunning_policy_id": own.id}
        )
        other = self.env["res.partner"].create({"name": "Martin SARL"})
        policies = self.env["credit.dunning.policy"]._policies_for(
            self.customer | self.customer_b | other, self.company
        )
        self.assertEqual(policies[self.customer.id], own)
        self.assertEqual(policies[self.customer_b.id], segment_policy)
        self.assertEqual(policies[other.id], self.policy)


@tagged("post_install", "-at_install")
class TestDunningRun(DunningCommon):
    def test_preview_then_confirm_queues_emails(self):
        self._invoice(self.customer, 500.0, due_in=-10)
        self._invoice(self.customer_b, 800.0, due_in=-10)
        run = self._run()
        self.assertEqual(len(run.line_ids), 2)
        self.assertEqual(run.line_ids[0].partner_id, self.customer_b, "most at stake")

        line, line_b = self._line(run), self._line(run, self.customer_b)
        with Form(run) as form:
            with form.line_ids.edit(1) as edit:
                edit.note = "Called on Monday, promised to pay"
        line_b.action_exclude()
        self.assertEqual(line_b.item_ids.mapped("state"), ["excluded"])
        run.action_confirm()
        self.assertEqual(run.state, "done")
        self.assertEqual(line.state, "done")
        self.assertEqual(line.sent_uid, self.controller)
        mails = self.env["mail.mail"].search(
            [("model", "=", "credit.dunning.line"), ("res_id", "in", run.line_ids.ids)]
        )
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing")
        self.assertEqual(mails.recipient_ids, self.customer)
        self.assertIn("First", mails.subject)
        self.assertIn("500.00", mails.body_html)
        self.assertEqual(line.mail_status, "ready")
        self.assertEqual(line.note, "Called on Monday, promised to pay")
        # the excluded customer is not reminded and comes back in the next run
        invoice_b = line_b.item_ids.move_id
        self.assertFalse(invoice_b.credit_dunning_level_id)
        self.assertEqual(self._line(self._run(days=1), self.customer_b).state, "draft")

    def test_cash_at_stake_ranks_the_lines(self):
        self._invoice(self.customer, 500.0, due_in=-10)
        self._invoice(self.customer_b, 800.0, due_in=-10)
        run = self._run()
        self.assertEqual(run.line_ids.mapped("cash_at_stake"), [8000.0, 5000.0])
        run.action_cancel()
        # over its credit limit: the risk doubles the stake
        self.customer.credit_limit = 100.0
        run = self._run()
        self.assertEqual(run.line_ids[0].partner_id, self.customer)
        self.assertEqual(run.line_ids.mapped("cash_at_stake"), [10000.0, 8000.0])

    def test_invoice_paid_after_the_preview_is_not_reminded(self):
        paid = self._invoice(self.customer, 500.0, due_in=-10)
        self._invoice(self.customer_b, 800.0, due_in=-10)
        self._invoice(self.customer_b, 300.0, due_in=-12)
        run = self._run()
        self._pay(paid)
        self._pay(self._line(run, self.customer_b).item_ids[0].move_id)
        run.action_confirm()
        line = self._line(run)
        self.assertEqual(line.state, "excluded")
        self.assertIn("Paid since the preview", line.note)
        self.assertFalse(paid.credit_dunning_level_id)
        line_b = self._line(run, self.customer_b)
        self.assertEqual(line_b.state, "done")
        self.assertEqual(len(line_b.item_ids), 1)
        self.assertEqual(line_b.amount_due, line_b.item_ids.amount_residual)
        self.assertIn(line_b.item_ids.move_id.name, line_b.mail_message_id.body)

    def test_controller_changes_the_level(self):
        invoice = self._invoice(self.customer, 500.0, due_in=-10)
        run = self._run()
        line = self._line(run)
        line.level_id = self.level_2
        self.assertTrue(line.send_letter)
        self.assertEqual(line.item_ids.level_id, self.level_2)
        other = self.policy.copy({"name": "Other", "is_default": False})
        with self.assertRaisesRegex(UserError, "not a level of the customer's policy"):
            line.level_id = other.level_ids[0]
        run.action_confirm()
        self.assertEqual(invoice.credit_dunning_level_id, self.level_2)
        with self.assertRaises(UserError):
            line.level_id = self.level_1

    def test_letter_and_statement_render(self):
        self._invoice(self.customer, 500.0, due_in=-10)
        run = self._run()
        self._line(run).level_id = self.level_2
        run.action_confirm()
        action = run.action_print_letters()
        self.assertEqual(
            action["report_name"], "credit_management.report_credit_dunning_letter"
        )
        self.assertEqual(self._line(run).letter_state, "printed")
        html, __ = self.env["ir.actions.report"]._render_qweb_html(
            "credit_management.report_credit_dunning_letter", run.line_ids.ids
        )
        html = html.decode()
        self.assertIn("Dupont SARL", html)
        self.assertIn("L441-10", html)
        self.assertIn("recovery costs", html)
        self.assertIn("Second", html)
        # the statement went with the email
        mail = self.env["mail.mail"].search(
            [("model", "=", "credit.dunning.line"), ("res_id", "=", run.line_ids.id)]
        )
        self.assertIn("Statement.html", mail.attachment_ids.mapped("name"))
        self.assertIn("Invoices.html", mail.attachment_ids.mapped("name"))

    def test_letter_prints_as_a_real_pdf(self):
        """The letter prints as a real PDF (Odoo renders HTML in tests unless
        forced); setup installs wkhtmltopdf, so its absence is a failure here.
        Several customers' letters in one file: test_report_pdf."""
        self.assertEqual(
            self.env["ir.actions.report"].get_wkhtmltopdf_state(),
            "ok",
            "wkhtmltopdf is missing: run make setup",
        )
        self._invoice(self.customer, 500.0, due_in=-30)
        run = self._run()
        self._line(run).level_id = self.level_2
        run.action_confirm()
        pdf, fmt = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "credit_management.action_report_credit_dunning_letter",
                run.line_ids.ids,
            )
        )
        self.assertEqual(fmt, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertGreater(len(pdf), 5000)

    def test_bounced_email_shows_on_the_line(self):
        self._invoice(self.customer, 500.0, due_in=-10)
        run = self._run()
        run.action_confirm()
        line = self._line(run)
        notification = line.mail_message_id.notification_ids
        self.assertEqual(notification.res_partner_id, self.customer)
        notification.sudo().notification_status = "bounce"
        line.invalidate_recordset(["mail_status"])
        self.assertEqual(line.mail_status, "bounce")

    def test_final_level_fees_are_invoiced(self):
        fee = self.env["product.product"].create(
            {"name": "Recovery fees", "type": "service", "taxes_id": []}
        )
        self.policy.write({"invoice_fees": True, "fee_product_id": fee.id})
        invoice = self._invoice(self.customer, 500.0, due_in=-40)
        invoice.credit_dunning_level_id = self.level_2
        invoice.credit_dunning_date = self.today - timedelta(days=10)
        run = self._run()
        line = self._line(run)
        self.assertEqual(line.level_id, self.level_3)
        run.action_confirm()
        fees = self.env["account.move"].search(
            [("partner_id", "=", self.customer.id), ("invoice_origin", "=", run.name)]
        )
        self.assertEqual(fees.state, "draft")
        self.assertEqual(fees.invoice_line_ids.product_id, fee)
        self.assertAlmostEqual(
            fees.amount_total, line.indemnity_amount + line.interest_amount
        )
        self.assertEqual(line.indemnity_amount, 40.0)
        with self.assertRaises(ValidationError):
            self.policy.fee_product_id = False

    def test_reminders_in_the_customers_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["credit_management"], ["fr_FR"]
        )
        self.customer.lang = "fr_FR"
        self._invoice(self.customer, 500.0, due_in=-10)
        self._invoice(self.customer_b, 500.0, due_in=-10)
        run = self._run()
        run.action_confirm()
        mails = self.env["mail.mail"].search(
            [("model", "=", "credit.dunning.line"), ("res_id", "in", run.line_ids.ids)]
        )
        french = mails.filtered(lambda m: m.recipient_ids == self.customer)
        english = mails - french
        self.assertIn("Total dû", french.body_html)
        self.assertIn("Code de commerce", french.body_html)
        self.assertIn("Total due", english.body_html)
        html, __ = self.env["ir.actions.report"]._render_qweb_html(
            "credit_management.report_credit_dunning_letter", run.line_ids.ids
        )
        html = html.decode()
        self.assertIn("indemnité forfaitaire pour frais de recouvrement", html)
        self.assertIn("fixed indemnity for recovery costs", html)

    def test_customer_without_email_gets_a_letter(self):
        self.customer.email = False
        self._invoice(self.customer, 500.0, due_in=-10)
        run = self._run()
        run.action_confirm()
        line = self._line(run)
        self.assertFalse(line.send_email)
        self.assertTrue(line.send_letter)
        self.assertEqual(line.letter_state, "to_print")
        self.assertIn("letter", line.note)

    def test_cancel_a_run_frees_its_customers(self):
        self._invoice(self.customer, 500.0, due_in=-10)
        run = self._run()
        run.action_cancel()
        self.assertEqual(run.state, "cancel")
        self.assertFalse(run.line_ids)
        self.assertEqual(len(self._run().line_ids), 1)

    def test_running_twice_creates_nothing_new(self):
        self._invoice(self.customer, 500.0, due_in=-10)
        first = self._run()
        self.assertEqual(len(first.line_ids), 1)
        self.assertFalse(self._run().line_ids, "customer already in a draft run")
        first.action_confirm()
        mails = self.env["mail.mail"].search_count([])
        again = self._run()
        self.assertFalse(again.line_ids)
        with self.assertRaises(UserError):
            again.action_confirm()
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        # previewing again rewrites the same lines
        run = self._run(days=10)
        line_ids = run.line_ids.ids
        run.action_preview()
        self.assertEqual(len(run.line_ids), len(line_ids))

    def test_interrupted_run_resumes_undone_lines(self):
        self._invoice(self.customer, 500.0, due_in=-10)
        self._invoice(self.customer_b, 800.0, due_in=-10)
        run = self._run()
        self._line(run)._process()  # a crash after the first line
        self.assertEqual(run.line_ids.mapped("state"), ["draft", "done"])
        run.action_confirm()
        self.assertEqual(run.line_ids.mapped("state"), ["done", "done"])
        self.assertEqual(
            self.env["mail.mail"].search_count(
                [
                    ("model", "=", "credit.dunning.line"),
                    ("res_id", "in", run.line_ids.ids),
                ]
            ),
            2,
        )

    def test_generation_query_count_does_not_grow(self):
        def queries(count):
            partners = self.env["res.partner"].create(
                [{"name": f"Client {i}", "is_company": True} for i in range(count)]
            )
            for partner in partners:
                self._invoice(partner, 100.0, due_in=-10)
                self._invoice(partner, 100.0, due_in=-20)
            run = self.env["credit.dunning.run"].create(
                {"date": self.today, "partner_ids": [Command.set(partners.ids)]}
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            run.action_preview()
            spent = self.env.cr.sql_log_count - before
            self.assertEqual(len(run.line_ids), count)
            self.assertEqual(len(run.line_ids.item_ids), 2 * count)
            return spent

        queries(1)  # warm the registry caches (ir.default, templates)
        self.assertEqual(queries(2), queries(8))

    def test_history_is_queryable(self):
        self._invoice(self.customer, 500.0, due_in=-10)
        self._run().action_confirm()
        self._run(days=10).action_confirm()
        since = self.today - timedelta(days=365)
        rows = self.env["credit.dunning.line"]._read_group(
            [("state", "=", "done"), ("date", ">=", since)],
            ["partner_id"],
            ["level_sequence:max"],
        )
        self.assertEqual(rows, [(self.customer, 20)])
        rows = self.env["credit.dunning.item"]._read_group(
            [("state", "=", "done"), ("date", ">=", since)],
            ["level_id"],
            ["move_id:count_distinct", "amount_residual:sum"],
        )
        self.assertEqual(rows, [(self.level_1, 1, 500.0), (self.level_2, 1, 500.0)])
        self.assertEqual(self.customer.credit_dunning_line_count, 2)


@tagged("post_install", "-at_install")
class TestDunningScheduled(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.automatic = True
        cls.bank = cls.company_data["default_journal_bank"]

    def _bank_entry(self, days_ago):
        self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank.id,
                "date": self.today - timedelta(days=days_ago),
                "payment_ref": "Bank",
                "amount": 10.0,
            }
        )

    def test_scheduled_run_sends_emails_only(self):
        self._bank_entry(1)
        self._invoice(self.customer, 500.0, due_in=-10)
        invoice_b = self._invoice(self.customer_b, 800.0, due_in=-40)
        invoice_b.credit_dunning_level_id = self.level_1  # letters wait for a human
        invoice_b.credit_dunning_date = self.today - timedelta(days=30)
        runs = self.env["credit.dunning.run"]._cron_run()
        run = runs.filtered(lambda r: r.company_id == self.company)
        self.assertTrue(run.automatic)
        self.assertEqual(self._line(run).state, "done")
        self.assertTrue(self._line(run).mail_message_id)
        line_b = self._line(run, self.customer_b)
        self.assertEqual(line_b.level_id, self.level_2)
        self.assertEqual(line_b.state, "draft")
        self.assertEqual(run.state, "draft")
        # a second scheduled run the same day creates nothing new
        runs = self.env["credit.dunning.run"]._cron_run()
        self.assertFalse(runs.filtered(lambda r: r.company_id == self.company).line_ids)

    def test_stale_bank_statements_stop_the_scheduled_run(self):
        self._bank_entry(10)
        self._invoice(self.customer, 500.0, due_in=-10)
        run = (
            self.env["credit.dunning.run"]
            ._cron_run()
            .filtered(lambda r: r.company_id == self.company)
        )
        self.assertTrue(run.bank_stale)
        self.assertEqual(self._line(run).state, "draft")
        self.assertFalse(self._line(run).mail_message_id)
        message = run.message_ids.filtered(lambda m: "bank statements" in m.body)
        self.assertTrue(message)
        self.assertIn(self.controller.partner_id, message.partner_ids)


@tagged("post_install", "-at_install")
class TestDunningAccess(DunningCommon):
    def test_salesperson_cannot_run_dunning(self):
        self._invoice(self.customer, 500.0, due_in=-10)
        with self.assertRaises(AccessError):
            self.env["credit.dunning.run"].with_user(self.salesman).create(
                {"date": self.today}
            )
        run = self._run()
        with self.assertRaises(AccessError):
            run.with_user(self.salesman).action_confirm()
        with self.assertRaises(AccessError):
            self.policy.with_user(self.controller).interest_rate = 0.0
        with self.assertRaises(AccessError):
            self.env["credit.dunning.line"].with_user(self.salesman).search([])

    def test_multi_company_rule(self):
        company_b = self.setup_other_company(name="Filiale B")["company"]
        self._invoice(self.customer, 500.0, due_in=-10)
        self._run().action_confirm()
        self.controller.company_ids = [Command.link(company_b.id)]
        lines = (
            self.env["credit.dunning.line"]
            .with_user(self.controller)
            .with_context(allowed_company_ids=[company_b.id])
            .search([])
        )
        self.assertFalse(lines)
