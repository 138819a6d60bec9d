# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .credit_validation import check_amounts, check_rates


class ResCompany(models.Model):
    _inherit = "res.company"

    # Every request fetches its company: the settings the order block and the
    # exposure read come with it; the others (scores, reviews, dunning, the
    # procedure) are fetched only when read (prefetch groups).
    credit_block_enabled = fields.Boolean(
        "Block Orders on Credit",
        default=True,
        help="Refuse the confirmation of sale orders that break the credit rules.",
    )
    credit_require_limit = fields.Boolean(
        "Require a Credit Line",
        help="A customer without a credit limit cannot have orders confirmed.",
    )
    credit_include_draft_invoices = fields.Boolean(
        "Count Draft Invoices",
        default=True,
        help="Draft customer invoices count in the exposure.",
    )
    credit_limit_tolerance = fields.Float(
        "Limit Tolerance (%)",
        help="Orders pass while exposure + order <= limit x (1 + tolerance).",
    )
    credit_overdue_tolerance = fields.Monetary(
        "Overdue Tolerance",
        currency_field="currency_id",
        help="Overdue amount tolerated before orders are blocked.",
    )
    credit_overdue_grace_days = fields.Integer(
        "Overdue Grace Days",
        help="Items overdue by this many days or fewer do not block orders.",
    )
    credit_group_exposure = fields.Boolean(
        "Group Exposure",
        help="The limit set in this company covers the customer's exposure in every "
        "company of the database.",
    )
    credit_dispute_exclude_dunning = fields.Boolean(
        "No Dunning of Disputed Invoices",
        default=True,
        help="Invoices in an open dispute are left out of dunning.",
        prefetch="credit_policy",
    )
    credit_dispute_exclude_overdue = fields.Boolean(
        "Disputed Amounts Do Not Block",
        default=True,
        help="The disputed amount of open disputes is left out of the overdue test "
        "of the order block.",
    )
    credit_dispute_require_acceptance = fields.Boolean(
        "Disputes Lift the Block Once Accepted",
        default=True,
        help="An open dispute leaves its disputed amount out of the overdue test of "
        "the order block only once a credit controller has accepted it; otherwise "
        "as soon as it is opened.",
    )
    credit_dunning_bank_max_age = fields.Integer(
        "Bank Statements Max Age (days)",
        default=3,
        help="The scheduled dunning run sends nothing (and tells the controllers) when "
        "the last entry of a bank journal is older than this.",
        prefetch="credit_policy",
    )

    def write(self, vals):
        res = super().write(vals)
        if vals.keys() & {
            "credit_include_draft_invoices",
            "credit_dispute_exclude_overdue",
            "credit_dispute_require_acceptance",
        }:
            # draft invoices in or out of the exposure: every row of the company changes
            self.env["credit.exposure"].sudo()._refresh(companies=self)
        if "credit_score_method" in vals:
            # classes move with the method, not with the customers: no drop warnings
            self.env["credit.score"].sudo()._refresh(companies=self, notify=False)
        return res

    # ------------------------------------------------------------------ risk scores
    credit_score_method = fields.Selection(
        [
            ("calibrated", "Calibrated on the company's history"),
            ("weights", "Hand-set weights"),
        ],
        "Score Method",
        default="calibrated",
        required=True,
        help="Calibrated: a model fitted every month on the company's own payment "
        "history weighs the factors and gives each customer a probability of paying "
        "late (the hand-set weights are used until there is enough history). "
        "Hand-set weights: the weighted mean of the factor sub-scores.",
        prefetch="credit_score",
    )
    credit_score_weight_days_late = fields.Float(
        "Weight: Days Late", default=30.0, prefetch="credit_score"
    )
    credit_score_weight_late_share = fields.Float(
        "Weight: Invoices Paid Late", default=15.0, prefetch="credit_score"
    )
    credit_score_weight_overdue_ratio = fields.Float(
        "Weight: Overdue Share", default=15.0, prefetch="credit_score"
    )
    credit_score_weight_overdue_age = fields.Float(
        "Weight: Oldest Overdue", default=15.0, prefetch="credit_score"
    )
    credit_score_weight_utilisation = fields.Float(
        "Weight: Limit Utilisation", default=10.0, prefetch="credit_score"
    )
    credit_score_weight_relationship_age = fields.Float(
        "Weight: Relationship Age", default=5.0, prefetch="credit_score"
    )
    credit_score_weight_returned_payments = fields.Float(
        "Weight: Returned Payments", default=10.0, prefetch="credit_score"
    )
    credit_score_weight_dunning_level = fields.Float(
        "Weight: Dunning Level", default=10.0, prefetch="credit_score"
    )
    credit_score_weight_open_disputes = fields.Float(
        "Weight: Open Disputes", default=10.0, prefetch="credit_score"
    )
    credit_score_weight_broken_promises = fields.Float(
        "Weight: Broken Promises", default=10.0, prefetch="credit_score"
    )
    credit_limit_second_approval_amount = fields.Monetary(
        "Second Approval Above",
        currency_field="currency_id",
        help="Limit requests above this amount need the approval of two different "
        "credit managers (0: one approval is enough).",
        prefetch="credit_policy",
    )
    credit_score_class_a = fields.Float(
        "Class A From",
        default=80.0,
        help="Minimum score of class A.",
        prefetch="credit_score",
    )
    credit_score_class_b = fields.Float(
        "Class B From", default=65.0, prefetch="credit_score"
    )
    credit_score_class_c = fields.Float(
        "Class C From", default=50.0, prefetch="credit_score"
    )
    credit_score_class_d = fields.Float(
        "Class D From", default=35.0, prefetch="credit_score"
    )

    @api.constrains(
        "credit_score_class_a",
        "credit_score_class_b",
        "credit_score_class_c",
        "credit_score_class_d",
    )
    def _check_credit_score_classes(self):
        for company in self:
            bounds = [
                company.credit_score_class_a,
                company.credit_score_class_b,
                company.credit_score_class_c,
                company.credit_score_class_d,
            ]
            if bounds != sorted(bounds, reverse=True) or not (
                0 <= bounds[-1] and bounds[0] <= 100
            ):
                raise ValidationError(
                    self.env._(
                        "Risk class thresholds must decrease from class A to class D "
                        "and lie between 0 and 100."
                    )
                )

    @api.constrains(
        "credit_limit_tolerance",
        "credit_overdue_tolerance",
        "credit_overdue_grace_days",
        "credit_dunning_bank_max_age",
        "credit_limit_second_approval_amount",
    )
    def _check_credit_settings(self):
        check_rates(self, ["credit_limit_tolerance"])
        check_amounts(
            self,
            [
                "credit_overdue_tolerance",
                "credit_overdue_grace_days",
                "credit_dunning_bank_max_age",
                "credit_limit_second_approval_amount",
            ],
        )

    @api.constrains(lambda self: self._credit_score_weight_fields())
    def _check_credit_score_weights(self):
        for company in self:
            weights = [company[name] for name in self._credit_score_weight_fields()]
            if any(weight < 0 for weight in weights) or not any(weights):
                raise ValidationError(
                    self.env._(
                        "Score weights cannot be negative and at least one must be "
                        "positive."
                    )
                )

    def _credit_score_weight_fields(self):
        # every factor's weight field is named credit_score_weight_<code>
        return [
            name for name in self._fields if name.startswith("credit_score_weight_")
        ]

    def _credit_risk_class(self, score):
        """Risk class of ``score`` with this company's thresholds."""
        self.ensure_one()
        for letter in ("a", "b", "c", "d"):
            if score >= self[f"credit_score_class_{letter}"]:
                return letter
        return "e"

    credit_procedure = fields.Html(
        translate=True,
        help="The company's credit policy: who decides limits, terms by risk class, "
        "guarantees, credit insurance, collection steps. Printable.",
        prefetch=False,
    )
