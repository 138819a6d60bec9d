# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditDisputeReason(models.Model):
    """Why a customer disputes an invoice, with the service level of its
    resolution: the deadline of a dispute is its opening date plus these days."""

    _name = "credit.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    resolution_days = fields.Integer(
        "Service Level (days)",
        default=15,
        required=True,
        help="Days allowed to resolve a dispute for this reason; past them the "
        "dispute is escalated to the credit managers.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the reason between companies."
    )

    _resolution_days_positive = models.Constraint(
        "CHECK(resolution_days >= 0)",
        "The service level of a dispute reason cannot be negative.",
    )
