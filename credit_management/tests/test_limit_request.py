# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestLimitRequest(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager_2 = new_test_user(
            cls.env,
            login="cm_manager_2",
            groups="sales_team.group_sale_salesman,credit_management.group_credit_manager",
            company_id=cls.company.id,
        )
        cls.company.credit_limit_second_approval_amount = 5000.0
        cls.Request = cls.env["credit.limit.request"]
        cls.activity_type = cls.env.ref(
            "credit_management.mail_activity_type_credit_limit_request"
        )

    def _request(self, amount, user=None):
        return self.Request.with_user(user or self.salesman).create(
            {
                "partner_id": self.contact.id,  # the company is the one requested
                "requested_limit": amount,
                "rationale": "Annual accounts 2025 attached: equity 800 k€.",
            }
        )

    def test_one_approval_below_the_threshold(self):
        request = self._request(3000.0)
        self.assertEqual(request.partner_id, self.customer)
        self.assertEqual(request.current_limit, 1000.0)
        request.action_submit()
        self.assertEqual(request.state, "submitted")
        self.assertIn(
            self.manager,
            request.activity_ids.filtered(
                lambda a: a.activity_type_id == self.activity_type
            ).user_id,
        )
        with self.assertRaises(UserError):  # a salesperson does not decide
            request.with_user(self.salesman).action_approve()
        request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(self.customer.credit_limit, 3000.0)
        self.assertEqual(self._row(self.customer).credit_limit, 3000.0)
        self.assertEqual(
            self.customer.credit_next_review_date, request.next_review_date
        )
        self.assertFalse(request.activity_ids)
        history = self.customer.credit_limit_history_ids
        self.assertEqual(len(history), 1)
        self.assertEqual(
            (history.old_limit, history.new_limit, history.request_id, history.user_id),
            (1000.0, 3000.0, request, self.manager),
        )

    def test_two_different_managers_above_the_threshold(self):
        request = self._request(8000.0)
        request.action_submit()
        self.assertTrue(request.needs_second_approval)
        request.with_user(self.manager).action_approve()
        self.assertEqual(request.state, "submitted")
        self.assertEqual(request.first_approver_id, self.manager)
        self.assertEqual(self.customer.credit_limit, 1000.0)
        with self.assertRaises(UserError):  # the same manager twice is one approval
            request.with_user(self.manager).action_approve()
        # the second manager has been asked
        self.assertIn(self.manager_2, request.activity_ids.user_id)
        self.assertNotIn(self.manager, request.activity_ids.user_id)
        request.with_user(self.manager_2).action_approve()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.approver_id, self.manager_2)
        self.assertEqual(self.customer.credit_limit, 8000.0)

    def test_refusal_needs_a_reason_and_keeps_the_limit(self):
        request = self._request(3000.0)
        request.action_submit()
        with self.assertRaises(UserError):
            request.with_user(self.manager).action_refuse()
        request.with_user(self.manager).refusal_reason = "Losses two years running"
        request.with_user(self.manager).action_refuse()
        self.assertEqual(request.state, "refused")
        self.assertEqual(self.customer.credit_limit, 1000.0)
        self.assertFalse(self.customer.credit_limit_history_ids)
        with self.assertRaises(UserError):
            request.unlink()

    def test_salesperson_cannot_forge_a_decision(self):
        request = self._request(3000.0)
        request.action_submit()
        with self.assertRaises(UserError):
            request.with_user(self.salesman).write({"state": "approved"})
        with self.assertRaises(UserError):  # submitted: the amount is frozen
            request.with_user(self.salesman).write({"requested_limit": 90000.0})
        with self.assertRaises(AccessError):
            request.with_user(self.salesman).unlink()

    def test_every_limit_change_is_kept(self):
        self.customer.with_user(self.manager).credit_limit = 2500.0
        history = self.customer.credit_limit_history_ids
        self.assertEqual((history.old_limit, history.new_limit), (1000.0, 2500.0))
        self.assertFalse(history.request_id)

    def test_review_due_creates_one_activity(self):
        review = self.env.ref("credit_management.mail_activity_type_credit_review")
        self.customer.credit_next_review_date = self.today
        self.env["res.partner"]._cron_credit_reviews()
        self.env["res.partner"]._cron_credit_reviews()
        activities = self.customer.activity_ids.filtered(
            lambda a: a.activity_type_id == review
        )
        self.assertIn(self.manager, activities.user_id)
        self.assertEqual(
            len(activities.filtered(lambda a: a.user_id == self.manager)), 1
        )
