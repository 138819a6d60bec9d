# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, format_amount

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # the customer whose exposure the order counts in, read with the order: the
    # confirmation check needs no query to find it (as ``account.move`` stores it)
    credit_partner_id = fields.Many2one(
        "res.partner",
        "Commercial Entity",
        related="partner_id.commercial_partner_id",
        store=True,
    )
    credit_blocked = fields.Boolean(
        "Credit Hold",
        copy=False,
        index=True,
        tracking=True,
        readonly=True,
        help="Confirmation was refused for credit reasons where nobody could read the "
        "error (portal, payment, automated action): waits for a credit manager.",
    )
    # read only on the form and by the release: not fetched with every order
    credit_block_reason = fields.Text(
        copy=False, readonly=True, prefetch="credit_release"
    )
    credit_release_requested = fields.Boolean(
        copy=False, readonly=True, prefetch="credit_release"
    )
    credit_release_amount = fields.Monetary(
        "Released Amount",
        copy=False,
        readonly=True,
        help="A credit manager released the order up to this total. The release lapses "
        "if the order total grows beyond it.",
    )
    credit_release_reason = fields.Text(
        copy=False, readonly=True, prefetch="credit_release"
    )
    credit_release_user_id = fields.Many2one(
        "res.users",
        "Released By",
        copy=False,
        readonly=True,
        prefetch="credit_release",
    )
    credit_release_date = fields.Datetime(
        "Released On", copy=False, readonly=True, prefetch="credit_release"
    )
    credit_check_state = fields.Selection(
        [("pass", "Passes"), ("released", "Released"), ("block", "Blocked")],
        compute="_compute_credit_check",
    )
    credit_check_message = fields.Text(compute="_compute_credit_check")

    # ------------------------------------------------------------------ computes
    @api.depends(
        "partner_id",
        "amount_total",
        "currency_id",
        "company_id",
        "state",
        "credit_release_amount",
    )
    @api.depends_context("uid")
    def _compute_credit_check(self):
        """The banner: would this quotation pass confirmation, and why not."""
        self.credit_check_state = False
        self.credit_check_message = False
        todo = self._credit_to_check()
        refusals = todo._credit_refusals()
        for order in todo:
            if order in refusals:
                order.credit_check_state = "block"
                order.credit_check_message = "\n".join(
                    msg for __, msg in refusals[order]
                )
            elif order._credit_is_released():
                order.credit_check_state = "released"
                order.credit_check_message = self.env._(
                    "Released by %(user)s: %(reason)s",
                    user=order.credit_release_user_id.name,
                    reason=order.credit_release_reason,
                )
            else:
                order.credit_check_state = "pass"

    # ------------------------------------------------------------------ CRUD
    def write(self, vals):
        res = super().write(vals)
        if "order_line" in vals or "partner_id" in vals:
            confirmed = self.filtered(lambda o: o.state == "sale")
            if confirmed:
                self.env["credit.exposure"].sudo()._refresh(
                    confirmed.partner_id, confirmed.company_id
                )
        return res

    # ------------------------------------------------------------------ actions
    def action_confirm(self):
        """EXTENDS sale: refuse orders that break the credit rule, on every path.

        Interactive callers get a ``UserError`` naming each reason with its figures.
        Unattended paths (portal acceptance or payment, a public or portal user, or a
        caller passing ``credit_unattended``) cannot show an error: the refused orders
        are put on credit hold with activities and the others are confirmed. Either
        way the refusal is logged in ``credit.block.log``; when it is raised, in a
        transaction of its own so that the log survives the rollback.
        """
        Exposure = self.env["credit.exposure"].sudo()
        checked = self._credit_to_check()
        # the check adds the orders to their customers' rows, which locks the rows
        refusals = checked._credit_refusals(reserve=True)
        blocked = self.browse([order.id for order in refusals])
        if refusals:
            unattended = self._credit_is_unattended()
            # a raised refusal rolls the transaction back: its log needs one of its own
            self.env["credit.block.log"]._log_refusals(
                refusals, own_transaction=not unattended
            )
            if not unattended:
                # confirm nothing: take the orders out of the rows again, for a caller
                # that catches the error without rolling back
                Exposure._add_orders(checked, sign=-1)
                raise UserError(
                    "\n\n".join(
                        self.env._(
                            "%(order)s cannot be confirmed:\n%(reasons)s",
                            order=order.name or order.display_name,
                            reasons="\n".join("- " + msg for __, msg in reasons),
                        )
                        for order, reasons in refusals.items()
                    )
                )
            Exposure._add_orders(blocked, sign=-1)
            blocked._credit_put_on_hold(refusals)
        others = self - blocked
        if not others:
            return True
        # the checked orders are quotations; the others are not all
        to_confirm = (checked - blocked) | (others - checked).filtered(
            lambda o: o.state in ("draft", "sent")
        )
        try:
            res = super(SaleOrder, others).action_confirm()
        except Exception:
            Exposure._add_orders(checked - blocked, sign=-1)
            raise
        confirmed, held = [], []
        for order in to_confirm:
            if order.state == "sale":
                confirmed.append(order.id)
            if order.credit_blocked:
                held.append(order.id)
        if held:
            self.browse(held).credit_blocked = False
        # orders of companies without the block were not added by the check; orders
        # that another module left unconfirmed are taken out again
        added = set((checked - blocked)._ids)
        Exposure._add_orders(self.browse([i for i in confirmed if i not in added]))
        Exposure._add_orders(self.browse(added.difference(confirmed)), sign=-1)
        return res

    def _action_cancel(self):
        confirmed = self.filtered(lambda o: o.state == "sale")
        res = super()._action_cancel()
        if confirmed:
            self.env["credit.exposure"].sudo()._refresh(
                confirmed.partner_id, confirmed.company_id
            )
        return res

    def _validate_order(self):
        # EXTENDS sale: portal acceptance and e-commerce checkout have nobody to read
        # a credit error.
        return super(
            SaleOrder, self.with_context(credit_unattended=True)
        )._validate_order()

    def action_credit_request_release(self):
        """A salesperson asks the credit managers to release a blocked order."""
        self.ensure_one()
        reasons = self._credit_to_check()._credit_refusals().get(self)
        summary = "\n".join(msg for __, msg in reasons) if reasons else ""
        managers = (
            self.env.ref("credit_management.group_credit_manager").sudo().user_ids
        )
        managers = managers.filtered(
            lambda u: not u.share and u.active and self.company_id in u.company_ids
        )
        activity_type = self.env.ref(
            "credit_management.mail_activity_type_credit_release"
        )
        for user in managers:
            self.sudo().activity_schedule(
                activity_type_id=activity_type.id,
                user_id=user.id,
                summary=self.env._("Release requested for %(order)s", order=self.name),
                note=summary,
            )
        self.sudo().credit_release_requested = True
        self.message_post(
            body=self.env._(
                "Credit release requested by %(user)s.", user=self.env.user.name
            )
        )
        return True

    def action_credit_release(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Release Order"),
            "res_model": "sale.order.credit.release",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    # ------------------------------------------------------------------ business
    def _credit_is_unattended(self):
        user = self.env.user
        return bool(self.env.context.get("credit_unattended") or user.share)

    def _credit_is_released(self):
        self.ensure_one()
        return (
            bool(self.credit_release_amount)
            and float_compare(
                self.amount_total,
                self.credit_release_amount,
                precision_rounding=self.currency_id.rounding,
            )
            <= 0
        )

    def _credit_release_lapsed(self):
        """The reason to add to a refused order that a credit manager had released
        (it is refused because its total grew beyond the release), as a list."""
        self.ensure_one()
        if not self.credit_release_amount:
            return []
        return [
            (
                "release_lapsed",
                self.env._(
                    "The release of %(released)s lapsed: the order total grew to "
                    "%(total)s.",
                    released=format_amount(
                        self.env, self.credit_release_amount, self.currency_id
                    ),
                    total=format_amount(self.env, self.amount_total, self.currency_id),
                ),
            )
        ]

    def _credit_amount(self):
        """Order total in company currency at the company rate of the day."""
        self.ensure_one()
        return self._credit_amounts()[self.company_id][self.id]

    def _credit_amounts(self):
        """The orders' totals in their company's currency at the company rate of the
        day, by company: ``{company: {order id: amount}}``. One rate per currency
        and company, as ``_convert`` (without rounding) would apply to each."""
        companies = self.company_id
        if len(companies) == 1 and self.currency_id == companies.currency_id:
            # one company, in its currency: nothing to convert
            return {companies: {order.id: order.amount_total for order in self}}
        amounts = defaultdict(dict)  # company id -> {order id: amount}
        rates = {}  # (company id, currency id) -> rate
        Currency = self.env["res.currency"]
        for order in self:
            company, currency = order.company_id, order.currency_id
            key = (company.id, currency.id)
            rate = rates.get(key)
            if rate is None:
                rate = rates[key] = Currency._get_conversion_rate(
                    currency, company.currency_id, company
                )
            amounts[key[0]][order.id] = order.amount_total * rate
        Company = self.env["res.company"]
        return {Company.browse(cid): values for cid, values in amounts.items()}

    def _credit_to_check(self):
        """The orders the credit rule applies to: quotations of a customer in a
        company where the block is enabled."""
        companies = self.company_id
        enabled = companies.filtered("credit_block_enabled")
        orders = self
        if enabled != companies:
            orders = self.filtered(lambda o: o.company_id in enabled)
        return orders.filtered(lambda o: o.state in ("draft", "sent") and o.partner_id)

    def _credit_refusals(self, reserve=False):
        """Evaluate the credit rule for the orders to confirm (``self``: orders
        selected by ``_credit_to_check``).

        Orders of one customer and company are checked against the same exposure,
        cumulatively (in id order), the way they would be confirmed. With
        ``reserve``, the orders are added to their
        customers' exposure rows by the statement that locks the rows until the end
        of the transaction: the caller takes out again those it does not confirm.

        :return: ``{order: [(code, message), ...]}`` for the refused orders.
        """
        Exposure = self.env["credit.exposure"].sudo()
        Partner = self.env["res.partner"]
        refusals = {}
        for company, amounts in self._credit_amounts().items():
            released = set()  # ids of the orders a credit manager released
            by_customer = defaultdict(list)  # commercial partner id -> order ids
            for order in self.browse(amounts):
                by_customer[order.credit_partner_id.id].append(order.id)
                if order._credit_is_released():
                    released.add(order.id)
            checks, add = {}, {}
            for partner_id, order_ids in by_customer.items():
                order_ids.sort()
                order_amounts = [amounts[order_id] for order_id in order_ids]
                # what the statement adds for these orders is not yet exposure
                add[partner_id] = sum(order_amounts)
                checks[partner_id] = (
                    order_amounts,
                    [order_id in released for order_id in order_ids],
                    add[partner_id] if reserve else 0.0,
                )
            # one statement for all the customers of the company, whose values the
            # rule takes as they come
            values = {}
            rows = Exposure._get_rows(
                Partner.browse(by_customer),
                company,
                lock=reserve,
                add=add if reserve else None,
                values=values,
            )
            results = Partner._credit_rule(company, checks, rows, values)
            for partner_id, order_ids in by_customer.items():
                for order_id, reasons in zip(
                    order_ids, results[partner_id], strict=True
                ):
                    if reasons:
                        order = self.browse(order_id)
                        refusals[order] = reasons + order._credit_release_lapsed()
        return refusals

    def _credit_put_on_hold(self, refusals):
        """Unattended refusal: make it visible (hold flag, chatter, activities)."""
        activity_type = self.env.ref(
            "credit_management.mail_activity_type_credit_release"
        )
        managers = (
            self.env.ref("credit_management.group_credit_manager").sudo().user_ids
        )
        for order in self.sudo():
            text = "\n".join(msg for __, msg in refusals[order])
            order.write({"credit_blocked": True, "credit_block_reason": text})
            order.message_post(
                body=self.env._(
                    "Confirmation refused for credit reasons; the order waits "
                    "for a credit "
                    "manager.\n%(reasons)s",
                    reasons=text,
                )
            )
            users = (order.user_id | managers).filtered(
                lambda u, o=order: not u.share
                and u.active
                and o.company_id in u.company_ids
            )
            for user in users:
                order.activity_schedule(
                    activity_type_id=activity_type.id,
                    user_id=user.id,
                    summary=self.env._("Order on credit hold"),
                    note=text,
                )

    def _credit_release(self, reason):
        """Release the order up to its current total (credit managers only)."""
        if not self.env.user.has_group("credit_management.group_credit_manager"):
            raise UserError(self.env._("Only credit managers can release orders."))
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the release."))
        now = fields.Datetime.now()
        for order in self.sudo():
            order.write(
                {
                    "credit_release_amount": order.amount_total,
                    "credit_release_reason": reason,
                    "credit_release_user_id": self.env.uid,
                    "credit_release_date": now,
                    "credit_blocked": False,
                    "credit_release_requested": False,
                }
            )
            body = self.env._(
                "Credit release of %(order)s for %(amount)s by %(user)s: %(reason)s",
                order=order.name,
                user=self.env.user.name,
                reason=reason,
                amount=format_amount(self.env, order.amount_total, order.currency_id),
            )
            order.message_post(body=body)
            order.partner_id.commercial_partner_id.message_post(body=body)
            order.activity_feedback(
                ["credit_management.mail_activity_type_credit_release"], feedback=reason
            )
        self.env["credit.block.log"].sudo().search(
            [("order_id", "in", self.ids), ("released", "=", False)]
        ).write({"released": True, "release_user_id": self.env.uid})
        return True
