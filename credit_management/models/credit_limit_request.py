# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from .credit_validation import check_amounts, check_text_size

# written by the decision actions only (credit managers)
DECISION_FIELDS = {
    "state", "first_approver_id", "first_approval_date", "approver_id",
    "approval_date", "current_limit",
}  # fmt: skip


class CreditLimitRequest(models.Model):
    """A request to change a customer's credit limit, with its rationale and
    supporting documents (attached in the chatter: financial statements, guarantees),
    decided by the credit managers. Above the company's second-approval amount two
    different managers must approve. The approved limit is written on the customer
    and kept in its limit history."""

    _name = "credit.limit.request"
    _description = "Credit Limit Request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        readonly=False,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        "Requested By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    current_limit = fields.Monetary(
        readonly=True, help="The customer's limit when requested."
    )
    requested_limit = fields.Monetary(required=True, tracking=True)
    rationale = fields.Text(required=True)
    next_review_date = fields.Date(
        default=lambda self: fields.Date.context_today(self) + relativedelta(years=1),
        help="Written on the customer when the request is approved.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    needs_second_approval = fields.Boolean(compute="_compute_needs_second_approval")
    first_approver_id = fields.Many2one("res.users", readonly=True, tracking=True)
    first_approval_date = fields.Datetime(readonly=True)
    approver_id = fields.Many2one(
        "res.users", "Approved By", readonly=True, tracking=True
    )
    approval_date = fields.Datetime(readonly=True)
    refusal_reason = fields.Text()

    _requested_limit_positive = models.Constraint(
        "CHECK(requested_limit >= 0)", "A credit limit cannot be negative."
    )

    @api.constrains("requested_limit", "rationale", "refusal_reason")
    def _check_values(self):
        check_amounts(self, ["requested_limit"])
        check_text_size(self, ["rationale", "refusal_reason"])

    @api.depends("partner_id")
    def _compute_name(self):
        for request in self:
            request.name = self.env._(
                "Limit request %(partner)s", partner=request.partner_id.name or ""
            )

    @api.depends("requested_limit", "company_id.credit_limit_second_approval_amount")
    def _compute_needs_second_approval(self):
        for request in self:
            threshold = request.company_id.credit_limit_second_approval_amount
            request.needs_second_approval = bool(
                threshold and request.requested_limit > threshold
            )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        for request in requests:
            partner = request.partner_id.commercial_partner_id
            request.sudo().write(
                {
                    "partner_id": partner.id,
                    "current_limit": partner.sudo()
                    .with_company(request.company_id)
                    .credit_limit,
                }
            )
        return requests

    def write(self, vals):
        if not self.env.su:
            if vals.keys() & DECISION_FIELDS:
                self._check_manager()
            if vals.keys() & {"partner_id", "company_id", "requested_limit"} and any(
                request.state != "draft" for request in self
            ):
                raise UserError(
                    self.env._("Only draft requests can be changed; reset it first.")
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided(self):
        if any(request.state in ("approved", "refused") for request in self):
            raise UserError(
                self.env._("Decided limit requests are kept: they are the history.")
            )

    # ------------------------------------------------------------------ actions
    def action_submit(self):
        self.check_access("write")
        for request in self:
            if request.state != "draft":
                raise UserError(self.env._("Only draft requests can be submitted."))
            request.sudo().state = "submitted"
            request._notify_managers(
                self.env._(
                    "Limit request for %(partner)s: %(amount)s",
                    partner=request.partner_id.name,
                    amount=format_amount(
                        self.env, request.requested_limit, request.currency_id
                    ),
                )
            )
        return True

    def action_approve(self):
        self._check_manager()
        now = fields.Datetime.now()
        for request in self:
            if request.state != "submitted":
                raise UserError(self.env._("Only submitted requests can be approved."))
            if request.needs_second_approval and not request.first_approver_id:
                request.write(
                    {"first_approver_id": self.env.uid, "first_approval_date": now}
                )
                request.activity_feedback(
                    ["credit_management.mail_activity_type_credit_limit_request"],
                    user_id=self.env.uid,
                )
                request._notify_managers(
                    self.env._(
                        "Second approval needed: %(amount)s is above %(threshold)s",
                        amount=format_amount(
                            self.env, request.requested_limit, request.currency_id
                        ),
                        threshold=format_amount(
                            self.env,
                            request.company_id.credit_limit_second_approval_amount,
                            request.currency_id,
                        ),
                    ),
                    exclude=self.env.user,
                )
                continue
            if request.first_approver_id == self.env.user:
                raise UserError(
                    self.env._(
                        "A second credit manager must approve this request: you "
                        "gave the first approval."
                    )
                )
            request.write(
                {"state": "approved", "approver_id": self.env.uid, "approval_date": now}
            )
            partner = request.partner_id.with_company(request.company_id)
            partner.with_context(
                credit_limit_request_id=request.id, credit_logged=True
            ).write(
                {
                    "credit_limit": request.requested_limit,
                    "credit_next_review_date": request.next_review_date,
                }
            )
            request.activity_unlink(
                ["credit_management.mail_activity_type_credit_limit_request"]
            )
            partner.message_post(
                body=self.env._(
                    "Credit limit set to %(amount)s (%(company)s), approved by "
                    "%(approvers)s: %(rationale)s",
                    amount=format_amount(
                        self.env, request.requested_limit, request.currency_id
                    ),
                    company=request.company_id.name,
                    approvers=", ".join(
                        (request.first_approver_id | request.approver_id).mapped("name")
                    ),
                    rationale=request.rationale,
                )
            )
        return True

    def action_refuse(self):
        self._check_manager()
        for request in self:
            if request.state != "submitted":
                raise UserError(self.env._("Only submitted requests can be refused."))
            if not (request.refusal_reason or "").strip():
                raise UserError(self.env._("Give the reason of the refusal."))
            request.write({"state": "refused", "approver_id": self.env.uid})
            request.activity_unlink(
                ["credit_management.mail_activity_type_credit_limit_request"]
            )
        return True

    def action_draft(self):
        self.check_access("write")
        for request in self:
            if request.state != "refused":
                raise UserError(self.env._("Only refused requests can be reopened."))
        self.sudo().write(
            {"state": "draft", "first_approver_id": False, "approver_id": False}
        )
        return True

    # ------------------------------------------------------------------ business
    def _check_manager(self):
        if not self.env.user.has_group("credit_management.group_credit_manager"):
            raise UserError(
                self.env._("Only credit managers can decide on limit requests.")
            )

    def _notify_managers(self, summary, exclude=None):
        managers = (
            self.env.ref("credit_management.group_credit_manager").sudo().user_ids
        )
        for request in self.sudo():
            users = managers.filtered(
                lambda u, r=request: not u.share
                and u.active
                and r.company_id in u.company_ids
                and u != exclude
            )
            for user in users:
                request.activity_schedule(
                    "credit_management.mail_activity_type_credit_limit_request",
                    user_id=user.id,
                    summary=summary,
                    note=request.rationale,
                )
