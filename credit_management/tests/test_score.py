# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import CreditCommon


class ScoreCommon(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["credit.score"]
        cls.good = cls._customer("Bon Payeur SA")
        cls.late = cls._customer("Mauvais Payeur SARL")

    @classmethod
    def _customer(cls, name, **values):
        return cls.env["res.partner"].create(
            {"name": name, "is_company": True, "credit_limit": 10000.0, **values}
        )

    @classmethod
    def _pay_on(cls, invoices, date, amount=None):
        vals = {"payment_date": date}
        if amount is not None:
            vals["amount"] = amount
        return (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(vals)
            ._create_payments()
        )

    def _days_ago(self, days):
        return self.today - timedelta(days=days)

    def _paid_invoice(self, partner, amount, due_days_ago, late_days):
        """An invoice due ``due_days_ago`` days ago, paid ``late_days`` after its due
        date."""
        invoice = self._invoice(partner, amount, due_in=-due_days_ago)
        self._pay_on(invoice, self._days_ago(due_days_ago - late_days))
        return invoice

    def _scores(self, *partners, as_of=None):
        partners = self.env["res.partner"].union(*partners)
        return self.Score._compute_scores(self.company, partners, as_of)

    def _factor(self, result, code):
        return result["factors"][code]["value"]


@tagged("post_install", "-at_install")
class TestScoreFactors(ScoreCommon):
    def test_late_payer_scores_worse_than_on_time_payer(self):
        for due in (90, 60, 40):
            self._paid_invoice(self.good, 1000.0, due, 0)
            self._paid_invoice(self.late, 1000.0, due, 30)
        scores = self._scores(self.good, self.late)
        good, late = scores[self.good.id], scores[self.late.id]
        self.assertEqual(self._factor(good, "days_late"), 0.0)
        self.assertAlmostEqual(self._factor(late, "days_late"), 30.0)
        self.assertEqual(self._factor(good, "late_share"), 0.0)
        self.assertEqual(self._factor(late, "late_share"), 1.0)
        self.assertGreater(good["score"], late["score"] + 20)
        self.assertLess(good["risk_class"], late["risk_class"])

    def test_days_late_weighted_by_amount_and_recency(self):
        # a big invoice paid 40 days late weighs more than a small one on time
        self._paid_invoice(self.late, 9000.0, 100, 40)
        self._paid_invoice(self.late, 1000.0, 100, 0)
        days = self._factor(self._scores(self.late)[self.late.id], "days_late")
        late_weight = 9000.0 * (1 - 0.5 * 60 / 365)  # paid 60 days ago
        on_time_weight = 1000.0 * (1 - 0.5 * 100 / 365)  # paid 100 days ago
        expected = 40 * late_weight / (late_weight + on_time_weight)
        self.assertAlmostEqual(days, expected, places=3)
        # the same lateness a year ago weighs half of a recent one
        self._paid_invoice(self.good, 1000.0, 360, 20)  # paid 340 days ago
        self._paid_invoice(self.good, 1000.0, 20, 0)  # paid 20 days ago
        days = self._factor(self._scores(self.good)[self.good.id], "days_late")
        self.assertLess(days, 10.0)
        self.assertGreater(days, 6.0)

    def test_payments_older_than_a_year_do_not_count(self):
        self._paid_invoice(self.late, 1000.0, 500, 60)
        self._paid_invoice(self.late, 1000.0, 30, 0)
        result = self._scores(self.late)[self.late.id]
        self.assertEqual(self._factor(result, "days_late"), 0.0)
        self.assertEqual(self._factor(result, "late_share"), 0.0)

    def test_credit_notes_are_not_payments(self):
        invoice = self._invoice(self.late, 1000.0, due_in=-60)
        refund = self._invoice(self.late, 1000.0, move_type="out_refund", due_in=0)
        (invoice.line_ids | refund.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable"
        ).reconcile()
        result = self._scores(self.late)[self.late.id]
        self.assertIsNone(self._factor(result, "days_late"))

    def test_overdue_ratio_and_oldest_overdue(self):
        self._invoice(self.late, 300.0, due_in=-45)
        self._invoice(self.late, 100.0, due_in=-10)
        self._invoice(self.late, 400.0, due_in=20)
        self._invoice(self.good, 800.0, due_in=20)
        scores = self._scores(self.good, self.late)
        late = scores[self.late.id]
        self.assertAlmostEqual(self._factor(late, "overdue_ratio"), 0.5)
        self.assertEqual(self._factor(late, "overdue_age"), 45.0)
        self.assertEqual(self._factor(scores[self.good.id], "overdue_ratio"), 0.0)
        self.assertGreater(scores[self.good.id]["score"], late["score"])

    def test_partial_payment_leaves_the_rest_overdue(self):
        invoice = self._invoice(self.late, 1000.0, due_in=-30)
        self._pay_on(invoice, self._days_ago(10), amount=400.0)
        result = self._scores(self.late)[self.late.id]
        self.assertAlmostEqual(self._factor(result, "overdue_ratio"), 1.0)
        self.assertEqual(self._factor(result, "overdue_age"), 30.0)
        # partly paid: not settled, so not in the share of invoices paid late
        self.assertIsNone(self._factor(result, "late_share"))

    def test_limit_utilisation(self):
        self.late.credit_limit = 1000.0
        self._invoice(self.late, 1200.0, due_in=30)
        self._invoice(self.good, 1200.0, due_in=30)
        no_limit = self._customer("Sans Limite", credit_limit=0.0)
        self._invoice(no_limit, 1200.0, due_in=30)
        scores = self._scores(self.good, self.late, no_limit)
        self.assertAlmostEqual(self._factor(scores[self.late.id], "utilisation"), 1.2)
        self.assertAlmostEqual(self._factor(scores[self.good.id], "utilisation"), 0.12)
        self.assertIsNone(self._factor(scores[no_limit.id], "utilisation"))
        self.assertGreater(scores[self.good.id]["score"], scores[self.late.id]["score"])

    def test_relationship_age(self):
        self._paid_invoice(self.good, 100.0, 400, 0)
        self._invoice(self.late, 100.0, due_in=10)
        scores = self._scores(self.good, self.late)
        self.assertGreater(self._factor(scores[self.good.id], "relationship_age"), 12)
        self.assertLess(self._factor(scores[self.late.id], "relationship_age"), 1)
        self.assertGreater(
            scores[self.good.id]["factors"]["relationship_age"]["score"],
            scores[self.late.id]["factors"]["relationship_age"]["score"],
        )

    def test_returned_payment_lowers_the_score(self):
        invoice = self._invoice(self.late, 1000.0, due_in=10)
        self._invoice(self.good, 1000.0, due_in=10)
        before = self._scores(self.late)[self.late.id]
        self.assertIsNone(self._factor(before, "returned_payments"))
        payment = self._pay_on(invoice, self.today)
        payment.move_id._reverse_moves(cancel=True)  # the cheque bounced
        after = self._scores(self.late)[self.late.id]
        self.assertEqual(self._factor(after, "returned_payments"), 1.0)
        self.assertLess(after["score"], before["score"])

    def test_open_dispute_lowers_the_score_until_settled(self):
        invoice = self._invoice(self.late, 1000.0, due_in=-10)
        self._invoice(self.good, 1000.0, due_in=-10)
        before = self._scores(self.late)[self.late.id]
        self.assertIsNone(self._factor(before, "open_disputes"))  # no signal
        dispute = self.env["credit.dispute"].create(
            {
                "partner_id": self.late.id,
                "reason_id": self.env.ref(
                    "credit_management.credit_dispute_reason_quality"
                ).id,
                "line_ids": [Command.create({"move_id": invoice.id, "amount": 400.0})],
                "date": self._days_ago(5),
            }
        )
        scores = self._scores(self.good, self.late)
        self.assertEqual(self._factor(scores[self.late.id], "open_disputes"), 1)
        self.assertLess(scores[self.late.id]["score"], before["score"])
        # unknown a week ago; settled disputes no longer count
        week_ago = self._scores(self.late, as_of=self._days_ago(7))[self.late.id]
        self.assertIsNone(self._factor(week_ago, "open_disputes"))
        dispute.resolution_note = "Checked: the goods were fine."
        dispute.action_reject()
        self.assertEqual(dispute.date_resolved, self.today)
        self.assertIsNone(
            self._factor(self._scores(self.late)[self.late.id], "open_disputes")
        )
        # ... but did on the days it was open
        yesterday = self._scores(self.late, as_of=self._days_ago(1))[self.late.id]
        self.assertEqual(self._factor(yesterday, "open_disputes"), 1)

    def test_broken_promises_lower_the_score(self):
        self._invoice(self.late, 1000.0, due_in=-30)
        before = self._scores(self.late)[self.late.id]["score"]
        promise = self.env["credit.promise"].create(
            {
                "partner_id": self.late.id,
                "amount": 500.0,
                "date": self._days_ago(20),
                "date_promised": self._days_ago(3),
            }
        )
        self.env["credit.promise"]._cron_update_state()
        self.assertEqual(promise.state, "broken")
        after = self._scores(self.late)[self.late.id]
        self.assertEqual(self._factor(after, "broken_promises"), 1)
        self.assertLess(after["score"], before)
        # not known as broken before it was found broken
        earlier = self._scores(self.late, as_of=self._days_ago(1))[self.late.id]
        self.assertIsNone(self._factor(earlier, "broken_promises"))

    def test_dunning_level_reached_lowers_the_score(self):
        template = self.env.ref("credit_management.mail_template_credit_dunning")
        self.env["credit.dunning.policy"].create(
            {
                "name": "Policy",
                "company_id": self.company.id,
                "is_default": True,
                "level_ids": [
                    Command.create(
                        {
                            "name": name,
                            "sequence": seq,
                            "delay_days": delay,
                            "mail_template_id": template.id,
                        }
                    )
                    for name, seq, delay in (
                        ("Courtesy", 5, -3),
                        ("First", 10, 5),
                        ("Second", 20, 15),
                    )
                ],
            }
        )
        self.late.email = "ar@late.example.com"
        self._invoice(self.late, 1000.0, due_in=-20)
        before = self._scores(self.late)[self.late.id]
        self.assertIsNone(self._factor(before, "dunning_level"))
        run = self.env["credit.dunning.run"].create({"date": self.today})
        run.action_preview()
        run.action_confirm()
        after = self._scores(self.late)[self.late.id]
        # the first reminder (the courtesy level before it does not count)
        self.assertEqual(self._factor(after, "dunning_level"), 1)
        self.assertLess(after["score"], before["score"])
        yesterday = self._scores(self.late, as_of=self._days_ago(1))[self.late.id]
        self.assertIsNone(self._factor(yesterday, "dunning_level"))

    def test_contacts_count_for_their_company(self):
        self._invoice(self.contact, 500.0, due_in=-40)
        scores = self._scores(self.contact)
        self.assertEqual(list(scores), [self.customer.id])
        self.assertEqual(self._factor(scores[self.customer.id], "overdue_age"), 40.0)


@tagged("post_install", "-at_install")
class TestScoreComputation(ScoreCommon):
    def test_every_factor_has_a_company_weight(self):
        codes = [factor["code"] for factor in self.Score._get_score_factors()]
        self.assertEqual(
            codes,
            ["days_late", "late_share", "overdue_ratio", "overdue_age",
             "utilisation", "relationship_age", "returned_payments",
             "dunning_level", "open_disputes", "broken_promises"],
        )  # fmt: skip
        for factor in self.Score._get_score_factors():
            self.assertIn(factor["weight_field"], self.company._fields)
            self.assertTrue(factor["name"])

    def test_as_of_date_ignores_later_history(self):
        as_of = self._days_ago(50)
        invoice = self._invoice(self.late, 1000.0, due_in=-80)  # due 80 days ago
        self._paid_invoice(self.late, 500.0, 200, 10)
        before = self._scores(self.late, as_of=as_of)[self.late.id]
        # on that date the invoice was 30 days overdue
        self.assertEqual(self._factor(before, "overdue_age"), 30.0)
        # history after the date: the invoice paid, a new invoice, a late payment
        self._pay_on(invoice, self._days_ago(10))
        self._invoice(self.late, 5000.0, due_in=-20)
        self._paid_invoice(self.late, 700.0, 40, 35)
        after = self._scores(self.late, as_of=as_of)[self.late.id]
        self.assertEqual(after, before)
        today = self._scores(self.late)[self.late.id]
        self.assertNotEqual(today["score"], before["score"])
        self.assertEqual(self._factor(today, "overdue_age"), 20.0)

    def test_as_of_date_uses_the_limit_in_force_that_day(self):
        customer = self._customer("Limite Relevée", credit_limit=1000.0)
        self._invoice(customer, 800.0, due_in=-100)
        customer.credit_limit = 4000.0  # raised today: history row dated now
        then = self._scores(customer, as_of=self._days_ago(30))[customer.id]
        self.assertAlmostEqual(self._factor(then, "utilisation"), 0.8)
        today = self._scores(customer)[customer.id]
        self.assertAlmostEqual(self._factor(today, "utilisation"), 0.2)
        # two changes today: thirty days ago the first one's previous limit held
        customer.credit_limit = 2000.0
        then = self._scores(customer, as_of=self._days_ago(30))[customer.id]
        self.assertAlmostEqual(self._factor(then, "utilisation"), 0.8)

    def test_customer_without_history_at_the_date_has_no_score(self):
        self._invoice(self.late, 100.0, due_in=10)
        self.assertFalse(self._scores(self.late, as_of=self._days_ago(30)))

    def test_class_thresholds_are_company_settings(self):
        self._invoice(self.late, 1000.0, due_in=-20)
        result = self._scores(self.late)[self.late.id]
        score = result["score"]
        self.company.write(
            {
                "credit_score_class_a": min(score, 80.0),
                "credit_score_class_b": min(score, 65.0),
                "credit_score_class_c": min(score, 50.0),
                "credit_score_class_d": min(score, 35.0),
            }
        )
        self.assertEqual(self._scores(self.late)[self.late.id]["risk_class"], "a")
        with self.assertRaises(ValidationError):
            self.company.credit_score_class_b = 99.0

    def test_weights_are_company_settings(self):
        self._paid_invoice(self.late, 1000.0, 90, 60)
        self._invoice(self.late, 1000.0, due_in=10)
        low = self._scores(self.late)[self.late.id]["score"]
        self.company.credit_score_weight_days_late = 0.0
        self.company.credit_score_weight_late_share = 0.0
        result = self._scores(self.late)[self.late.id]
        self.assertNotIn("days_late", result["factors"])
        self.assertGreater(result["score"], low)
        with self.assertRaises(ValidationError):
            self.company.credit_score_weight_utilisation = -1.0

    def test_refresh_stores_scores_with_breakdown(self):
        self._paid_invoice(self.late, 1000.0, 60, 30)
        rows = self.Score._refresh(self.late)
        self.assertEqual(rows.partner_id, self.late)
        self.assertEqual(rows.computed_on, self.today)
        self.assertEqual(rows.factor_data["factors"]["days_late"]["value"], 30.0)
        self.assertIn("Average days late", rows.explanation)
        self.assertEqual(self.late.credit_score, rows.score)
        self.assertEqual(self.late.credit_risk_class, rows.risk_class)
        self.assertIn(
            self.late,
            self.env["res.partner"].search(
                [("credit_risk_class", "in", [rows.risk_class])]
            ),
        )
        # a second refresh updates the same row
        self.assertEqual(self.Score._refresh(self.late), rows)

    def test_full_refresh_query_count_does_not_grow_with_customers(self):
        def count_queries():
            self.Score._refresh(companies=self.company)  # rows exist, as every night
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Score._refresh(companies=self.company)
            return self.env.cr.sql_log_count - before

        self._paid_invoice(self.good, 100.0, 60, 0)
        self._invoice(self.late, 100.0, due_in=-5)
        few = count_queries()
        for index in range(6):
            customer = self._customer(f"Client {index}")
            self._paid_invoice(customer, 100.0 + index, 60, index * 5)
            self._invoice(customer, 50.0, due_in=-index)
        self.assertEqual(count_queries(), few)
        self.assertLess(few, 20)

    def test_class_drop_creates_activity_for_credit_managers(self):
        self._invoice(self.late, 1000.0, due_in=20)
        row = self.Score._refresh(self.late)
        self.assertEqual(row.risk_class, "a")
        activity_type = self.env.ref(
            "credit_management.mail_activity_type_credit_score_drop"
        )
        self._invoice(self.late, 3000.0, due_in=-100)
        row = self.Score._refresh(self.late)
        self.assertEqual(row.previous_risk_class, "a")
        self.assertGreater(row.risk_class, "b")
        activities = self.late.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        self.assertIn(self.manager, activities.user_id)
        self.assertNotIn(self.salesman, activities.user_id)
        # no new drop, no new activity
        count = len(self.late.activity_ids)
        self.Score._refresh(self.late)
        self.assertEqual(len(self.late.activity_ids), count)

    def test_monthly_snapshot_and_trend(self):
        self._invoice(self.late, 1000.0, due_in=20)
        row = self.Score._refresh(self.late)
        Snapshot = self.env["credit.score.snapshot"]
        Snapshot._take(row)
        Snapshot._take(row)  # once a month
        snapshot = Snapshot.search([("partner_id", "=", self.late.id)])
        self.assertEqual(len(snapshot), 1)
        self.assertEqual(snapshot.date, self.today.replace(day=1))
        # last month's snapshot was better: the trend is negative
        snapshot.sudo().write(
            {
                "date": self.today.replace(day=1) - timedelta(days=20),
                "score": row.score + 12.0,
            }
        )
        self.late.invalidate_recordset()
        self.assertAlmostEqual(self.late.credit_score_trend, -12.0)

    def test_insolvency_forces_worst_class_and_credit_hold(self):
        self._paid_invoice(self.late, 1000.0, 60, 0)
        self.late.write(
            {"credit_insolvency": True, "credit_insolvency_date": self._days_ago(3)}
        )
        self.assertTrue(self.late.credit_hold)
        self.assertIn("Insolvency", self.late.credit_hold_reason)
        result = self._scores(self.late)[self.late.id]
        self.assertGreater(result["score"], 80)
        self.assertEqual(result["risk_class"], "e")
        # not yet insolvent at an earlier date
        earlier = self._scores(self.late, as_of=self._days_ago(5))[self.late.id]
        self.assertEqual(earlier["risk_class"], "a")
        # the block rule sees the hold
        codes = [code for code, __ in self.late._credit_check(self.company, 10.0)]
        self.assertIn("hold", codes)
        row = self.Score._refresh(self.late)
        self.assertIn("Insolvency proceedings", row.explanation)


@tagged("post_install", "-at_install")
class TestScoreSecurity(ScoreCommon):
    def test_salesman_reads_scores_but_changes_no_risk_setting(self):
        self._invoice(self.late, 100.0, due_in=10)
        row = self.Score._refresh(self.late)
        self.assertTrue(row.with_user(self.salesman).score)
        with self.assertRaises(AccessError):
            row.with_user(self.salesman).write({"score": 100.0})
        for user in (self.salesman, self.controller):
            for vals in (
                {"credit_insolvency": True},
                {"credit_insured_amount": 5.0},
                {"credit_next_review_date": self.today},
            ):
                with self.assertRaises(AccessError):
                    self.late.with_user(user).write(vals)
            with self.assertRaises(AccessError):
                self.env["credit.segment"].with_user(user).create({"name": "X"})
        self.late.with_user(self.manager).credit_insured_amount = 5.0
        self.env["credit.segment"].with_user(self.manager).create({"name": "PME"})

    def test_user_without_credit_group_sees_no_score(self):
        user = self._create_new_internal_user(login="cm_plain_user_score")
        with self.assertRaises(AccessError):
            self.env["credit.score"].with_user(user).search([])

    def test_scores_follow_company_rules(self):
        company_b = self.setup_other_company(name="Filiale Score")["company"]
        self._invoice(self.late, 400.0, company=company_b)
        self._invoice(self.late, 100.0)
        self.Score._refresh(self.late)
        rows = self.Score.with_user(self.manager).search(
            [("partner_id", "=", self.late.id)]
        )
        self.assertEqual(rows.company_id, self.company)
        self.assertEqual(
            len(self.Score.sudo().search([("partner_id", "=", self.late.id)])), 2
        )
