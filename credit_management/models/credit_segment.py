# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .credit_score import RISK_CLASSES
from .credit_validation import check_amounts, check_rates


class CreditSegment(models.Model):
    """A group of customers sharing one credit policy (public sector, key accounts,
    SMEs, new customers...): default payment terms, a maximum limit and block
    tolerances. Customers are put in a segment by hand or by the segment's rules
    (the first matching segment by sequence, every night)."""

    _name = "credit.segment"
    _description = "Credit Segment"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    description = fields.Text(translate=True, help="The policy, in a few words.")
    payment_term_id = fields.Many2one(
        "account.payment.term",
        "Default Payment Terms",
        check_company=True,
        help="Proposed on customers put in the segment by hand.",
    )
    dunning_policy_id = fields.Many2one(
        "credit.dunning.policy",
        "Dunning Policy",
        domain="[('company_id', '=', company_id)]",
        help="Reminds the segment's customers (a customer's own policy comes first; "
        "without either, the company's default policy).",
    )
    max_credit_limit = fields.Monetary(
        "Maximum Limit",
        help="Cap on the limit in force of the segment's customers (0: no cap). "
        "Orders are checked against the lower of the two.",
    )
    # block tolerances: same names as the company's and the customer's
    credit_custom_tolerance = fields.Boolean(
        "Own Tolerances",
        help="The segment's customers use these tolerances instead of the company's "
        "(a customer's own tolerances still come first).",
    )
    credit_limit_tolerance = fields.Float("Limit Tolerance (%)")
    credit_overdue_tolerance = fields.Monetary("Overdue Tolerance")
    credit_overdue_grace_days = fields.Integer("Overdue Grace Days")
    # assignment rules
    rule_active = fields.Boolean(
        "Assign by Rules",
        help="Every night, customers not assigned by hand go to the first segment "
        "(by sequence) whose rules they match.",
    )
    rule_class_from = fields.Selection(
        RISK_CLASSES, "Best Class", help="Customers of this class or worse."
    )
    rule_class_to = fields.Selection(
        RISK_CLASSES, "Worst Class", help="Customers of this class or better."
    )
    rule_country_ids = fields.Many2many("res.country", string="Countries")
    rule_min_turnover = fields.Monetary(
        "Turnover From", help="Invoiced over the last 12 months, untaxed."
    )
    rule_max_turnover = fields.Monetary("Turnover Up To", help="0: no maximum.")
    rule_max_relationship_months = fields.Integer(
        "Customer for at Most (months)",
        help="New customers: first invoice at most this many months ago (0: any).",
    )
    partner_count = fields.Integer("Customers", compute="_compute_partner_count")

    _max_limit_positive = models.Constraint(
        "CHECK(max_credit_limit >= 0)", "The maximum limit cannot be negative."
    )

    @api.depends_context("company")
    def _compute_partner_count(self):
        counts = dict(
            self.env["credit.score"]._read_group(
                [("segment_id", "in", self.ids)],
                groupby=["segment_id"],
                aggregates=["__count"],
            )
        )
        for segment in self:
            segment.partner_count = counts.get(segment, 0)

    @api.constrains(
        "max_credit_limit",
        "credit_limit_tolerance",
        "credit_overdue_tolerance",
        "credit_overdue_grace_days",
        "rule_min_turnover",
        "rule_max_turnover",
        "rule_max_relationship_months",
    )
    def _check_amounts(self):
        check_amounts(
            self,
            [
                "max_credit_limit",
                "credit_overdue_tolerance",
                "credit_overdue_grace_days",
                "rule_min_turnover",
                "rule_max_turnover",
                "rule_max_relationship_months",
            ],
        )
        check_rates(self, ["credit_limit_tolerance"])

    @api.constrains("rule_class_from", "rule_class_to", "rule_min_turnover",
                    "rule_max_turnover")  # fmt: skip
    def _check_rules(self):
        for segment in self:
            if (
                segment.rule_class_from
                and segment.rule_class_to
                and segment.rule_class_from > segment.rule_class_to
            ):
                raise ValidationError(
                    self.env._(
                        "Segment %(name)s: the best class must be better than the "
                        "worst class.",
                        name=segment.name,
                    )
                )
            if segment.rule_max_turnover and (
                segment.rule_max_turnover < segment.rule_min_turnover
            ):
                raise ValidationError(
                    self.env._(
                        "Segment %(name)s: the turnover range is empty.",
                        name=segment.name,
                    )
                )

    # ------------------------------------------------------------------ actions
    def action_open_partners(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "credit.score",
            "view_mode": "list,pivot,graph,form",
            "domain": [("segment_id", "=", self.id)],
        }

    # ------------------------------------------------------------------ business
    def _matches(self, score, country, turnover, months):
        self.ensure_one()
        risk_class = score.risk_class if score else False
        if self.rule_class_from and not (
            risk_class and risk_class >= self.rule_class_from
        ):
            return False
        if self.rule_class_to and not (risk_class and risk_class <= self.rule_class_to):
            return False
        if self.rule_country_ids and country not in self.rule_country_ids:
            return False
        if turnover < self.rule_min_turnover:
            return False
        if self.rule_max_turnover and turnover > self.rule_max_turnover:
            return False
        return not (
            self.rule_max_relationship_months
            and (months is None or months > self.rule_max_relationship_months)
        )

    @api.model
    def _assign(self, companies=None):
        """Put the scored customers not assigned by hand in the first segment whose
        rules they match (or in none): per company, one read of the scores, one
        grouped read of the turnover and one write per segment."""
        self = self.sudo()  # noqa: PLW0642 - nightly job
        today = fields.Date.context_today(self)
        for company in companies or self.env["res.company"].search([]):
            segments = self.search(
                [("company_id", "=", company.id), ("rule_active", "=", True)]
            )
            if not segments:
                continue
            scores = self.env["credit.score"].search([("company_id", "=", company.id)])
            partners = scores.partner_id.with_company(company)
            manual = partners.filtered("credit_segment_manual")
            turnover = dict(
                self.env["account.move"]._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("commercial_partner_id", "in", partners.ids),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                        ("state", "=", "posted"),
                        ("invoice_date", ">", today - timedelta(days=365)),
                    ],
                    groupby=["commercial_partner_id"],
                    aggregates=["amount_untaxed_signed:sum"],
                )
            )
            target = defaultdict(lambda: self.env["res.partner"])
            for score in scores:
                partner = score.partner_id
                if partner in manual:
                    continue
                age = ((score.factor_data or {}).get("factors") or {}).get(
                    "relationship_age"
                )
                months = age["value"] if age else None
                segment = next(
                    (
                        s
                        for s in segments
                        if s._matches(
                            score,
                            partner.country_id,
                            turnover.get(partner, 0.0),
                            months,
                        )
                    ),
                    self.browse(),
                )
                if partner.with_company(company).credit_segment_id != segment:
                    target[segment] |= partner
            for segment, group in target.items():
                group.with_company(company).write({"credit_segment_id": segment.id})
            self.env["res.partner"].flush_model(["credit_segment_id"])
            self.env.execute_query(
                SQL(
                    """UPDATE credit_score s
                          SET segment_id = (p.credit_segment_id ->> %(key)s)::int
                         FROM res_partner p
                        WHERE p.id = s.partner_id AND s.company_id = %(company)s""",
                    key=str(company.id),
                    company=company.id,
                )
            )
            self.env["credit.score"].invalidate_model(["segment_id"])
