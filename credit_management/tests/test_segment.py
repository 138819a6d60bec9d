# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .test_score import ScoreCommon


@tagged("post_install", "-at_install")
class TestSegmentPolicy(ScoreCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Segment = cls.env["credit.segment"]
        cls.public = cls.Segment.create(
            {
                "name": "Public sector",
                "credit_custom_tolerance": True,
                "credit_limit_tolerance": 50.0,
                "credit_overdue_tolerance": 5000.0,
                "credit_overdue_grace_days": 60,
            }
        )

    def _codes(self, partner, amount):
        return [code for code, __ in partner._credit_check(self.company, amount)]

    def test_tolerances_partner_then_segment_then_company(self):
        self._invoice(self.customer, 900.0, due_in=-20)  # limit 1,000, 20 days late
        # company: no tolerance
        self.assertEqual(self._codes(self.customer, 400.0), ["limit", "overdue"])
        # segment: 50 % over the limit, overdue tolerated
        self.customer.credit_segment_id = self.public
        self.assertEqual(self._codes(self.customer, 400.0), [])
        self.assertEqual(self._codes(self.customer, 700.0), ["limit"])
        # the customer's own tolerances come first
        self.customer.write(
            {"credit_custom_tolerance": True, "credit_limit_tolerance": 0.0}
        )
        self.assertEqual(self._codes(self.customer, 400.0), ["limit", "overdue"])

    def test_segment_tolerances_apply_on_confirmation(self):
        self.customer.credit_segment_id = self.public
        order = self._order(self.customer, 1400.0)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_segment_maximum_caps_the_limit(self):
        self.customer.credit_limit = 5000.0
        small = self.Segment.create(
            {"name": "New customers", "max_credit_limit": 800.0}
        )
        self.customer.credit_segment_id = small
        reasons = dict(self.customer._credit_check(self.company, 900.0))
        self.assertIn("limit", reasons)
        self.assertIn("maximum of segment New customers", reasons["limit"])
        self.assertFalse(self.customer._credit_check(self.company, 700.0))

    def test_segment_in_form_proposes_payment_terms(self):
        terms = self.env.ref("account.account_payment_term_30days")
        self.public.payment_term_id = terms
        with Form(self.late.with_user(self.manager)) as form:
            form.credit_segment_id = self.public
        self.assertEqual(self.late.property_payment_term_id, terms)
        self.assertTrue(self.late.credit_segment_manual)

    def test_rules_assign_segments(self):
        weak = self.Segment.create(
            {
                "name": "Under watch",
                "sequence": 1,
                "rule_active": True,
                "rule_class_from": "d",
            }
        )
        new = self.Segment.create(
            {
                "name": "New customers",
                "sequence": 2,
                "rule_active": True,
                "rule_max_relationship_months": 6,
            }
        )
        big = self.Segment.create(
            {
                "name": "Key accounts",
                "sequence": 3,
                "rule_active": True,
                "rule_min_turnover": 5000.0,
            }
        )
        old = self._customer("Client historique")
        self._paid_invoice(old, 8000.0, 300, 0)  # first invoice 301 days ago
        self._paid_invoice(self.good, 100.0, 30, 0)
        self._invoice(self.late, 3000.0, due_in=-100)
        manual = self._customer("Mairie de Lyon")
        self._invoice(manual, 100.0, due_in=-100)
        manual.write(
            {"credit_segment_id": self.public.id, "credit_segment_manual": True}
        )
        self.Score._refresh()
        self.Segment._assign(self.company)
        self.assertEqual(self.late.credit_segment_id, weak)
        self.assertEqual(self.good.credit_segment_id, new)
        self.assertEqual(old.credit_segment_id, big)
        self.assertEqual(manual.credit_segment_id, self.public)
        self.assertEqual(self.late.credit_score_id.segment_id, weak)
        self.assertEqual(big.partner_count, 1)

    def test_rule_validation(self):
        with self.assertRaises(ValidationError):
            self.Segment.create(
                {"name": "Bad", "rule_class_from": "d", "rule_class_to": "b"}
            )


@tagged("post_install", "-at_install")
class TestCreditInsurance(ScoreCommon):
    def setUp(self):
        super().setUp()
        self.insurer = self.env["res.partner"].create(
            {"name": "Assureur Crédit", "is_company": True}
        )
        self.customer.write(
            {
                "credit_insurer_id": self.insurer.id,
                "credit_insured_amount": 600.0,
                "credit_insurance_expiry": self.today + timedelta(days=30),
            }
        )

    def test_cover_caps_the_limit_only_when_asked(self):
        self.assertFalse(self.customer._credit_check(self.company, 900.0))
        self.customer.credit_insurance_cap = True
        reasons = dict(self.customer._credit_check(self.company, 900.0))
        self.assertIn("credit insurance cover", reasons["limit"])
        self.assertFalse(self.customer._credit_check(self.company, 500.0))
        order = self._order(self.customer, 900.0)
        with self.assertRaises(UserError):
            order.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_expired_cover_leaves_nothing_insured(self):
        self.customer.write(
            {
                "credit_insurance_cap": True,
                "credit_insurance_expiry": self.today - timedelta(days=1),
            }
        )
        self.assertIn("limit", dict(self.customer._credit_check(self.company, 100.0)))

    def test_external_ratings(self):
        rating = self.env["credit.rating"].create(
            {
                "partner_id": self.customer.id,
                "agency": "banque_de_france",
                "grade": "4+",
            }
        )
        self.assertEqual(self.customer.credit_rating_ids, rating)

    def test_setting_changes_logged_in_the_chatter_with_the_company(self):
        """Changes of the credit settings are one chatter message naming the company
        (they are company-dependent); other writes of the customer log nothing."""
        insurer = self.env["res.partner"].create({"name": "Assureur-crédit SA"})
        public = self.env["credit.segment"].create({"name": "Public sector"})
        self.customer.write(
            {
                "credit_segment_id": public.id,
                "credit_insurer_id": insurer.id,
                "credit_insured_amount": 800.0,
            }
        )
        message = self.customer.message_ids[0]
        self.assertIn(f"Credit settings changed in {self.company.name}", message.body)
        for text in ("Public sector", "Assureur-crédit SA", "800.00"):
            self.assertIn(text, message.body)
        count = len(self.customer.message_ids)
        self.customer.write({"credit_insured_amount": 800.0, "customer_rank": 5})
        self.customer.invalidate_recordset(["message_ids"])
        self.assertEqual(len(self.customer.message_ids), count, "nothing changed")
