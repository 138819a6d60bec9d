# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare, format_amount, format_date

from .credit_validation import check_amounts, check_text_size

ACTIVITY = "credit_management.mail_activity_type_credit_promise_broken"


class CreditPromise(models.Model):
    """A customer's promise to pay ``amount`` by ``date_promised``, for given invoices
    or for its account as a whole. Dunning of those invoices (all the customer's for
    a customer-level promise) pauses until that date. The promise is kept when
    payments dated from its recording to the promised date, reconciled with those
    invoices (any of the customer's invoices), reach the amount; broken otherwise,
    once the date has passed."""

    _name = "credit.promise"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Promise to Pay"
    _order = "date_promised desc, id desc"
    _check_company_auto = True

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
    invoice_ids = fields.Many2many(
        "account.move",
        "credit_promise_move_rel",
        "promise_id",
        "move_id",
        "Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
        help="Leave empty for a promise on the customer's account as a whole.",
    )
    amount = fields.Monetary(required=True, tracking=True)
    date = fields.Date("Recorded On", required=True, default=fields.Date.context_today)
    date_promised = fields.Date("Promised Date", required=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        "Recorded By",
        default=lambda s: s.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    state = fields.Selection(
        [
            ("open", "Pending"),
            ("kept", "Kept"),
            ("broken", "Broken"),
            ("cancelled", "Cancelled"),
        ],
        default="open",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    amount_paid = fields.Monetary(
        readonly=True,
        copy=False,
        help="Payments received for the promise, as of the last check.",
    )
    date_closed = fields.Date(
        "Decided On",
        readonly=True,
        copy=False,
        help="The day the promise was found kept or broken.",
    )
    note = fields.Text()

    _amount_positive = models.Constraint(
        "CHECK(amount > 0)", "The promised amount must be positive."
    )
    _date_order = models.Constraint(
        "CHECK(date_promised >= date)",
        "The promised date cannot be before the day the promise was recorded.",
    )

    @api.constrains("amount", "note")
    def _check_values(self):
        check_amounts(self, ["amount"])
        check_text_size(self, ["note"])

    @api.constrains("partner_id", "invoice_ids")
    def _check_invoices(self):
        for promise in self:
            if promise.invoice_ids.commercial_partner_id - promise.partner_id:
                raise ValidationError(
                    self.env._(
                        "A promise of %(partner)s can only be for invoices of "
                        "%(partner)s.",
                        partner=promise.partner_id.display_name,
                    )
                )

    @api.constrains("date", "date_promised")
    def _check_dates(self):
        """A promise is recorded today or earlier, for today or a day to come:
        only a credit manager enters the history of past promises (the score
        and the reports read it as of a date). Odoo checks constraints as
        superuser: the user is the one who writes."""
        today = fields.Date.context_today(self)
        user = self.env.user
        history = user._is_superuser() or user.has_group(
            "credit_management.group_credit_manager"
        )
        for promise in self:
            if promise.date > today:
                raise ValidationError(
                    self.env._("A promise cannot be recorded on a day to come.")
                )
            if promise.date_promised < today and not history:
                raise ValidationError(
                    self.env._(
                        "The promised date %(date)s is past: a promise is for today "
                        "or a day to come.",
                        date=format_date(self.env, promise.date_promised),
                    )
                )

    @api.depends("partner_id", "amount", "date_promised")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(partner)s: %(amount)s by %(date)s",
                partner=promise.partner_id.name or "",
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.date_promised),
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        return super().create(vals_list)

    # ------------------------------------------------------------------ actions
    def action_cancel(self):
        if self.filtered(lambda p: p.state != "open"):
            raise UserError(self.env._("Only pending promises can be cancelled."))
        self.state = "cancelled"
        return True

    def action_check(self):
        self._credit_update_state()
        return True

    # ------------------------------------------------------------------ business
    def _credit_paid_amounts(self):
        """Payments received per promise, in company currency, in one query: the
        reconciled part of payments (not credit notes) dated from the recording
        day to the promised date, on the promise's invoices or, without invoices,
        on any of the customer's receivable items in the company."""
        if not self:
            return {}
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
            SELECT pr.id, SUM(apr.amount)
              FROM credit_promise pr
              JOIN res_partner p ON p.commercial_partner_id = pr.partner_id
              JOIN account_move_line dl
                ON dl.partner_id = p.id AND dl.company_id = pr.company_id
              JOIN account_account acc ON acc.id = dl.account_id
              JOIN account_partial_reconcile apr ON apr.debit_move_id = dl.id
              JOIN account_move_line cl ON cl.id = apr.credit_move_id
              JOIN account_move cm ON cm.id = cl.move_id
             WHERE pr.id IN %(ids)s
               AND acc.account_type = 'asset_receivable'
               AND cm.move_type NOT IN ('out_refund', 'out_invoice')
               AND cl.date BETWEEN pr.date AND pr.date_promised
               AND (NOT EXISTS (SELECT 1 FROM credit_promise_move_rel r
                                 WHERE r.promise_id = pr.id)
                    OR dl.move_id IN (SELECT r.move_id FROM credit_promise_move_rel r
                                       WHERE r.promise_id = pr.id))
             GROUP BY pr.id
            """,
                ids=tuple(self.ids),
            )
        )
        return dict(rows)

    def _credit_update_state(self):
        """Decide pending promises from the payments received: kept as soon as they
        reach the amount, broken once the promised date has passed without it.
        A broken promise gets an activity for the controller who recorded it."""
        promises = self.filtered(lambda p: p.state == "open")
        paid = promises._credit_paid_amounts()
        today = fields.Date.context_today(self)
        broken = self.browse()
        for promise in promises:
            amount = paid.get(promise.id, 0.0)
            vals = {"amount_paid": amount}
            if (
                float_compare(
                    amount,
                    promise.amount,
                    precision_rounding=promise.currency_id.rounding,
                )
                >= 0
            ):
                vals.update(state="kept", date_closed=today)
            elif promise.date_promised < today:
                vals.update(state="broken", date_closed=today)
                broken |= promise
            promise.write(vals)
        for promise in broken:
            summary = self.env._(
                "Broken promise: %(paid)s received of %(amount)s promised by %(date)s",
                paid=format_amount(self.env, promise.amount_paid, promise.currency_id),
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.date_promised),
            )
            promise.activity_schedule(
                ACTIVITY, summary=summary, user_id=promise.user_id.id or self.env.uid
            )
            promise.partner_id.message_post(body=summary)
        return True

    @api.model
    def _credit_update_partners(self, partners):
        """Decide the pending promises of these customers (a payment was just
        reconciled): one indexed search, usually empty."""
        promises = self.search(
            [
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("state", "=", "open"),
            ]
        )
        promises._credit_update_state()

    @api.model
    def _cron_update_state(self):
        self.sudo().search([("state", "=", "open")])._credit_update_state()
        return True
