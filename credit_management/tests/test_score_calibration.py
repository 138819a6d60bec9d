# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import format_date

from ..models.credit_score import _sigmoid, probability_class
from ..models.credit_score_model import auc, bootstrap_auc, fit_logistic, interval
from .test_score import ScoreCommon


class DatedInvoices(ScoreCommon):
    def _invoice_on(self, partner, invoice_date, due, paid_on=None, amount=1000.0):
        """A posted invoice dated ``invoice_date``, due ``due``, paid on ``paid_on``."""
        move = self.env["account.move"].create(
            self._invoice_values(partner, amount, invoice_date, due)
        )
        move.action_post()
        if paid_on:
            self._pay_on(move, paid_on)
        return move


@tagged("post_install", "-at_install")
class TestCalibrationMaths(ScoreCommon):
    """The pure parts: AUC with ties, the logistic fit, the probability classes,
    the wrong-way factor left out."""

    def test_auc_counts_ties_half(self):
        # perfect ranking, chance, and the known 2-customer answer (6 of 9 pairs)
        self.assertEqual(auc([(2, 1, 0), (1, 0, 1)]), 1.0)
        self.assertEqual(auc([(1, 0, 1), (2, 1, 0)]), 1.0)
        self.assertEqual(auc([(1, 3, 2)]), 0.5)
        self.assertAlmostEqual(auc([(-90, 1, 2), (-40, 2, 1)]), 6 / 9)
        self.assertIsNone(auc([(1, 2, 0)]))

    def test_interval_is_central(self):
        self.assertEqual(interval(list(range(100))), (5, 94))
        self.assertEqual(interval(list(range(100)), level=0.5), (25, 74))
        self.assertEqual(interval([3]), (3, 3))
        self.assertIsNone(interval([]))

    def test_bootstrap_resamples_customers(self):
        # two customers, each with both outcomes: a resample holds both (the AUC of
        # 6 of 9 pairs) or one twice (all its invoices tied: 0.5), half the time each
        two = [((-90,), 1, 2), ((-40,), 2, 1)]
        draws = bootstrap_auc(two, draws=400)
        self.assertEqual(len(draws), 400)
        self.assertEqual({round(d[0], 6) for d in draws}, {0.5, round(6 / 9, 6)})
        self.assertLess(abs(sum(d[0] == 0.5 for d in draws) - 200), 50)
        self.assertEqual(draws, bootstrap_auc(two, draws=400))  # fixed seed
        self.assertEqual(interval([d[0] for d in draws]), (0.5, 6 / 9))
        # a resample with one outcome only has no AUC and is left out
        split = bootstrap_auc([((1,), 1, 0), ((0,), 0, 1)], draws=400)
        self.assertEqual({d[0] for d in split}, {1.0})
        self.assertLess(abs(len(split) - 200), 50)
        # paired: the same resamples for every ranking; a ranking and its copy never
        # differ, a perfect ranking is always ahead of the reversed one
        customers = [((i, i, -i), int(i >= 10) * 3, int(i < 10) * 3) for i in range(20)]
        draws = bootstrap_auc(customers)
        self.assertEqual({d[0] - d[1] for d in draws}, {0.0})
        self.assertEqual({(d[0], d[2]) for d in draws}, {(1.0, 0.0)})
        self.assertEqual(auc((r[0], late, on) for r, late, on in customers), 1.0)

    def test_logistic_fit_recovers_the_model(self):
        intercept, slope = -1.0, -0.8
        samples = []
        for step in range(-20, 21):
            z = step / 10
            n = 1000
            k = round(n * _sigmoid(intercept + slope * z))
            samples.append(([z], n, k))
        beta = fit_logistic(samples)
        self.assertAlmostEqual(beta[0], intercept, places=2)
        self.assertAlmostEqual(beta[1], slope, places=2)

    def test_probability_classes(self):
        self.assertEqual(probability_class(0.05), "a")
        self.assertEqual(probability_class(0.15), "b")
        self.assertEqual(probability_class(0.30), "c")
        self.assertEqual(probability_class(0.50), "d")
        self.assertEqual(probability_class(0.75), "e")

    def test_factor_pointing_the_wrong_way_is_left_out(self):
        """Customers with a better days-late sub-score pay later and later, a
        better relationship age sub-score goes with fewer late payments: days late is
        dropped, relationship age kept with a negative (protective) coefficient."""
        Score = self.env["credit.score"]
        factors = [
            (factor, 10.0)
            for factor in Score._get_score_factors()
            if factor["code"] in ("days_late", "relationship_age")
        ]
        samples = []
        for i in range(40):
            good_age = i % 2 == 0
            sub_days = 40.0 + i
            late = (2 if good_age else 8) + (i // 10)
            samples.append(
                (
                    {
                        "days_late": (10.0, sub_days),
                        "relationship_age": (
                            24.0 if good_age else 3.0,
                            100.0 if good_age else 50.0,
                        ),
                    },
                    10,
                    late,
                )
            )
        fitted = self.env["credit.score.model"]._fit_samples(factors, samples)
        self.assertEqual(fitted["state"], "calibrated")
        self.assertEqual(set(fitted["parameters"]["factors"]), {"relationship_age"})
        self.assertLess(fitted["parameters"]["factors"]["relationship_age"]["coef"], 0)
        self.assertIn("Average days late", fitted["note"])


@tagged("post_install", "-at_install")
class TestCalibration(DatedInvoices):
    """Calibration on a real history: 12 customers, 12 monthly invoices each."""

    def _history_invoices(self, specs, terms=30):
        """Posted invoices of ``[(customer, invoice date, days late)]``, due
        ``terms`` days after their date and paid that many days late (open if that
        is after today): one create, one post, one payment per pay day."""
        moves = self.env["account.move"].create(
            [
                self._invoice_values(partner, 500.0, date, date + timedelta(days=terms))
                for partner, date, __ in specs
            ]
        )
        moves.action_post()
        by_day = {}
        for move, (__, date, late_days) in zip(moves, specs, strict=True):
            paid_on = date + timedelta(days=terms + late_days)
            if paid_on <= self.today:
                by_day[paid_on] = by_day.get(paid_on, move.browse()) | move
        for day, invoices in sorted(by_day.items()):
            self._pay_on(invoices, day)
        return moves

    def _history_invoice(self, partner, invoice_date, late_days, terms=30):
        return self._history_invoices([(partner, invoice_date, late_days)], terms)

    def _build_history(self, months=12):
        """Six on-time payers, six that pay 20 to 40 days late, one invoice a
        month for the last ``months`` months (before: none)."""
        self.good_ones = [self._customer(f"Ponctuel {i}") for i in range(6)]
        self.late_ones = [self._customer(f"Retard {i}") for i in range(6)]
        specs = []  # (customer, invoice date, days late)
        for month in range(months, 0, -1):
            date = self.today - timedelta(days=30 * month + 5)
            for i, partner in enumerate(self.good_ones):
                # one on-time customer in six slips once in a while
                specs.append((partner, date, 15 if (month + i) % 6 == 0 else 0))
            for i, partner in enumerate(self.late_ones):
                specs.append((partner, date, 20 + 4 * i if month % 4 else 0))
        self._history_invoices(specs)

    def test_too_little_history_keeps_the_weights(self):
        self._paid_invoice(self.late, 1000.0, 60, 30)
        record = self.env["credit.score.model"]._calibrate(self.company)
        self.assertEqual(record.state, "fallback")
        self.assertIn("Too little history", record.note)
        result = self._scores(self.late)[self.late.id]
        self.assertEqual(result["method"], "weights")
        self.assertIsNone(result["probability"])

    def test_calibrated_score_ranks_and_explains(self):
        self._build_history()
        record = self.env["credit.score.model"]._calibrate(self.company)
        self.assertEqual(record.state, "calibrated", record.note)
        self.assertGreaterEqual(record.invoice_count, 100)
        # a year of history only: its first half year is too much to leave out
        self.assertNotIn("left out: the company had", record.note or "")
        # well above chance; customer-level ranking caps it near 0.8 on this history
        self.assertGreater(record.auc, 0.65)
        params = record.parameters["factors"]
        self.assertTrue(params.keys() & {"days_late", "late_share"}, params)
        for code, item in params.items():
            self.assertLess(item["coef"], 0, code)
        names = {f["code"]: f["name"] for f in self.Score._get_score_factors()}
        for code in params:
            self.assertIn(names[code], record.summary)

        partners = self.env["res.partner"].union(*self.good_ones, *self.late_ones)
        scores = self._scores(partners)
        good = [scores[p.id] for p in self.good_ones]
        late = [scores[p.id] for p in self.late_ones]
        self.assertEqual({r["method"] for r in good + late}, {"calibrated"})
        self.assertGreater(min(r["score"] for r in good), max(r["score"] for r in late))
        # classes follow the probability, and spread over it
        for result in good + late:
            self.assertEqual(
                result["risk_class"], probability_class(result["probability"])
            )
            self.assertAlmostEqual(
                result["score"], 100 * (1 - result["probability"]), 0
            )
        self.assertIn(good[0]["risk_class"], "ab")
        self.assertIn(late[-1]["risk_class"], "de")
        # points: each factor's share of the difference with the average customer
        for result in good + late:
            points = sum(item["points"] or 0.0 for item in result["factors"].values())
            self.assertAlmostEqual(
                points, result["score"] - result["baseline"], delta=0.5
            )

        rows = self.Score._refresh(partners)
        row = rows.filtered(lambda r: r.partner_id == self.late_ones[-1])
        self.assertEqual(row.factor_data["method"], "calibrated")
        self.assertIn("probability of paying an invoice late", row.explanation)
        self.assertIn("Points", row.explanation)

        # the settings' hand-set weights are used when chosen
        self.company.credit_score_method = "weights"
        self.assertEqual(
            self._scores(self.late_ones[0])[self.late_ones[0].id]["method"], "weights"
        )

    def test_first_half_year_left_out_when_the_rest_suffices(self):
        """16 months of history: the invoices of the company's first 6 months
        (read on 12-month windows not yet half filled) do not train the model;
        the 10 months after them (120 invoices) are enough on their own."""
        self._build_history(months=16)
        Calibration = self.env["credit.score.model"]
        first = (self.today - timedelta(days=30 * 16 + 5)).replace(day=1)
        mature = first + relativedelta(months=6)
        start = self.today.replace(day=1) - relativedelta(months=23)
        known = sum(
            row[2]
            for row in Calibration._invoice_outcomes(
                self.company, start, self.today, self.today
            )
        )
        partners = self.env["res.partner"].union(*self.good_ones, *self.late_ones)
        young = self.env["account.move"].search_count(
            [
                ("partner_id", "in", partners.ids),
                ("move_type", "=", "out_invoice"),
                ("invoice_date", "<", mature),
            ]
        )
        self.assertEqual(young, 12 * 6)
        record = Calibration._calibrate(self.company)
        self.assertEqual(record.state, "calibrated", record.note)
        self.assertEqual(record.invoice_count, known - young)
        self.assertIn(
            f"The months before {format_date(self.env, mature)} are left out",
            record.note,
        )
        # the backtest fits the same way
        wizard = self.env["credit.score.backtest"].create(
            {"date": self.today - timedelta(days=1)}
        )
        wizard.action_compute()
        self.assertEqual(wizard.method, "calibrated")
        self.assertIn("are left out", wizard.calibration_note)

    def test_new_calibration_raises_no_drop_warnings(self):
        """Classes moved by a new model or method, not by the customers, give the
        managers no Risk Class Drop activity."""
        self._build_history()
        partners = self.env["res.partner"].union(*self.good_ones, *self.late_ones)
        self.company.credit_score_method = "weights"  # rescored, nothing to warn
        rows = self.Score.search([("partner_id", "in", partners.ids)])
        before = {row.partner_id: row.risk_class for row in rows}
        self.env["credit.score.model"].with_user(self.manager).action_calibrate()
        latest = self.env["credit.score.model"].search([], limit=1)
        self.assertEqual(latest.state, "calibrated")
        self.company.credit_score_method = "calibrated"
        rows.invalidate_recordset()
        self.assertTrue(rows.filtered(lambda r: r.risk_class > before[r.partner_id]))
        drop = self.env.ref("credit_management.mail_activity_type_credit_score_drop")
        self.assertFalse(
            partners.activity_ids.filtered(lambda a: a.activity_type_id == drop)
        )

    def test_drift_caught_before_the_limit(self):
        """The customer who pays later and later: on time for months, then 10, 20,
        35 days late, the last invoice overdue. Its exposure stays far below its
        limit (no block), but the score drops by classes and the credit managers get
        the early-warning activity."""
        drifting = self._customer("Glissement SAS", credit_limit=100000.0)
        for month, late_days in zip(
            range(9, 0, -1), (0, 0, 0, 0, 0, 10, 20, 35, 50), strict=True
        ):
            self._history_invoice(
                drifting, self.today - timedelta(days=30 * month), late_days
            )
        then = self.today - timedelta(days=150)
        before = self.Score._compute_scores(self.company, drifting, then)
        self.assertIn(before[drifting.id]["risk_class"], "ab")
        self.Score._store(self.company, before, then)
        row = self.Score._refresh(drifting)
        self.assertEqual(row.previous_risk_class, before[drifting.id]["risk_class"])
        self.assertGreater(row.risk_class, row.previous_risk_class)
        drop = self.env.ref("credit_management.mail_activity_type_credit_score_drop")
        activity = drifting.activity_ids.filtered(lambda a: a.activity_type_id == drop)
        self.assertIn(self.manager, activity.user_id)
        self.assertLess(drifting.credit_exposure_total, drifting.credit_limit / 10)
        # far from the limit: only the score warned
        self.assertGreater(drifting.credit_available, 90000.0)

    def test_calibrate_now_is_for_managers(self):
        Calibration = self.env["credit.score.model"]
        with self.assertRaises(AccessError):
            Calibration.with_user(self.controller).action_calibrate()
        action = Calibration.with_user(self.manager).action_calibrate()
        record = Calibration.browse(action["res_id"])
        self.assertEqual(record.company_id, self.company)
        # readable by every credit user, never written by them
        self.assertEqual(record.with_user(self.controller).state, "fallback")
        with self.assertRaises(AccessError):
            record.with_user(self.controller).unlink()

    def test_nightly_job_recalibrates_monthly(self):
        Calibration = self.env["credit.score.model"]
        Calibration._cron_calibrate_due()
        first = Calibration.search([("company_id", "=", self.company.id)])
        self.assertEqual(len(first), 1)
        Calibration._cron_calibrate_due()  # calibrated today: nothing to do
        self.assertEqual(
            Calibration.search_count([("company_id", "=", self.company.id)]), 1
        )
        first.sudo().date = self.today - timedelta(days=40)
        Calibration._cron_calibrate_due()
        self.assertEqual(
            Calibration.search_count([("company_id", "=", self.company.id)]), 2
        )


@tagged("post_install", "-at_install")
class TestBacktest(DatedInvoices):
    def test_known_answer(self):
        """Before the date: the good customer paid on time, the late one 40 days
        late. After it, three invoices each: the good customer pays two on time and
        one late, the late one two late and one on time. Of the 3 x 3 pairs (late,
        on time), the late customer's two late invoices beat the good customer's two
        on-time ones (4), tie with its own on-time one (2 x 1/2) and the good
        customer's late one ties with its two on-time ones (2 x 1/2): AUC 6 / 9."""
        date = self._two_customers_history()
        # an invoice whose outcome is not known yet (due in 10 days) is left out
        self._invoice_on(
            self.late, self.today - timedelta(days=20), self.today + timedelta(days=10)
        )

        wizard = (
            self.env["credit.score.backtest"]
            .with_user(self.manager)
            .create({"date": date})
        )
        wizard.action_compute()
        self.assertEqual(wizard.method, "weights")  # too little history to calibrate
        self.assertIn("Too little history", wizard.calibration_note)
        self.assertEqual((wizard.invoice_count, wizard.late_count), (6, 3))
        self.assertAlmostEqual(wizard.auc, 6 / 9, places=3)
        lines = {line.partner_id: line for line in wizard.line_ids}
        self.assertGreater(lines[self.good].score, lines[self.late].score)
        self.assertEqual(
            (lines[self.late].invoice_count, lines[self.late].late_count), (3, 2)
        )
        classes = {line.risk_class: line for line in wizard.class_line_ids}
        good_class = classes[lines[self.good].risk_class]
        late_class = classes[lines[self.late].risk_class]
        self.assertNotEqual(good_class, late_class)
        self.assertAlmostEqual(good_class.late_share, 1 / 3)
        self.assertAlmostEqual(late_class.late_share, 2 / 3)
        factors = {line.name: line for line in wizard.factor_line_ids}
        days_late = factors["Average days late (paid, 12 months)"]
        self.assertAlmostEqual(days_late.auc, 6 / 9, places=3)
        # resampling the two customers: both (6 / 9) or one twice (0.5)
        self.assertAlmostEqual(wizard.auc_low, 0.5, places=3)
        self.assertAlmostEqual(wizard.auc_high, 6 / 9, places=3)
        # days late ranks them as the score does: never ahead, never behind
        self.assertEqual((days_late.lead, days_late.lead_low), (0.0, 0.0))
        self.assertEqual((days_late.lead_high, days_late.verdict), (0.0, "even"))
        # a factor equal for both (chance) is behind by 1/6, but with two customers
        # a resample can hold one of them only: no clear difference either
        disputes = factors["Open disputes"]
        self.assertEqual(disputes.auc, 0.5)
        self.assertAlmostEqual(disputes.lead, 6 / 9 - 0.5, places=3)
        self.assertEqual((disputes.lead_low, disputes.verdict), (0.0, "even"))
        self.assertAlmostEqual(disputes.lead_high, 6 / 9 - 0.5, places=3)

    def test_horizon_counts_the_months_after_the_date_only(self):
        """The invoices of the known answer are issued 10 days after the date; two
        more of the good customer, issued 70 days after it and paid late, count
        without a horizon and not with a horizon of two months."""
        date = self._two_customers_history()
        later, due = date + timedelta(days=70), date + timedelta(days=80)
        for __ in range(2):
            self._invoice_on(self.good, later, due, due + timedelta(days=30))
        wizard = (
            self.env["credit.score.backtest"]
            .with_user(self.manager)
            .create({"date": date})
        )
        wizard.action_compute()
        self.assertEqual((wizard.invoice_count, wizard.late_count), (8, 5))
        # computed again on the same form (the wizard stays open): lines replaced
        wizard.horizon_months = 2
        wizard.action_compute()
        self.assertEqual(len(wizard.line_ids), 2)
        self.assertEqual(wizard.class_line_ids.mapped("customer_count"), [1, 1])
        self.assertEqual((wizard.invoice_count, wizard.late_count), (6, 3))
        self.assertAlmostEqual(wizard.auc, 6 / 9, places=3)
        with self.assertRaisesRegex(ValidationError, "number of months"):
            wizard.horizon_months = -1

    def _two_customers_history(self):
        """The good customer paid on time before the date, the late one 40 days
        late; after it, three invoices each (see ``test_known_answer``)."""
        date = self.today - timedelta(days=120)
        self._invoice_on(
            self.good,
            date - timedelta(days=90),
            date - timedelta(days=60),
            date - timedelta(days=60),
        )
        self._invoice_on(
            self.late,
            date - timedelta(days=90),
            date - timedelta(days=60),
            date - timedelta(days=20),
        )
        after, due = date + timedelta(days=10), date + timedelta(days=40)
        on_time, late = due, due + timedelta(days=30)
        for paid in (on_time, on_time, late):
            self._invoice_on(self.good, after, due, paid)
        for paid in (late, late, on_time):
            self._invoice_on(self.late, after, due, paid)
        return date

    def test_date_must_be_past(self):
        wizard = self.env["credit.score.backtest"].create({"date": self.today})
        with self.assertRaises(UserError):
            wizard.action_compute()
