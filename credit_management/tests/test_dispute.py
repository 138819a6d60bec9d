# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import CreditCommon


class DisputeCommon(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reason_price = cls.env.ref("credit_management.credit_dispute_reason_price")
        cls.reason_quality = cls.env.ref(
            "credit_management.credit_dispute_reason_quality"
        )
        cls.Dispute = cls.env["credit.dispute"]

    @contextmanager
    def assertRaisesRegex(self, exception, regex):  # pylint: disable=W0221
        """Odoo's assertRaises (rolled back to a savepoint), with the message."""
        with self.assertRaises(exception) as context:
            yield context
        self.assertRegex(str(context.exception), regex)

    @classmethod
    def _dispute(cls, invoices, amount=None, reason=None, user=None, **values):
        """A dispute on ``invoices`` (the amount due of each, or ``amount`` on the
        first), created as ``user`` (default: the test's accountant)."""
        lines = [
            Command.create(
                {
                    "move_id": inv.id,
                    "amount": amount
                    if amount is not None and index == 0
                    else inv.amount_residual_signed,
                }
            )
            for index, inv in enumerate(invoices)
        ]
        model = cls.Dispute.with_user(user) if user else cls.Dispute
        return model.create(
            {
                "partner_id": invoices[:1].partner_id.id,
                "reason_id": (reason or cls.reason_price).id,
                "line_ids": lines,
                **values,
            }
        )

    def _paused(self, date=None):
        query = self.env["account.move"]._credit_dunning_paused_moves_sql(
            self.company, date or self.today
        )
        return self.env["account.move"].browse(
            row[0] for row in self.env.execute_query(query)
        )


@tagged("post_install", "-at_install")
class TestDispute(DisputeCommon):
    # ------------------------------------------------------------------ creation
    def test_owner_deadline_and_activity(self):
        invoice = self._invoice(self.customer, 300.0)
        invoice.invoice_user_id = self.salesman
        dispute = self._dispute(invoice, reason=self.reason_quality)
        self.assertEqual(dispute.user_id, self.salesman)
        self.assertEqual(dispute.partner_id, self.customer)
        self.assertTrue(dispute.name.startswith("DISP/"))
        self.assertEqual(dispute.amount_disputed, 300.0)
        self.assertEqual(dispute.date_deadline, fields.Date.add(self.today, days=20))
        activity = dispute.activity_ids
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual(activity.date_deadline, dispute.date_deadline)
        self.assertEqual(
            activity.activity_type_id,
            self.env.ref("credit_management.mail_activity_type_credit_dispute"),
        )
        # the owner changes: so does the activity
        dispute.user_id = self.controller
        self.assertEqual(dispute.activity_ids.user_id, self.controller)
        # the invoice shows it
        self.assertTrue(invoice.credit_disputed)
        self.assertEqual(invoice.credit_dispute_badge, "disputed")
        self.assertEqual(invoice.credit_dispute_count, 1)
        self.assertIn(
            invoice,
            self.env["account.move"].search([("credit_disputed", "=", True)]),
        )
        self.assertEqual(self.customer.credit_dispute_count, 1)
        self.assertEqual(self.contact.credit_dispute_count, 1)

    def test_owner_defaults_to_customer_salesperson(self):
        invoice = self._invoice(self.contact, 100.0)
        invoice.invoice_user_id = False
        dispute = self._dispute(invoice)
        self.assertEqual(dispute.partner_id, self.customer)  # commercial partner
        self.assertEqual(dispute.user_id, self.salesman)

    def test_no_salesperson_managers_get_the_activity(self):
        orphan = self.env["res.partner"].create({"name": "Sans Commercial SARL"})
        invoice = self._invoice(orphan, 100.0)
        invoice.invoice_user_id = False
        portal_user = new_test_user(
            self.env, login="cm_portal_customer", groups="base.group_portal"
        )
        dispute = (
            self.Dispute.with_user(portal_user)
            .sudo()
            .create(
                {
                    "partner_id": orphan.id,
                    "reason_id": self.reason_price.id,
                    "source": "portal",
                    "line_ids": [
                        Command.create({"move_id": invoice.id, "amount": 100.0})
                    ],
                }
            )
        )
        self.assertFalse(dispute.user_id)
        self.assertIn(self.manager, dispute.activity_ids.user_id)
        self.assertNotIn(portal_user, dispute.activity_ids.user_id)

    def test_create_from_invoice_form(self):
        invoice = self._invoice(self.customer, 250.0)
        action = invoice.action_credit_dispute()
        with Form(
            self.Dispute.with_user(self.salesman).with_context(**action["context"])
        ) as form:
            form.reason_id = self.reason_price
            with form.line_ids.edit(0) as line:
                line.amount = 100.0
        dispute = form.record
        self.assertEqual(dispute.line_ids.move_id, invoice)
        self.assertEqual(dispute.amount_disputed, 100.0)
        self.assertEqual(dispute.source, "internal")

    def test_bad_input(self):
        invoice = self._invoice(self.customer, 200.0)
        with self.assertRaisesRegex(ValidationError, "cannot exceed its total"):
            self._dispute(invoice, amount=200.01)
        draft = self._invoice(self.customer, 50.0, post=False)
        with self.assertRaisesRegex(ValidationError, "not a posted customer invoice"):
            self._dispute(draft)
        other = self.env["res.partner"].create({"name": "Autre SA"})
        with self.assertRaisesRegex(ValidationError, "must be an invoice of"):
            self._dispute(invoice, partner_id=other.id)
        self._dispute(invoice)
        with self.assertRaisesRegex(ValidationError, "already in an open dispute"):
            self._dispute(invoice)
        self.assertEqual(self.Dispute.search_count([("partner_id", "=", other.id)]), 0)

    # ------------------------------------------------------------------ states
    def test_state_transitions(self):
        invoice = self._invoice(self.customer, 300.0)
        dispute = self._dispute(invoice)
        self.assertEqual(dispute.state, "open")
        dispute.action_start()
        self.assertEqual(dispute.state, "in_progress")
        with self.assertRaisesRegex(UserError, "write in Resolution"):
            dispute.action_reject()
        dispute.resolution_note = "Prices are those of the signed quotation."
        dispute.action_reject()
        self.assertEqual(dispute.state, "rejected")
        self.assertEqual(dispute.date_resolved, self.today)
        self.assertFalse(dispute.activity_ids)  # the owner's activity is done
        self.assertFalse(invoice.credit_disputed)
        with self.assertRaisesRegex(
            UserError, "cannot go from Rejected to In Progress"
        ):
            dispute.action_start()
        dispute.action_reopen()
        self.assertEqual(dispute.state, "open")
        self.assertFalse(dispute.date_resolved)
        self.assertTrue(dispute.activity_ids)
        dispute.action_mark_paid()
        self.assertEqual(dispute.state, "paid")
        with self.assertRaises(UserError):
            dispute.action_mark_paid()

    def test_resolution_date_entered_afterwards(self):
        """A dispute settled weeks ago and recorded today keeps its real dates: the
        score's open-disputes factor counts it only while it was open."""
        invoice = self._invoice(self.customer, 300.0, due_in=-60)
        dispute = self._dispute(invoice, date=self.today - timedelta(days=50))
        for wrong in (self.today + timedelta(days=1), self.today - timedelta(days=51)):
            with self.assertRaisesRegex(ValidationError, "between the opening date"):
                dispute.resolution_date = wrong
        dispute.resolution_date = self.today - timedelta(days=20)
        dispute.action_mark_paid()
        self.assertEqual(dispute.date_resolved, self.today - timedelta(days=20))
        self.assertEqual(dispute.resolution_days, 30)
        Score = self.env["credit.score"]
        factor = Score._score_factor_open_disputes
        ids = self.customer.ids
        self.assertEqual(
            factor(ids, self.company, self.today - timedelta(days=30)),
            {self.customer.id: 1},
        )
        self.assertEqual(factor(ids, self.company, self.today - timedelta(days=10)), {})
        # reopened: the date entered for the first resolution is forgotten
        dispute.action_reopen()
        self.assertFalse(dispute.resolution_date)
        dispute.action_mark_paid()
        self.assertEqual(dispute.date_resolved, self.today)

    def test_resolved_by_credit_note_links_it(self):
        invoice = self._invoice(self.customer, 300.0)
        dispute = self._dispute(invoice)
        with self.assertRaisesRegex(UserError, "choose the credit note"):
            dispute.action_resolve_credit_note()
        self.assertEqual(dispute.state, "open")
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "price"})
        )
        reversal.refund_moves()
        credit_note = self.env["account.move"].search(
            [("reversed_entry_id", "=", invoice.id)]
        )
        credit_note.action_post()
        dispute.action_resolve_credit_note()
        self.assertEqual(dispute.state, "credit_note")
        self.assertEqual(dispute.credit_note_id, credit_note)

    def test_lines_show_the_invoice_as_it_is_now(self):
        """The invoice's figures on a dispute line follow payments and a reset to
        draft in the same transaction (they are read, not a dependency)."""
        invoice = self._invoice(self.customer, 300.0, due_in=-5)
        line = self._dispute(invoice, amount=100.0).line_ids
        self.assertRecordValues(
            line,
            [
                {
                    "move_amount_total": 300.0,
                    "move_amount_residual": 300.0,
                    "move_date_due": invoice.invoice_date_due,
                }
            ],
        )
        payment = self._pay(invoice, 120.0)
        self.assertEqual(line.move_amount_residual, 180.0)
        payment.move_id.line_ids.remove_move_reconcile()
        self.assertEqual(line.move_amount_residual, 300.0)
        invoice.button_draft()
        invoice.invoice_date_due = fields.Date.add(self.today, days=10)
        self.assertEqual(line.move_date_due, fields.Date.add(self.today, days=10))

    def test_only_open_disputes_can_be_deleted(self):
        dispute = self._dispute(self._invoice(self.customer, 100.0))
        dispute.action_mark_paid()
        with self.assertRaisesRegex(UserError, "Only open disputes"):
            dispute.unlink()

    def test_escalation_to_credit_managers(self):
        invoice = self._invoice(self.customer, 100.0)
        dispute = self._dispute(invoice, date=fields.Date.subtract(self.today, days=30))
        fresh = self._dispute(self._invoice(self.customer, 50.0))
        self.assertTrue(dispute.is_overdue)
        self.assertIn(dispute, self.Dispute.search([("is_overdue", "=", True)]))
        not_overdue = self.Dispute.search([("is_overdue", "=", False)])
        self.assertIn(fresh, not_overdue)
        self.assertNotIn(dispute, not_overdue)
        self.Dispute._cron_escalate()
        escalation = self.env.ref(
            "credit_management.mail_activity_type_credit_dispute_escalation"
        )
        activities = dispute.activity_ids.filtered(
            lambda a: a.activity_type_id == escalation
        )
        self.assertIn(self.manager, activities.user_id)
        self.assertNotIn(self.salesman, activities.user_id)
        self.assertTrue(dispute.escalated)
        self.assertFalse(fresh.escalated)
        self.Dispute._cron_escalate()  # once only
        self.assertEqual(
            len(
                dispute.activity_ids.filtered(
                    lambda a: a.activity_type_id == escalation
                )
            ),
            len(activities),
        )

    # ------------------------------------------------------------------ order block
    def test_disputed_amount_leaves_the_overdue_test(self):
        invoice = self._invoice(self.customer, 500.0, due_in=-20)
        order = self._order(self.customer, 10.0)
        self.assertEqual(self._row(self.customer).overdue_amount, 500.0)
        self.assertIn("overdue", dict(self.customer._credit_check(self.company, 10.0)))
        dispute = self._dispute(invoice, amount=200.0)
        # the overdue block is lifted once a controller accepts the dispute
        self.assertEqual(self._row(self.customer).overdue_amount, 500.0)
        dispute.with_user(self.controller).action_accept()
        self.assertEqual(self._row(self.customer).overdue_amount, 300.0)
        dispute.line_ids.amount = 500.0
        self.assertEqual(self._row(self.customer).overdue_amount, 0.0)
        self.assertNotIn(
            "overdue", dict(self.customer._credit_check(self.company, 10.0))
        )
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")
        # resolved: the amount is overdue again
        dispute.action_mark_paid()
        self.assertEqual(self._row(self.customer).overdue_amount, 500.0)
        self.assertIn("overdue", dict(self.customer._credit_check(self.company, 10.0)))

    def test_refresh_plans_the_disputes_only_for_customers_with_one(self):
        """The disputed-overdue branch of the refresh query is sent only when one of
        the refreshed customers has an open dispute (it costs more to plan than the
        search that leaves it out); the figures are the same either way."""
        invoice = self._invoice(self.customer, 500.0, due_in=-20)

        def refresh_sql():
            self.env.flush_all()
            with self.assertLogs("odoo.sql_db", "DEBUG") as logged:
                self.Exposure._refresh(self.customer, self.company)
            return "\n".join(logged.output)

        self.assertNotIn("credit_dispute_line", refresh_sql())
        self.assertEqual(self._row(self.customer).overdue_amount, 500.0)
        dispute = self._dispute(invoice, amount=200.0)
        self.assertNotIn("credit_dispute_line", refresh_sql())  # not accepted yet
        self.assertEqual(self._row(self.customer).overdue_amount, 500.0)
        dispute.action_accept()
        self.assertIn("credit_dispute_line", refresh_sql())
        self.assertEqual(self._row(self.customer).overdue_amount, 300.0)
        dispute.action_mark_paid()
        self.assertNotIn("credit_dispute_line", refresh_sql())
        self.assertEqual(self._row(self.customer).overdue_amount, 500.0)

    def _overdue_beyond_grace(self):
        return self.env["res.partner"]._credit_overdue_beyond_grace(
            self.company, self._row(self.customer)
        )[self.customer.id]

    def test_overdue_setting_and_grace_days(self):
        invoice = self._invoice(self.customer, 500.0, due_in=-20)
        self._invoice(self.customer, 100.0, due_in=-2)
        self._dispute(invoice, amount=400.0).action_accept()
        self.company.credit_overdue_grace_days = 5
        overdue, __ = self._overdue_beyond_grace()
        self.assertEqual(overdue, 100.0)  # 500 - 400 disputed; the 100 is in grace
        self.company.credit_dispute_exclude_overdue = False
        self.assertEqual(self._row(self.customer).overdue_amount, 600.0)
        overdue, __ = self._overdue_beyond_grace()
        self.assertEqual(overdue, 500.0)

    # ------------------------------------------------------------------ dunning
    def test_disputed_invoices_are_not_dunned(self):
        disputed = self._invoice(self.customer, 300.0, due_in=-15)
        other = self._invoice(self.customer, 200.0, due_in=-15)
        dispute = self._dispute(disputed, amount=50.0)
        self.assertEqual(self._paused(), disputed)
        self.company.credit_dispute_exclude_dunning = False
        self.assertFalse(self._paused())
        self.company.credit_dispute_exclude_dunning = True
        dispute.action_start()
        self.assertEqual(self._paused(), disputed)
        dispute.resolution_note = "Wrong"
        dispute.action_reject()
        self.assertFalse(self._paused())
        self.assertNotIn(other, self._paused())

    # ------------------------------------------------------------------ access
    def test_salesman_works_on_disputes_of_its_customers(self):
        invoice = self._invoice(self.customer, 300.0)
        dispute = self._dispute(invoice, user=self.salesman)
        dispute = dispute.with_user(self.salesman)
        dispute.action_start()
        dispute.description = "<p>Two pallets arrived broken.</p>"
        dispute.message_post(body="Called the customer.")
        self.assertEqual(dispute.state, "in_progress")
        with self.assertRaises(AccessError):
            dispute.unlink()
        # another salesperson's customer: invisible
        other_salesman = self.salesman.copy({"login": "cm_other_salesman"})
        stranger = self.env["res.partner"].create(
            {"name": "Client Étranger", "user_id": other_salesman.id}
        )
        invoice_b = self._invoice(stranger, 100.0)
        invoice_b.invoice_user_id = other_salesman
        foreign = self._dispute(invoice_b)
        self.assertFalse(
            self.Dispute.with_user(self.salesman).search([("id", "=", foreign.id)])
        )
        with self.assertRaises(AccessError):
            foreign.with_user(self.salesman).read(["name"])
        # the controller sees and deletes
        self.assertTrue(
            self.Dispute.with_user(self.controller).search([("id", "=", foreign.id)])
        )
        foreign.with_user(self.controller).unlink()
        # the salesman cannot touch reasons
        with self.assertRaises(AccessError):
            self.reason_price.with_user(self.salesman).write({"resolution_days": 1})

    def test_controller_logs_the_customers_reply(self):
        first = self._invoice(self.contact, 300.0)
        second = self._invoice(self.customer, 200.0)
        (first | second).invoice_user_id = self.salesman
        wizard = (
            self.env["credit.dispute.reply"]
            .with_user(self.controller)
            .with_context(active_model="account.move", active_ids=(first | second).ids)
            .create(
                {
                    "reason_id": self.reason_quality.id,
                    "comment": "Les palettes sont arrivées abîmées.",
                }
            )
        )
        self.assertEqual(wizard.author_id, self.contact)
        action = wizard.action_confirm()
        dispute = self.Dispute.browse(action["res_id"])
        self.assertEqual(dispute.source, "customer_reply")
        self.assertEqual(dispute.user_id, self.salesman)
        self.assertEqual(dispute.amount_disputed, 500.0)
        message = dispute.message_ids.filtered(
            lambda m: self.salesman.partner_id in m.partner_ids
        )
        self.assertEqual(message.author_id, self.contact)
        self.assertIn("palettes", message.body)
        with self.assertRaises(AccessError):
            self.env["credit.dispute.reply"].with_user(self.salesman).create(
                {"reason_id": self.reason_quality.id, "comment": "x"}
            )

    def test_multi_company(self):
        company_b = self.setup_other_company(name="Filiale B")["company"]
        invoice_b = self._invoice(self.customer, 400.0, due_in=-20, company=company_b)
        dispute_b = self.Dispute.with_company(company_b).create(
            {
                "partner_id": self.customer.id,
                "company_id": company_b.id,
                "reason_id": self.reason_price.id,
                "line_ids": [
                    Command.create({"move_id": invoice_b.id, "amount": 400.0})
                ],
            }
        )
        self.assertFalse(
            self.Dispute.with_user(self.manager).search([("id", "=", dispute_b.id)])
        )
        dispute_b.action_accept()
        # the overdue of company B leaves out its own disputes only
        self.assertEqual(self._row(self.customer, company_b).overdue_amount, 0.0)
        self.assertFalse(self._paused())

    def test_views_open_for_each_role(self):
        """Every screen of disputes, promises and plans loads for a salesperson and a
        controller (fields restricted to groups would break them)."""
        views = {
            "credit.dispute": ["kanban", "list", "form", "pivot", "graph", "search",
                               "activity"],
            "credit.promise": ["list", "form", "pivot", "graph", "search"],
            "credit.payment.plan": ["list", "form", "search"],
            "account.move": ["form", "list", "search"],
            "res.partner": ["form"],
        }  # fmt: skip
        for user in (self.salesman, self.controller):
            for model, types in views.items():
                result = (
                    self.env[model]
                    .with_user(user)
                    .get_views([(False, view_type) for view_type in types])
                )
                self.assertEqual(set(result["views"]), set(types))
        invoice = self._invoice(self.customer, 100.0)
        self._dispute(invoice)
        form = Form(invoice.with_user(self.salesman))
        self.assertTrue(form.credit_disputed)
        # a new dispute from the customer's form
        action = (
            self.contact.with_user(self.salesman)
            .with_context(credit_new_model="credit.dispute")
            .action_credit_new_record()
        )
        self.assertEqual(action["res_model"], "credit.dispute")
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
