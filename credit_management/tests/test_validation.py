# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.credit_validation import TEXT_MAX_SIZE
from .test_dispute import DisputeCommon

TOO_LONG = "x" * (TEXT_MAX_SIZE + 1)


@tagged("post_install", "-at_install")
class TestValidation(DisputeCommon):
    """Bad values are refused with a ValidationError naming the field, whoever
    writes them and by whatever path (write, create, load), and nothing is
    written. Each case is written by the user of the lowest group allowed to set
    the field, as an RPC caller would."""

    def _refused(self, records, values, regex):
        """``values`` written on ``records`` are refused; the fields keep their
        values."""
        before = records.sudo().read(list(values))
        with self.assertRaisesRegex(ValidationError, regex):
            records.write(values)
        self.assertEqual(records.sudo().read(list(values)), before)

    # ------------------------------------------------------------------ customer
    def test_partner_limits_and_tolerances(self):
        partner = self.customer.with_user(self.manager)
        cases = [
            ({"credit_limit": -1.0}, "Credit Limit cannot be negative"),
            ({"credit_limit": 2e15}, "Credit Limit cannot exceed"),
            ({"credit_insured_amount": -5.0}, "Insured Amount cannot be negative"),
            ({"credit_limit_tolerance": 101.0}, r"Limit Tolerance \(%\) cannot exceed"),
            ({"credit_limit_tolerance": -1.0}, r"Limit Tolerance \(%\) cannot be neg"),
            ({"credit_overdue_tolerance": -0.01}, "Overdue Tolerance cannot be neg"),
            ({"credit_overdue_grace_days": -3}, "Overdue Grace Days cannot be neg"),
            ({"credit_hold_reason": TOO_LONG}, "cannot exceed 4000 characters"),
        ]
        for values, regex in cases:
            self._refused(partner, values, regex)
        # 0 is no limit and the bounds themselves are allowed
        partner.write(
            {
                "credit_limit": 0.0,
                "credit_limit_tolerance": 100.0,
                "credit_overdue_grace_days": 0,
                "credit_hold_reason": "x" * TEXT_MAX_SIZE,
            }
        )
        self.assertEqual(self.customer.credit_limit, 0.0)

    def test_partner_create_and_load_are_checked(self):
        Partner = self.env["res.partner"].with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "Credit Limit cannot be neg"):
            Partner.create({"name": "Negative SA", "credit_limit": -100.0})
        result = Partner.load(["name", "credit_limit"], [["Absurd SA", "1e16"]])
        self.assertFalse(result["ids"])
        self.assertIn("cannot exceed", result["messages"][0]["message"])
        self.assertFalse(
            self.env["res.partner"].search_count([("name", "in", ("Negative SA",
                                                                   "Absurd SA"))])
        )  # fmt: skip

    def test_partner_limit_is_checked_in_the_company_it_is_written_for(self):
        other = self.env["res.company"].create({"name": "Filiale Belgique"})
        self.manager.company_ids += other
        partner = self.customer.with_user(self.manager).with_company(other)
        self._refused(partner, {"credit_limit": -1.0}, "cannot be negative")
        self.assertEqual(self.customer.credit_limit, 1000.0)

    def test_temporary_limit_written_on_the_partner(self):
        partner = self.customer.with_user(self.manager)
        tomorrow = self.today + timedelta(days=1)
        yesterday = self.today - timedelta(days=1)
        self._refused(
            partner,
            {
                "credit_limit_temporary": -500.0,
                "credit_limit_temporary_expiry": tomorrow,
            },
            "Temporary Limit cannot be negative",
        )
        self._refused(
            partner,
            {
                "credit_limit_temporary": 5000.0,
                "credit_limit_temporary_expiry": yesterday,
            },
            "needs an end date, today or later",
        )
        self._refused(partner, {"credit_limit_temporary": 5000.0}, "needs an end date")
        partner.write(
            {
                "credit_limit_temporary": 5000.0,
                "credit_limit_temporary_expiry": tomorrow,
            }
        )
        self.assertEqual(self._row(self.customer).credit_limit, 5000.0)
        # once it expired (before the nightly job clears it), other settings of
        # the customer can still be written, and clearing it is always allowed
        with freeze_time(self.today + timedelta(days=3)):
            partner.credit_limit = 2000.0
            partner.write(
                {"credit_limit_temporary": 0.0, "credit_limit_temporary_expiry": False}
            )
        self.assertEqual(self.customer.credit_limit, 2000.0)

    def test_temporary_limit_wizard_reason_size(self):
        with self.assertRaisesRegex(ValidationError, "Dupont SARL: Reason cannot"):
            self.env["res.partner.credit.limit.temporary"].with_user(
                self.manager
            ).create(
                {
                    "partner_id": self.customer.id,
                    "amount": 2000.0,
                    "date_end": self.today,
                    "reason": TOO_LONG,
                }
            )

    # ------------------------------------------------------------------ company
    def test_company_settings(self):
        company = self.company  # the settings screen writes the company as admin
        cases = [
            ({"credit_limit_tolerance": 150.0}, "cannot exceed 100"),
            ({"credit_overdue_tolerance": -1.0}, "Overdue Tolerance cannot be neg"),
            ({"credit_overdue_grace_days": -1}, "Overdue Grace Days cannot be neg"),
            ({"credit_dunning_bank_max_age": -2}, r"Max Age \(days\) cannot be neg"),
            ({"credit_limit_second_approval_amount": -1.0}, "cannot be negative"),
        ]
        for values, regex in cases:
            self._refused(company, values, regex)

    def test_settings_screen_refuses_and_writes_nothing(self):
        with self.assertRaisesRegex(ValidationError, "Grace Days cannot be negative"):
            self.env["res.config.settings"].create(
                {"credit_limit_tolerance": 10.0, "credit_overdue_grace_days": -5}
            ).execute()
        self.assertEqual(self.company.credit_limit_tolerance, 0.0)
        self.assertEqual(self.company.credit_overdue_grace_days, 0)

    def test_segment_settings(self):
        segment = (
            self.env["credit.segment"]
            .with_user(self.manager)
            .create({"name": "Grands comptes"})
        )
        self._refused(segment, {"max_credit_limit": -1.0}, "Maximum Limit cannot be")
        self._refused(segment, {"credit_limit_tolerance": 120.0}, "cannot exceed 100")
        self._refused(segment, {"credit_overdue_grace_days": -1}, "cannot be negative")
        with self.assertRaisesRegex(ValidationError, "Overdue Tolerance cannot be"):
            self.env["credit.segment"].with_user(self.manager).create(
                {"name": "PME", "credit_overdue_tolerance": -10.0}
            )

    # ------------------------------------------------------------------ dunning
    def test_dunning_amounts_and_rates(self):
        policy = (
            self.env["credit.dunning.policy"]
            .with_user(self.manager)
            .create(
                {
                    "name": "Relances PME",
                    "level_ids": [
                        Command.create(
                            {"name": "Rappel", "sequence": 1, "delay_days": 5}
                        )
                    ],
                }
            )
        )
        self._refused(policy, {"interest_rate": -3.0}, "Interest Rate .* negative")
        self._refused(policy, {"interest_rate": 1000.0}, "cannot exceed 100")
        self._refused(
            policy, {"recovery_indemnity_amount": -40.0}, "Indemnity per Invoice"
        )
        level = policy.level_ids[:1]
        self._refused(level, {"min_amount": -10.0}, "Minimum Amount cannot be neg")
        policy.write({"interest_rate": 12.37})
        level.write({"min_amount": 0.0})

    # ------------------------------------------------------------------ plans
    def _started_plan(self):
        invoices = self._invoice(self.customer, 600.0, due_in=-40) | self._invoice(
            self.customer, 300.0, due_in=-20
        )
        plan = (
            self.env["credit.payment.plan"]
            .with_user(self.controller)
            .create(
                {
                    "partner_id": self.customer.id,
                    "invoice_ids": [Command.set(invoices.ids)],
                    "instalment_count": 3,
                }
            )
        )
        plan.action_compute_instalments()
        plan.action_start()
        return plan

    def test_plan_terms(self):
        Plan = self.env["credit.payment.plan"].with_user(self.controller)
        with self.assertRaisesRegex(ValidationError, "cannot exceed 120"):
            Plan.create({"partner_id": self.customer.id, "instalment_count": 121})
        with self.assertRaisesRegex(ValidationError, "cannot exceed 12"):
            Plan.create({"partner_id": self.customer.id, "interval_months": 13})
        with self.assertRaisesRegex(ValidationError, "Interest Rate .* negative"):
            Plan.create({"partner_id": self.customer.id, "interest_rate": -1.0})
        self.assertFalse(Plan.search([("partner_id", "=", self.customer.id)]))

    def test_started_plan_instalments_keep_adding_up(self):
        plan = self._started_plan()
        first, second, third = plan.line_ids
        self.assertEqual(first.amount_principal, 300.0)
        # one instalment changed on its own no longer adds up
        self._refused(first, {"amount_principal": 100.0}, "must add up to the")
        with self.assertRaisesRegex(ValidationError, "must add up to the"):
            third.unlink()
        with self.assertRaisesRegex(ValidationError, "must add up to the"):
            plan.write(
                {"line_ids": [Command.update(first.id, {"amount_principal": 1})]}
            )
        with self.assertRaisesRegex(ValidationError, "must add up to the"):
            self.env["credit.payment.plan.line"].with_user(self.controller).create(
                {"plan_id": plan.id, "date_due": self.today, "amount_principal": 5.0}
            )
        self.assertEqual(plan.line_ids.mapped("amount_principal"), [300.0] * 3)
        # rescheduling in one write: the amounts move between instalments
        plan.write(
            {
                "line_ids": [
                    Command.update(first.id, {"amount_principal": 100.0}),
                    Command.update(second.id, {"amount_principal": 500.0}),
                ]
            }
        )
        self.assertEqual(plan.line_ids.mapped("amount_principal"), [100, 500, 300])

    # ------------------------------------------------------------------ promises
    def test_promise_dates_invoices_and_note(self):
        invoice = self._invoice(self.customer, 500.0, due_in=-20)
        other = self.env["res.partner"].create({"name": "Martin SAS"})
        foreign = self._invoice(other, 200.0, due_in=-20)
        Promise = self.env["credit.promise"].with_user(self.controller)
        values = {
            "partner_id": self.customer.id,
            "amount": 500.0,
            "date_promised": self.today + timedelta(days=7),
            "invoice_ids": [Command.set(invoice.ids)],
        }
        cases = [
            ({"date_promised": self.today - timedelta(days=1),
              "date": self.today - timedelta(days=10)}, "promised date .* is past"),
            ({"date": self.today + timedelta(days=1)}, "recorded on a day to come"),
            ({"invoice_ids": [Command.set((invoice | foreign).ids)]},
             "only be for invoices of Dupont SARL"),
            ({"amount": 2e15}, "Amount cannot exceed"),
            ({"note": TOO_LONG}, "Note cannot exceed 4000 characters"),
        ]  # fmt: skip
        for changes, regex in cases:
            with self.assertRaisesRegex(ValidationError, regex):
                Promise.create({**values, **changes})
        self.assertFalse(Promise.search([("partner_id", "=", self.customer.id)]))
        promise = Promise.create(values)
        self._refused(
            promise,
            {"date_promised": self.today - timedelta(days=1)},
            "is past",
        )
        # the credit manager enters the history of past promises
        past = (
            self.env["credit.promise"]
            .with_user(self.manager)
            .create(
                {
                    **values,
                    "date": self.today - timedelta(days=30),
                    "date_promised": self.today - timedelta(days=20),
                }
            )
        )
        self.assertEqual(past.date_promised, self.today - timedelta(days=20))

    # ------------------------------------------------------------------ texts
    def test_reasons_and_rationales_size(self):
        order = self._order(self.customer, 5000.0)
        with self.assertRaisesRegex(ValidationError, f"{order.name}: Reason cannot"):
            self.env["sale.order.credit.release"].with_user(self.manager).create(
                {"order_id": order.id, "reason": TOO_LONG}
            )
        with self.assertRaisesRegex(ValidationError, "cannot exceed 4000"):
            order.with_user(self.manager)._credit_release(TOO_LONG)
        self.assertFalse(order.credit_release_amount)
        Request = self.env["credit.limit.request"].with_user(self.salesman)
        with self.assertRaisesRegex(ValidationError, "Rationale cannot exceed 4000"):
            Request.create(
                {
                    "partner_id": self.customer.id,
                    "requested_limit": 5000.0,
                    "rationale": TOO_LONG,
                }
            )
        with self.assertRaisesRegex(ValidationError, "Requested Limit cannot exceed"):
            Request.create(
                {
                    "partner_id": self.customer.id,
                    "requested_limit": 1e16,
                    "rationale": "Group guarantee",
                }
            )

    def test_message_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["credit_management"], ["fr_FR"]
        )
        self.manager.lang = "fr_FR"
        partner = self.customer.with_user(self.manager).with_context(lang="fr_FR")
        with self.assertRaisesRegex(ValidationError, "ne peut pas être négative"):
            partner.credit_limit = -1.0
