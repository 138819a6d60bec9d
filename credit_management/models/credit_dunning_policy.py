# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


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

        Order of precedence: the partner's own policy, then the company's default.
        A layer (segments) slots in between by overriding this method: call
        ``super()``, then replace the policy of the partners without an own policy
        (``partners`` whose ``credit_dunning_policy_id`` is empty in ``company``).

        :return: ``{partner_id: credit.dunning.policy}`` (empty recordset: none)
        """
        Policy = self.sudo().with_company(company)
        default = Policy.search(
            [("company_id", "=", company.id), ("is_default", "=", True)], limit=1
        )
        partners = partners.sudo().with_company(company)
        result = {}
        for partner in partners:
            own = partner.credit_dunning_policy_id
            result[partner.id] = own if own.company_id == company else default
        return result
