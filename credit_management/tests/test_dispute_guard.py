# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A dispute lifts the overdue block only once a credit controller accepts it, and
a salesperson reaches the state and the acceptance only through the workflow."""

import re

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import get_public_method
from odoo.tests import HttpCase, new_test_user, tagged

from .test_dispute import DisputeCommon


@tagged("post_install", "-at_install")
class TestDisputeAcceptance(DisputeCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.overdue_invoice = cls._invoice(cls.customer, 500.0, due_in=-20)
        cls.overdue_invoice.invoice_user_id = cls.salesman

    def _overdue(self):
        return self._row(self.customer).overdue_amount

    def _blocks(self):
        return "overdue" in dict(self.customer._credit_check(self.company, 10.0))

    def test_salesperson_dispute_does_not_lift_the_block(self):
        order = self._order(self.customer, 10.0)
        dispute = self._dispute(self.overdue_invoice, user=self.salesman)
        self.assertEqual(dispute.amount_disputed, 500.0)
        self.assertFalse(dispute.accepted_date)
        self.assertEqual(self._overdue(), 500.0)
        self.assertTrue(self._blocks())
        with self.assertRaises(UserError):
            order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "draft")
        # the salesperson cannot accept its own dispute, even over RPC
        with self.assertRaises(AccessError):
            dispute.with_user(self.salesman).action_accept()
        self.assertFalse(dispute.accepted_by_id)
        self.assertEqual(self._overdue(), 500.0)
        # the controller accepts: logged, and the order passes
        dispute.with_user(self.controller).action_accept()
        self.assertEqual(dispute.accepted_by_id, self.controller)
        self.assertTrue(dispute.accepted_date)
        note = dispute.message_ids.filtered(
            lambda m: "Dispute accepted by" in str(m.body)
        )
        self.assertEqual(note.author_id, self.controller.partner_id)
        self.assertIn(self.controller.name, str(note.body))
        self.assertEqual(self._overdue(), 0.0)
        self.assertFalse(self._blocks())
        # withdrawn: overdue again
        with self.assertRaises(AccessError):
            dispute.with_user(self.salesman).action_withdraw_acceptance()
        dispute.with_user(self.manager).action_withdraw_acceptance()
        self.assertFalse(dispute.accepted_date)
        self.assertFalse(dispute.accepted_by_id)
        self.assertTrue(
            dispute.message_ids.filtered(
                lambda m: "Acceptance withdrawn by" in str(m.body)
            )
        )
        self.assertEqual(self._overdue(), 500.0)
        self.assertTrue(self._blocks())
        dispute.with_user(self.manager).action_accept()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_grace_days_read_accepted_disputes_only(self):
        """The rule's own query (customers with grace days) leaves out the disputed
        amount only once the dispute is accepted, as the stored figures do."""
        self.company.credit_overdue_grace_days = 5
        dispute = self._dispute(self.overdue_invoice, amount=400.0, user=self.salesman)

        def overdue_beyond_grace():
            return self.env["res.partner"]._credit_overdue_beyond_grace(
                self.company, self._row(self.customer)
            )[self.customer.id][0]

        self.assertEqual(overdue_beyond_grace(), 500.0)
        dispute.with_user(self.controller).action_accept()
        self.assertEqual(overdue_beyond_grace(), 100.0)

    def test_setting_off_open_disputes_count_at_once(self):
        settings = self.env["res.config.settings"].create(
            {"credit_dispute_require_acceptance": False}
        )
        settings.execute()
        self.assertFalse(self.company.credit_dispute_require_acceptance)
        order = self._order(self.customer, 10.0)
        dispute = self._dispute(self.overdue_invoice, user=self.salesman)
        self.assertFalse(dispute.accepted_date)
        self.assertEqual(self._overdue(), 0.0)
        self.assertFalse(self._blocks())
        # back on: the exposure is refreshed, the dispute must be accepted
        self.company.credit_dispute_require_acceptance = True
        self.assertEqual(self._overdue(), 500.0)
        self.assertTrue(self._blocks())
        self.company.credit_dispute_require_acceptance = False
        self.assertEqual(self._overdue(), 0.0)
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_portal_and_reply_disputes_need_acceptance(self):
        portal_user = new_test_user(
            self.env, login="cm_guard_portal", groups="base.group_portal"
        )
        portal = (
            self.Dispute.with_user(portal_user)
            .sudo()
            .create(
                {
                    "partner_id": self.customer.id,
                    "reason_id": self.reason_price.id,
                    "source": "portal",
                    "line_ids": [
                        Command.create(
                            {"move_id": self.overdue_invoice.id, "amount": 500.0}
                        )
                    ],
                }
            )
        )
        self.assertEqual(self._overdue(), 500.0)
        portal.with_user(self.controller).action_accept()
        self.assertEqual(self._overdue(), 0.0)
        # logged by a controller from the customer's reply: the same
        other = self._invoice(self.customer, 300.0, due_in=-20)
        wizard = (
            self.env["credit.dispute.reply"]
            .with_user(self.controller)
            .with_context(active_model="account.move", active_ids=other.ids)
            .create({"reason_id": self.reason_quality.id, "comment": "Abîmé."})
        )
        reply = self.Dispute.browse(wizard.action_confirm()["res_id"])
        self.assertEqual(reply.source, "customer_reply")
        self.assertFalse(reply.accepted_date)
        self.assertEqual(self._overdue(), 300.0)

    def test_reopening_clears_the_acceptance(self):
        dispute = self._dispute(self.overdue_invoice, user=self.salesman)
        dispute.with_user(self.controller).action_accept()
        as_salesman = dispute.with_user(self.salesman)
        as_salesman.action_start()  # open -> in progress keeps it
        self.assertTrue(dispute.accepted_date)
        self.assertEqual(self._overdue(), 0.0)
        as_salesman.resolution_note = "Delivery confirmed by the carrier."
        as_salesman.action_reject()
        # rejected: overdue again; who accepted it is kept
        self.assertEqual(self._overdue(), 500.0)
        self.assertEqual(dispute.accepted_by_id, self.controller)
        with self.assertRaises(UserError):
            dispute.with_user(self.controller).action_accept()  # closed
        dispute.with_user(self.controller).action_reopen()
        self.assertEqual(dispute.state, "open")
        self.assertFalse(dispute.accepted_by_id)
        self.assertFalse(dispute.accepted_date)
        self.assertEqual(self._overdue(), 500.0)


@tagged("post_install", "-at_install")
class TestDisputeWorkflowGuard(DisputeCommon):
    """A user without the controller group changes the state and the acceptance of
    a dispute only through the workflow actions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 500.0, due_in=-20)
        cls.invoice.invoice_user_id = cls.salesman
        cls.dispute = cls._dispute(cls.invoice, amount=300.0, user=cls.salesman)

    def _assert_untouched(self, dispute=None):
        dispute = dispute or self.dispute
        dispute.invalidate_recordset()
        self.assertRecordValues(
            dispute,
            [
                {
                    "state": "open",
                    "accepted_by_id": False,
                    "accepted_date": False,
                    "date_resolved": False,
                    "escalated": False,
                    "source": "internal",
                }
            ],
        )
        self.assertEqual(self._row(self.customer).overdue_amount, 500.0)

    def test_write_of_the_workflow_fields_is_refused(self):
        as_salesman = self.dispute.with_user(self.salesman)
        now = fields.Datetime.now()
        for vals in (
            {"state": "rejected"},
            {"state": "paid"},
            {"state": "open"},
            {"accepted_by_id": self.salesman.id},
            {"accepted_date": now},
            {"accepted_by_id": self.controller.id, "accepted_date": now},
            {"date_resolved": self.today},
            {"escalated": True},
            {"source": "portal"},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                as_salesman.write(vals)
            self._assert_untouched()
        # other fields stay the owner's
        as_salesman.write({"description": "<p>Called the customer.</p>"})
        # a controller may
        self.dispute.with_user(self.controller).write({"state": "in_progress"})
        self.assertEqual(self.dispute.state, "in_progress")

    def test_create_with_the_workflow_fields_is_refused(self):
        Dispute = self.Dispute.with_user(self.salesman)
        invoice = self._invoice(self.customer, 200.0)
        count = self.Dispute.search_count([])
        now = fields.Datetime.now()
        for vals in (
            {"state": "in_progress"},
            {"state": "paid"},
            {"accepted_by_id": self.salesman.id},
            {"accepted_date": now},
            {"escalated": True},
            {"source": "portal"},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                self._dispute(invoice, user=self.salesman, **vals)
        self.assertEqual(self.Dispute.search_count([]), count)
        # context defaults are ignored: the dispute is created open, not accepted
        dispute = Dispute.with_context(
            default_state="paid",
            default_accepted_by_id=self.salesman.id,
            default_accepted_date=now,
            default_escalated=True,
            default_source="portal",
        ).create(
            {
                "partner_id": self.customer.id,
                "reason_id": self.reason_price.id,
                "line_ids": [Command.create({"move_id": invoice.id, "amount": 200.0})],
            }
        )
        self._assert_untouched(dispute)
        # the default values themselves are fine
        self.assertTrue(
            self._dispute(
                self._invoice(self.customer, 50.0),
                user=self.salesman,
                state="open",
                source="internal",
                accepted_by_id=False,
            )
        )

    def test_copy_with_the_workflow_fields_is_refused(self):
        as_salesman = self.dispute.with_user(self.salesman)
        count = self.Dispute.search_count([])
        for default in (
            {"state": "rejected", "line_ids": []},
            {"accepted_date": fields.Datetime.now(), "line_ids": []},
        ):
            with self.assertRaises(AccessError, msg=str(default)):
                as_salesman.copy(default=default)
        self.assertEqual(self.Dispute.search_count([]), count)
        # a copy of an accepted dispute is not accepted
        self.dispute.with_user(self.controller).action_accept()
        copy = as_salesman.copy(default={"line_ids": []})
        self.assertFalse(copy.accepted_date)
        self.assertEqual(copy.state, "open")

    def test_load_of_the_workflow_fields_is_refused(self):
        Dispute = self.Dispute.with_user(self.salesman)
        count = self.Dispute.search_count([])
        for fnames, row in (
            ([".id", "state"], [str(self.dispute.id), "rejected"]),
            ([".id", "accepted_date"], [str(self.dispute.id), "2026-01-01 10:00:00"]),
            (
                ["partner_id/.id", "reason_id/.id", "state"],
                [str(self.customer.id), str(self.reason_price.id), "paid"],
            ),
        ):
            result = Dispute.load(fnames, [row])
            self.assertFalse(result["ids"], fnames)
            errors = [m for m in result["messages"] if m["type"] == "error"]
            self.assertTrue(errors, fnames)
            self._assert_untouched()
        self.assertEqual(self.Dispute.search_count([]), count)

    def test_state_changes_only_through_the_actions(self):
        # the workflow's own method is not reachable over RPC
        as_salesman = self.dispute.with_user(self.salesman)
        with self.assertRaises(AccessError):
            get_public_method(as_salesman, "_set_state")
        # the actions are, for the disputes the salesperson may write
        other_salesman = self.salesman.copy({"login": "cm_guard_other_salesman"})
        for action in ("action_start", "action_mark_paid"):
            # the state in cache (``assertRaises(AccessError)`` would clear it): the
            # write rights are checked, not only the read rules
            self.assertEqual(self.dispute.state, "open")
            with self.assertRaises(UserError, msg=action) as caught:
                getattr(self.dispute.with_user(other_salesman), action)()
            self.assertIsInstance(caught.exception, AccessError)
            self.assertEqual(self.dispute.state, "open")
        as_salesman.action_start()
        self.assertEqual(self.dispute.state, "in_progress")

    def test_lines_cannot_be_deleted_nor_changed_once_accepted(self):
        line = self.dispute.line_ids.with_user(self.salesman)
        with self.assertRaises(AccessError):
            line.unlink()
        with self.assertRaises(AccessError):
            self.dispute.with_user(self.salesman).write(
                {"line_ids": [Command.delete(line.id)]}
            )
        self.assertTrue(line.exists())
        # before acceptance the owner edits them
        line.amount = 400.0
        with self.assertRaises(AccessError):
            line.write({"state": "rejected"})
        self.dispute.with_user(self.controller).action_accept()
        self.assertEqual(self._row(self.customer).overdue_amount, 100.0)
        other = self._invoice(self.customer, 200.0)
        other_dispute = self._dispute(other, user=self.salesman)
        for vals in (
            {"amount": 500.0},
            {"move_id": other.id},
        ):
            with self.assertRaises(AccessError, msg=str(vals)):
                line.write(vals)
        with self.assertRaises(AccessError):
            other_dispute.line_ids.with_user(self.salesman).write(
                {"dispute_id": self.dispute.id}
            )
        with self.assertRaises(AccessError):
            self.env["credit.dispute.line"].with_user(self.salesman).create(
                {"dispute_id": self.dispute.id, "move_id": other.id, "amount": 1.0}
            )
        with self.assertRaises(AccessError):
            self.dispute.with_user(self.salesman).write(
                {"line_ids": [Command.create({"move_id": other.id, "amount": 1.0})]}
            )
        other_customer = self.env["res.partner"].create(
            {"name": "Autre Client", "is_company": True}
        )
        with self.assertRaises(AccessError):
            self.dispute.with_user(self.salesman).write(
                {"partner_id": other_customer.id}
            )
        self.assertEqual(line.amount, 400.0)
        self.assertEqual(line.move_id, self.invoice)
        self.assertEqual(self.dispute.line_ids, line)
        self.assertEqual(self._row(self.customer).overdue_amount, 100.0)
        form = self.dispute.with_user(self.salesman)
        self.assertTrue(form.lines_locked)
        # the controller may
        controller_line = line.with_user(self.controller)
        self.assertFalse(self.dispute.with_user(self.controller).lines_locked)
        controller_line.amount = 500.0
        self.assertEqual(self._row(self.customer).overdue_amount, 0.0)
        controller_line.unlink()
        self.assertEqual(self._row(self.customer).overdue_amount, 500.0)

    def test_text_size_and_reason_company(self):
        with self.assertRaisesRegex(ValidationError, "cannot exceed 50000"):
            self.dispute.with_user(self.salesman).description = "x" * 50001
        with self.assertRaisesRegex(ValidationError, "cannot exceed 10000"):
            self.dispute.with_user(self.salesman).resolution_note = "x" * 10001
        self.assertFalse(self.dispute.resolution_note)
        self.dispute.resolution_note = "x" * 10000
        other_company = self.env["res.company"].create({"name": "Autre Société"})
        foreign_reason = self.env["credit.dispute.reason"].create(
            {"name": "Autre", "company_id": other_company.id}
        )
        with self.assertRaises(UserError):
            self.dispute.write({"reason_id": foreign_reason.id})
        self.assertEqual(self.dispute.reason_id, self.reason_price)


@tagged("post_install", "-at_install")
class TestDisputeGuardPortal(HttpCase):
    """The portal refuses a reason of another company and a comment too long, as it
    refuses the other bad input: back to the invoice with ``dispute=refused``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Client Garde SARL",
                "is_company": True,
                "email": "compta@client-garde.example.com",
            }
        )
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Audit", "price_unit": 600.0, "tax_ids": []}
                    )
                ],
            }
        )
        cls.invoice.action_post()
        cls.reason = cls.env.ref("credit_management.credit_dispute_reason_quantity")
        other_company = cls.env["res.company"].create({"name": "Société Tierce"})
        cls.foreign_reason = cls.env["credit.dispute.reason"].create(
            {"name": "Motif d'une autre société", "company_id": other_company.id}
        )
        cls.own_reason = cls.env["credit.dispute.reason"].create(
            {"name": "Motif de la société", "company_id": cls.invoice.company_id.id}
        )

    def _post(self, reason_id, comment):
        page = self.url_open(self.invoice.get_portal_url())
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(
            f"/my/invoices/{self.invoice.id}/dispute",
            data={
                "csrf_token": csrf,
                "access_token": self.invoice.access_token,
                "reason_id": reason_id,
                "comment": comment,
            },
        )

    def _disputes(self):
        return self.env["credit.dispute"].search(
            [("partner_id", "=", self.customer.id)]
        )

    def test_refused_input(self):
        archived = self.reason.copy({"active": False})
        for reason_id, comment in (
            (self.foreign_reason.id, "Wrong quantity."),
            (self.reason.id, "x" * 4001),
            (archived.id, "Wrong quantity."),
            ("not a number", "Wrong quantity."),
        ):
            response = self._post(reason_id, comment)
            self.assertEqual(response.status_code, 200)
            self.assertIn("dispute=refused", response.url, reason_id)
            self.assertIn("could not be recorded", response.text)
            self.assertFalse(self._disputes())
        # a reason of the invoice's company and a comment at the limit: recorded,
        # waiting for a controller's acceptance
        response = self._post(self.own_reason.id, "y" * 4000)
        self.assertIn("dispute=sent", response.url)
        dispute = self._disputes()
        self.assertEqual(dispute.reason_id, self.own_reason)
        self.assertEqual(dispute.source, "portal")
        self.assertEqual(dispute.state, "open")
        self.assertFalse(dispute.accepted_date)
