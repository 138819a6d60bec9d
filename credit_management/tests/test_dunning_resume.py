# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo.tests import tagged

from .test_dunning import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningResume(DunningCommon):
    """The daily job after a crash, and customers who all have a policy of their
    own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.automatic = True
        cls.env["account.bank.statement.line"].create(
            {
                "journal_id": cls.company_data["default_journal_bank"].id,
                "date": cls.today - timedelta(days=1),
                "payment_ref": "Bank",
                "amount": 10.0,
            }
        )
        cls.Run = cls.env["credit.dunning.run"].sudo()

    def _lines_of(self, partner):
        return self.env["credit.dunning.line"].search(
            [("partner_id", "=", partner.id), ("company_id", "=", self.company.id)]
        )

    def _interrupted_run(self, days_ago):
        """The state a job killed between two committed batches leaves: a scheduled
        run whose first customer was reminded and the second not."""
        self._invoice(self.customer, 500.0, due_in=-20)
        self._invoice(self.customer_b, 800.0, due_in=-20)
        run = self.Run.create(
            {
                "company_id": self.company.id,
                "automatic": True,
                "responsible_id": False,
                "date": self.today - timedelta(days=days_ago),
            }
        )
        run._generate_lines()
        self.assertEqual(run.line_ids.partner_id, self.customer | self.customer_b)
        self._line(run)._process()
        self.assertEqual(self._line(run).state, "done")
        self.assertEqual(self._line(run, self.customer_b).state, "draft")
        return run

    def _assert_reminded_once(self):
        for partner in (self.customer, self.customer_b):
            lines = self._lines_of(partner)
            self.assertEqual(lines.mapped("state"), ["done"], partner.name)
            self.assertTrue(lines.mail_message_id, partner.name)

    def test_job_supersedes_the_unfinished_run_of_an_earlier_day(self):
        run = self._interrupted_run(days_ago=1)
        today_runs = self.Run._cron_run()
        self._assert_reminded_once()
        # the customer left over is reminded by today's run, with today's figures
        self.assertEqual(
            self._lines_of(self.customer_b).run_id,
            today_runs.filtered(lambda r: r.company_id == self.company),
        )
        self.assertEqual(run.state, "done")
        self.assertEqual(run.line_ids.partner_id, self.customer)
        # and the next day nobody is reminded again
        self.Run._cron_run()
        self._assert_reminded_once()

    def test_job_replaces_an_earlier_run_that_sent_nothing(self):
        """A run of an earlier day that sent nothing (the bank was stale and no
        controller confirmed it) is replaced by today's, with today's figures."""
        self._invoice(self.customer, 500.0, due_in=-20)
        self._invoice(self.customer_b, 800.0, due_in=-20)
        stale = self.Run.create(
            {
                "company_id": self.company.id,
                "automatic": True,
                "responsible_id": False,
                "date": self.today - timedelta(days=1),
            }
        )
        stale._generate_lines()
        self.assertEqual(len(stale.line_ids), 2)
        self.Run._cron_run()
        self.assertFalse(stale.exists())
        self._assert_reminded_once()

    def test_job_picks_up_its_unfinished_run_of_today(self):
        run = self._interrupted_run(days_ago=0)
        runs = self.Run._cron_run()
        self.assertEqual(runs.filtered(lambda r: r.company_id == self.company), run)
        self._assert_reminded_once()
        self.assertEqual(run.state, "done")
        self.assertEqual(
            self.Run.search_count(
                [("date", "=", self.today), ("company_id", "=", self.company.id)]
            ),
            1,
        )

    def test_controller_preview_is_left_to_the_controller(self):
        """A controller's preview nobody confirmed is a human's work in progress:
        the job neither sends it nor reminds its customers behind their back."""
        self._invoice(self.customer, 500.0, due_in=-20)
        preview = self._run()  # a controller's draft run, yesterday or today
        self.assertEqual(self._line(preview).state, "draft")
        self.Run._cron_run()
        self.assertEqual(self._lines_of(self.customer), self._line(preview))
        self.assertEqual(self._line(preview).state, "draft")

    def test_customers_all_with_their_own_policy(self):
        own = self.policy.copy({"name": "Own", "is_default": False})
        for partner in (self.customer, self.customer_b):
            partner.with_user(self.controller).credit_dunning_policy_id = own
            self._invoice(partner, 500.0, due_in=-20)
        run = self._run()
        self.assertEqual(run.line_ids.policy_id, own)
        self.assertEqual(len(run.line_ids), 2)
        run.unlink()
        self.Run._cron_run()
        self._assert_reminded_once()

    def test_processing_lines_already_sent_does_nothing(self):
        run = self._interrupted_run(days_ago=0)
        sent = self._line(run)
        sent._process()  # nothing left to send: no query with an empty list
        self.assertEqual(sent.state, "done")
