# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, float_is_zero, float_round, format_amount

from .credit_validation import check_amounts, check_rates, check_text_size

MISSED = "credit_management.mail_activity_type_credit_plan_missed"
# ten years of monthly instalments: more is a typing error
MAX_INSTALMENTS = 120


class CreditPaymentPlan(models.Model):
    """A schedule (échéancier) splitting a customer's overdue invoices into
    instalments. Payments reconciled with the plan's invoices pay the instalments in
    date order; dunning skips the plan's invoices while no instalment is missed, and
    then only the oldest invoices covering the missed amount are dunned (see
    ``account.move._credit_dunning_paused_moves_sql``). Interest, when a rate is set,
    is computed on the outstanding principal and shown on the plan for the customer
    to pay with each instalment; payments are tracked against the principal."""

    _name = "credit.payment.plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Payment Plan"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        "Reference", required=True, readonly=True, copy=False, default="/"
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('parent_id', '=', False)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda s: s.env.user, tracking=True
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "credit_payment_plan_move_rel",
        "plan_id",
        "move_id",
        "Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    line_ids = fields.One2many(
        "credit.payment.plan.line", "plan_id", "Instalments", copy=True
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Running"),
            ("done", "Paid"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date_start = fields.Date(
        "First Instalment", required=True, default=fields.Date.context_today
    )
    instalment_count = fields.Integer("Number of Instalments", default=3)
    interval_months = fields.Integer("Months Between Instalments", default=1)
    interest_rate = fields.Float(
        "Interest Rate (% per year)",
        digits=(16, 4),
        help="Simple interest on the principal still due, per instalment period.",
    )
    amount_principal = fields.Monetary(
        "Amount Scheduled",
        compute="_compute_amount_principal",
        store=True,
        readonly=True,
        help="Open amount of the invoices; frozen when the plan starts.",
    )
    amount_interest = fields.Monetary(compute="_compute_amounts")
    amount_paid = fields.Monetary(
        compute="_compute_amounts", help="Principal paid since the plan started."
    )
    amount_missed = fields.Monetary(
        "Missed",
        compute="_compute_amounts",
        help="Principal of instalments due "
        "before today and not covered by the payments.",
    )
    note = fields.Text("Terms", help="Printed on the plan the customer signs.")

    _instalment_count_positive = models.Constraint(
        "CHECK(instalment_count > 0 AND interval_months > 0)",
        "A plan has at least one instalment, at least one month apart.",
    )

    # ------------------------------------------------------------------ constraints
    @api.constrains(
        "instalment_count", "interval_months", "interest_rate", "note", "state"
    )
    def _check_terms(self):
        check_amounts(self, ["instalment_count"], maximum=MAX_INSTALMENTS)
        check_amounts(self, ["interval_months"], maximum=12)
        check_rates(self, ["interest_rate"])
        check_text_size(self, ["note"], size=10000)
        self._check_schedule()

    def _check_schedule(self):
        """A plan has at most MAX_INSTALMENTS instalments and, once started, they
        add up to the amount scheduled (rescheduling moves amounts between them)."""
        for plan in self:
            if len(plan.line_ids) > MAX_INSTALMENTS:
                raise ValidationError(
                    self.env._(
                        "Plan %(name)s: at most %(count)s instalments.",
                        name=plan.name,
                        count=MAX_INSTALMENTS,
                    )
                )
            if plan.state not in ("active", "done"):
                continue
            scheduled = sum(plan.line_ids.mapped("amount_principal"))
            if plan.currency_id.compare_amounts(scheduled, plan.amount_principal):
                raise ValidationError(
                    self.env._(
                        "Plan %(name)s: the instalments must add up to the "
                        "%(amount)s scheduled, not %(scheduled)s.",
                        name=plan.name,
                        scheduled=format_amount(self.env, scheduled, plan.currency_id),
                        amount=format_amount(
                            self.env, plan.amount_principal, plan.currency_id
                        ),
                    )
                )

    # ------------------------------------------------------------------ computes
    @api.depends("invoice_ids")
    def _compute_amount_principal(self):
        # the invoices can only change while the plan is a draft (see write)
        for plan in self:
            plan.amount_principal = sum(
                plan.invoice_ids.mapped("amount_residual_signed")
            )

    # the invoices' residual is read, not a dependency: see
    # ``account.move._credit_invoice_figures_changed``
    @api.depends(
        "amount_principal",
        "invoice_ids",
        "line_ids.amount_principal",
        "line_ids.amount_interest",
        "line_ids.date_due",
        "state",
    )
    def _compute_amounts(self):
        today = fields.Date.context_today(self)
        for plan in self:
            plan.amount_interest = sum(plan.line_ids.mapped("amount_interest"))
            if plan.state == "draft":
                plan.amount_paid = plan.amount_missed = 0.0
                continue
            residual = sum(plan.invoice_ids.mapped("amount_residual_signed"))
            plan.amount_paid = max(plan.amount_principal - residual, 0.0)
            due = sum(
                plan.line_ids.filtered(lambda li: li.date_due < today).mapped(
                    "amount_principal"
                )
            )
            plan.amount_missed = max(due - plan.amount_paid, 0.0)

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "credit.payment.plan"
                )
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        return super().create(vals_list)

    def write(self, vals):
        if "invoice_ids" in vals and self.filtered(lambda p: p.state != "draft"):
            raise UserError(
                self.env._("The invoices of a started plan cannot be changed.")
            )
        # the instalments are checked once all of them are written
        res = super(CreditPaymentPlan, self.with_context(credit_plan_lines=True)).write(
            vals
        )
        if "line_ids" in vals:
            self._check_schedule()
        return res

    # ------------------------------------------------------------------ actions
    def action_compute_instalments(self):
        """Equal split of the principal over the instalments (the last one takes the
        rounding), with the interest of each period on the principal still due."""
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Only a draft plan can be recomputed."))
            # the invoices may have been paid since they were chosen
            plan._compute_amount_principal()
            if float_is_zero(
                plan.amount_principal, precision_rounding=plan.currency_id.rounding
            ):
                raise UserError(
                    self.env._("Select the open invoices the plan schedules first.")
                )
            count = plan.instalment_count
            share = float_round(
                plan.amount_principal / count,
                precision_rounding=plan.currency_id.rounding,
            )
            commands = [Command.clear()]
            outstanding = plan.amount_principal
            for index in range(count):
                principal = share if index < count - 1 else outstanding
                interest = float_round(
                    outstanding
                    * plan.interest_rate
                    / 100.0
                    * plan.interval_months
                    / 12,
                    precision_rounding=plan.currency_id.rounding,
                )
                commands.append(
                    Command.create(
                        {
                            "sequence": index + 1,
                            "date_due": plan.date_start
                            + relativedelta(months=index * plan.interval_months),
                            "amount_principal": principal,
                            "amount_interest": interest,
                        }
                    )
                )
                outstanding -= principal
            plan.line_ids = commands
        return True

    def action_start(self):
        for plan in self:
            if plan.state != "draft" or not plan.line_ids:
                raise UserError(
                    self.env._("Plan %(name)s has no instalments.", name=plan.name)
                )
            scheduled = sum(plan.line_ids.mapped("amount_principal"))
            if float_compare(
                scheduled,
                plan.amount_principal,
                precision_rounding=plan.currency_id.rounding,
            ):
                raise UserError(
                    self.env._(
                        "Plan %(name)s: the instalments add up to %(scheduled)s, not "
                        "to the %(amount)s scheduled.",
                        name=plan.name,
                        scheduled=format_amount(self.env, scheduled, plan.currency_id),
                        amount=format_amount(
                            self.env, plan.amount_principal, plan.currency_id
                        ),
                    )
                )
        self.write({"state": "active"})
        return True

    def action_cancel(self):
        self.write({"state": "cancelled"})
        return True

    def action_draft(self):
        self.filtered(lambda p: p.state == "cancelled").write({"state": "draft"})
        return True

    def action_print(self):
        return self.env.ref(
            "credit_management.credit_payment_plan_report"
        ).report_action(self)

    def action_send(self):
        """Send the plan to the customer to sign (e-mail with the printed plan)."""
        self.ensure_one()
        template = self.env.ref(
            "credit_management.mail_template_credit_payment_plan",
            raise_if_not_found=False,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "force_email": True,
            },
        }

    @api.model
    def _cron_update_state(self):
        """Daily: plans whose invoices are all paid are done; a plan with a missed
        instalment gets an activity for its responsible (once while one is open)."""
        plans = self.sudo().search([("state", "=", "active")])
        done = plans.filtered(
            lambda p: p.currency_id.is_zero(p.amount_principal - p.amount_paid)
        )
        done.write({"state": "done"})
        late = (plans - done).filtered(
            lambda p: not p.currency_id.is_zero(p.amount_missed)
        )
        already = late.activity_search([MISSED]).mapped("res_id")
        for plan in late.filtered(lambda p: p.id not in already):
            plan.activity_schedule(
                MISSED,
                summary=self.env._(
                    "Missed instalments: %(amount)s due",
                    amount=format_amount(
                        self.env, plan.amount_missed, plan.currency_id
                    ),
                ),
                user_id=plan.user_id.id or self.env.uid,
            )
        return True
