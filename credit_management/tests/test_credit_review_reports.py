# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import Form, tagged

from .test_score import ScoreCommon


@tagged("post_install", "-at_install")
class TestCreditReviewReports(ScoreCommon):
    def test_committee_note_explains_the_customer(self):
        self._paid_invoice(self.late, 1000.0, 90, 30)
        self._invoice(self.late, 400.0, due_in=-15)
        self.env["credit.rating"].create(
            {"partner_id": self.late.id, "agency": "coface", "grade": "DRA 4"}
        )
        self.Score._refresh(self.late)
        html, __ = (
            self.env["ir.actions.report"]
            .with_user(self.controller)
            ._render_qweb_html(
                "credit_management.action_report_credit_committee_note", self.late.ids
            )
        )
        html = html.decode()
        self.assertIn("Mauvais Payeur SARL", html)
        self.assertIn("Average days late", html)  # the score's factors
        self.assertIn("DRA 4", html)  # external ratings
        self.assertIn(self.late._credit_recommendation(), html)

    def test_recommendation_follows_the_class(self):
        self._invoice(self.good, 100.0, due_in=10)
        self.Score._refresh(self.good)
        self.assertIn("Excellent payer", self.good._credit_recommendation())
        self.good.credit_insolvency = True
        self.assertIn("Insolvency", self.good._credit_recommendation())

    def test_credit_procedure_prints(self):
        self.company.credit_procedure = (
            "<p>Limits above 50,000 go to the committee.</p>"
        )
        self.env["credit.segment"].create({"name": "Secteur public"})
        html, __ = self.env["ir.actions.report"]._render_qweb_html(
            "credit_management.action_report_credit_procedure", self.company.ids
        )
        self.assertIn("go to the committee", html.decode())
        self.assertIn("Secteur public", html.decode())

    def test_nightly_job(self):
        """Scores, segment rules, snapshot and due reviews in one run."""
        segment = self.env["credit.segment"].create(
            {"name": "Sous surveillance", "rule_active": True, "rule_class_from": "d"}
        )
        self._invoice(self.late, 3000.0, due_in=-120)
        self._invoice(self.good, 100.0, due_in=10)
        self.good.credit_next_review_date = self.today
        self.Score._cron_refresh()
        self.assertEqual(self.late.credit_risk_class, "e")
        self.assertEqual(self.late.credit_segment_id, segment)
        self.assertFalse(self.good.credit_segment_id)
        self.assertTrue(
            self.env["credit.score.snapshot"].search_count(
                [("partner_id", "=", self.late.id)]
            )
        )
        review = self.env.ref("credit_management.mail_activity_type_credit_review")
        self.assertIn(review, self.good.activity_ids.activity_type_id)

    def test_backtest_wizard(self):
        invoice = self._invoice(self.late, 1000.0, due_in=-80)
        self._pay_on(invoice, self._days_ago(5))
        wizard = (
            self.env["credit.score.backtest"]
            .with_user(self.manager)
            .create({"date": self._days_ago(30), "partner_id": self.late.id})
        )
        wizard.action_compute()
        line = wizard.line_ids
        self.assertEqual(line.partner_id, self.late)
        # thirty days ago the invoice was 50 days overdue; it is paid today
        self.assertLess(line.score, line.score_today)
        self.assertIn("Oldest overdue item", wizard.explanation)

    def test_screens_open_for_each_role(self):
        """The customer form (score, class, trend, segment, ratings, limit history),
        the risk list and the request form load and read for every credit role."""
        self._paid_invoice(self.late, 1000.0, 60, 30)
        self.Score._refresh(self.late)
        self.late.user_id = self.salesman
        for user in (self.salesman, self.controller, self.manager):
            form = Form(self.late.with_user(user))
            self.assertEqual(form.credit_risk_class, self.late.credit_risk_class)
            self.assertTrue(form.credit_score)
            groups = (
                self.env["credit.score"]
                .with_user(user)
                .formatted_read_group(
                    [("partner_id", "=", self.late.id)],
                    groupby=["risk_class"],
                    aggregates=["__count"],
                )
            )
            self.assertEqual(
                [(group["risk_class"], group["__count"]) for group in groups],
                [(self.late.credit_risk_class, 1)],
            )
        request = Form(self.env["credit.limit.request"].with_user(self.salesman))
        request.partner_id = self.late
        request.requested_limit = 20000.0
        request.rationale = "Bilan 2025 joint."
        self.assertEqual(request.save().state, "draft")
