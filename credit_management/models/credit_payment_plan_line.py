# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class CreditPaymentPlanLine(models.Model):
    """One instalment: its principal is paid by the plan's payments in date order."""

    _name = "credit.payment.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, date_due, sequence, id"

    plan_id = fields.Many2one(
        "credit.payment.plan", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=1)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    date_due = fields.Date("Due Date", required=True)
    amount_principal = fields.Monetary("Principal", required=True)
    amount_interest = fields.Monetary("Interest")
    amount = fields.Monetary("To Pay", compute="_compute_amount", store=True)
    amount_paid = fields.Monetary("Paid", compute="_compute_payment")
    payment_state = fields.Selection(
        [("pending", "To Come"), ("paid", "Paid"), ("missed", "Missed")],
        compute="_compute_payment",
    )

    _amounts_positive = models.Constraint(
        "CHECK(amount_principal >= 0 AND amount_interest >= 0)",
        "Instalment amounts cannot be negative.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._check_plan_schedule()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if vals.keys() & {"amount_principal", "plan_id"}:
            self._check_plan_schedule()
        return res

    def unlink(self):
        plans = self.plan_id
        res = super().unlink()
        if not self.env.context.get("credit_plan_lines"):
            plans.exists()._check_schedule()
        return res

    def _check_plan_schedule(self):
        """Instalments written on their own (not through their plan, which checks
        them once all are written) keep their plan's schedule whole."""
        if not self.env.context.get("credit_plan_lines"):
            self.plan_id._check_schedule()

    @api.depends("amount_principal", "amount_interest")
    def _compute_amount(self):
        for line in self:
            line.amount = line.amount_principal + line.amount_interest

    @api.depends("plan_id.amount_paid", "date_due", "amount_principal")
    def _compute_payment(self):
        today = fields.Date.context_today(self)
        for plan in self.plan_id:
            left = plan.amount_paid
            for line in plan.line_ids.sorted(lambda li: (li.date_due, li.sequence)):
                line.amount_paid = min(left, line.amount_principal)
                left -= line.amount_paid
                if (
                    line.currency_id.compare_amounts(
                        line.amount_paid, line.amount_principal
                    )
                    >= 0
                ):
                    line.payment_state = "paid"
                elif line.date_due < today and plan.state == "active":
                    line.payment_state = "missed"
                else:
                    line.payment_state = "pending"
        for line in self - self.plan_id.line_ids:  # new lines not yet in the plan
            line.amount_paid = 0.0
            line.payment_state = "pending"
