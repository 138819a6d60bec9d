# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .credit_validation import check_amounts, check_rates


class CreditDunningPolicy(models.Model):
    """How a company reminds its customers: ordered levels, fees and automation.

    A customer's policy is its own (``res.partner.credit_dunning_policy_id``, per
    company), else the company's default policy: see :meth:`_policies_for`.
    """

    _name = "credit.dunning.policy"
    _description = "Dunning Policy"
    _order = "company_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    is_default = fields.Boolean(
        "Company Default",
        help="Applies to every customer of the company without a policy of its own.",
    )
    automatic = fields.Boolean(
        help="The daily scheduled run sends the emails of this policy unattended "
        "(letters and calls wait for a controller).",
    )
    level_ids = fields.One2many(
        "credit.dunning.level", "policy_id", "Levels", copy=True
    )
    recovery_indemnity = fields.Boolean(
        "Fixed Recovery Indemnity",
        help="Claim the fixed indemnity for recovery costs of French law (article "
        "L441-10 of the Code de commerce) on each overdue invoice.",
    )
    recovery_indemnity_amount = fields.Monetary("Indemnity per Invoice", default=40.0)
    interest_rate = fields.Float(
        "Late Interest Rate (%/year)",
        help="Late-payment interest computed on the overdue amount from the due date, "
        "shown on reminders. Zero: no interest.",
    )
    invoice_fees = fields.Boolean(
        "Invoice the Fees",
        help="On confirmation, a final level's fees (indemnity and interest) are "
        "invoiced to the customer as a draft invoice.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        "Fee Product",
        check_company=True,
        help="Product of the fee invoice lines (no tax: indemnities are outside the "
        "scope of VAT).",
    )

    _default_company_uniq = models.UniqueIndex(
        "(company_id) WHERE is_default AND active",
        "A company has a single default dunning policy.",
    )

    @api.constrains("recovery_indemnity_amount", "interest_rate")
    def _check_amounts(self):
        check_amounts(self, ["recovery_indemnity_amount"])
        check_rates(self, ["interest_rate"])

    @api.constrains("invoice_fees", "fee_product_id")
    def _check_fee_product(self):
        for policy in self:
            if policy.invoice_fees and not policy.fee_product_id:
                raise ValidationError(
                    self.env._(
                        "Policy %(policy)s invoices its fees: choose the fee product.",
                        policy=policy.name,
                    )
                )

    @api.model
    def _policies_for(self, partners, company):
        """The dunning policy of each commercial partner in ``company``, set-based.

        Order of precedence: the partner's own policy
        (``res.partner.credit_dunning_policy_id``, company-dependent), then
        :meth:`_fallback_policies_for` (the company's default). A segment layer
        slots in between by overriding ``_fallback_policies_for``.

        :return: ``{partner_id: credit.dunning.policy}`` (an empty recordset when
            the partner has none)
        """
        if not partners:
            return {}
        Policy = self.sudo().with_company(company)
        # the override alone, in one query: reading the company-dependent field
        # through the ORM would fetch every company-dependent field of the partners
        self.env["res.partner"].flush_model(["credit_dunning_policy_id"])
        own = dict(
            self.env.execute_query(
                SQL(
                    """SELECT id, (credit_dunning_policy_id ->> %s)::int
                         FROM res_partner WHERE id = ANY(%s)""",
                    str(company.id),
                    partners.ids,
                )
            )
        )
        valid = {
            policy.id: policy
            for policy in Policy.search(
                [
                    ("id", "in", list({pid for pid in own.values() if pid})),
                    ("company_id", "=", company.id),
                ]
            )
        }
        result = {pid: valid[own[pid]] for pid in partners.ids if own.get(pid) in valid}
        rest = partners.browse([pid for pid in partners.ids if pid not in result])
        result.update(Policy._fallback_policies_for(rest, company))
        return result

    @api.model
    def _fallback_policies_for(self, partners, company):
        """Policies of partners without one of their own: their segment's policy,
        else the company's default.

        :return: ``{partner_id: credit.dunning.policy}``
        """
        if not partners:
            # every candidate has a policy of its own (``IN ()`` is no SQL)
            return {}
        default = (
            self.sudo()
            .with_company(company)
            .search(
                [("company_id", "=", company.id), ("is_default", "=", True)], limit=1
            )
        )
        policies = dict.fromkeys(partners.ids, default)
        # the customer's segment in the company, when it names a policy (one query)
        self.env["res.partner"].flush_model(["credit_segment_id"])
        self.env["credit.segment"].flush_model(["dunning_policy_id", "active"])
        for partner_id, policy_id in self.env.execute_query(
            SQL(
                """SELECT p.id, s.dunning_policy_id
                     FROM res_partner p
                     JOIN credit_segment s
                       ON s.id = (p.credit_segment_id ->> %(company)s)::int
                    WHERE p.id = ANY(%(partners)s) AND s.active
                      AND s.dunning_policy_id IS NOT NULL""",
                company=str(company.id),
                partners=partners.ids,
            )
        ):
            policy = self.sudo().with_company(company).browse(policy_id)
            if policy.company_id == company and policy.active:
                policies[partner_id] = policy
        return policies
