# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, format_amount

from .credit_validation import check_text_size

_logger = logging.getLogger(__name__)

# Fields the credit actions alone write (hold, release request, release): refused to
# every caller but the superuser, whatever its groups, on create, write, copy and load.
CREDIT_PROTECTED_FIELDS = frozenset(
    {
        "credit_partner_id",
        "credit_blocked",
        "credit_block_reason",
        "credit_release_requested",
        "credit_release_amount",
        "credit_release_reason",
        "credit_release_user_id",
        "credit_release_date",
    }
)
# what changes the amount or the customer a confirmed order counts for
WATCHED_ORDER_FIELDS = frozenset({"order_line", "partner_id", "partner_invoice_id"})
# keys of the cursor's cache (``cr.cache``, cleared at commit and rollback): RPC
# callers cannot set them, unlike the context
CONFIRMING = "credit_management.confirming"  # ids of the orders action_confirm checked
WATCHING = "credit_management.watching"  # ids of the confirmed orders being re-checked


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # the customer whose exposure the order counts in, read with the order: the
    # confirmation check needs no query to find it (as ``account.move`` stores it).
    # It is the one who pays: the commercial entity of the invoice address, where
    # the invoices of the order will go.
    credit_partner_id = fields.Many2one(
        "res.partner",
        "Paying Customer",
        compute="_compute_credit_partner_id",
        store=True,
        help="The commercial entity of the invoice address: the order counts in its "
        "exposure and is checked against its credit limit.",
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
        "partner_invoice_id.commercial_partner_id", "partner_id.commercial_partner_id"
    )
    def _compute_credit_partner_id(self):
        for order in self:
            order.credit_partner_id = (
                order.partner_invoice_id or order.partner_id
            ).commercial_partner_id

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

    @api.constrains("credit_release_reason")
    def _check_credit_release_reason(self):
        check_text_size(self, ["credit_release_reason"])

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        """EXTENDS: the credit fields are refused (``_credit_check_protected``), and
        an order created confirmed (``state`` ``sale``: RPC, import, ``copy`` with a
        default) is created as a quotation, then confirmed by ``write``, which runs
        the credit rule."""
        self._credit_check_protected(
            {key[8:] for key in self.env.context if key.startswith("default_")}
        )
        confirm = []
        vals_list = list(vals_list)  # the caller's values are left as they are
        for index, vals in enumerate(vals_list):
            self._credit_check_protected(vals)
            state = vals.get("state", self.env.context.get("default_state"))
            if state == "sale":
                vals_list[index] = {**vals, "state": "draft"}
                confirm.append(index)
        orders = super().create(vals_list)
        if confirm:
            orders.browse([orders._ids[i] for i in confirm]).write({"state": "sale"})
        return orders

    def write(self, vals):
        """EXTENDS: no path around the credit rule.

        - the credit fields are refused (``_credit_check_protected``);
        - quotations written to ``sale`` outside ``action_confirm`` go through the
          rule as a confirmation does (refused with its error, added to the
          exposure when they pass);
        - a confirmed order whose lines or customer change is checked again for
          what it adds to the exposure (``_credit_watch``);
        - a confirmed order leaving ``sale`` (cancelled, back to quotation) leaves
          the exposure.
        """
        self._credit_check_protected(vals)
        state = vals.get("state")
        direct = self.browse()
        if state == "sale":
            confirming = self.env.cr.cache.get(CONFIRMING, ())
            direct = self.filtered(
                lambda o: o.state in ("draft", "sent") and o.id not in confirming
            )
        leaving = self.browse()
        if state and state != "sale":
            leaving = self.filtered(lambda o: o.state == "sale")
        watched = (
            self.filtered(lambda o: o.state == "sale")
            if vals.keys() & WATCHED_ORDER_FIELDS
            else self.browse()
        )
        Exposure = self.env["credit.exposure"].sudo()
        checked = self.browse()
        if direct:
            checked = direct._credit_reserve(raise_always=True)[0]
        try:
            with watched._credit_watch():
                res = super().write(vals)
        except Exception:
            Exposure._add_orders(checked, sign=-1)
            raise
        if direct:
            # orders the rule does not apply to (block off) count from now on too
            Exposure._add_orders(direct - checked)
        if leaving:
            Exposure._refresh(leaving.credit_partner_id, leaving.company_id)
        return res

    def _credit_check_protected(self, vals):
        """Refuse the fields that only the credit actions write (hold, release) to
        everybody but the superuser: the actions write them with ``sudo`` after
        their own checks, and log what they do."""
        if self.env.su or not CREDIT_PROTECTED_FIELDS.intersection(vals):
            return
        fields_ = sorted(CREDIT_PROTECTED_FIELDS.intersection(vals))
        raise AccessError(
            self.env._(
                "Credit holds and releases are set by the credit actions only "
                "(Request Release, Release): %(fields)s cannot be written directly.",
                fields=", ".join(
                    self._fields[fname]._description_string(self.env)
                    for fname in fields_
                ),
            )
        )

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
        checked, blocked = self._credit_reserve()
        others = self - blocked
        if not others:
            return True
        reserved = checked - blocked
        # the checked orders are quotations; the others are not all
        to_confirm = reserved | (others - checked).filtered(
            lambda o: o.state in ("draft", "sent")
        )
        # the write of ``sale`` by sale's action_confirm is not a direct one
        confirming = self.env.cr.cache.setdefault(CONFIRMING, set())
        confirming.update(others._ids)
        try:
            res = super(SaleOrder, others).action_confirm()
        except Exception:
            Exposure._add_orders(reserved, sign=-1)
            raise
        finally:
            confirming.difference_update(others._ids)
        confirmed, held = [], []
        for order in to_confirm:
            if order.state == "sale":
                confirmed.append(order.id)
            if order.credit_blocked:
                held.append(order.id)
        if held:
            self.browse(held).sudo().credit_blocked = False
        # orders of companies without the block were not added by the check; orders
        # that another module left unconfirmed are taken out again
        added = set(reserved._ids)
        Exposure._add_orders(self.browse([i for i in confirmed if i not in added]))
        Exposure._add_orders(self.browse(added.difference(confirmed)), sign=-1)
        return res

    def _credit_reserve(self, raise_always=False):
        """The credit rule for the orders about to be confirmed (``self``), with
        their amounts added to their customers' rows, which locks the rows.

        A refusal is logged; an interactive one (or any, with ``raise_always``)
        takes the amounts out again and raises (a caller may catch the error
        without rolling back), an unattended one puts the refused orders on hold.

        :return: ``(checked, blocked)``: the orders the rule applies to, and those
            it refused (put on hold)
        """
        checked = self._credit_to_check()
        refusals = checked._credit_refusals(reserve=True)
        if not refusals:
            return checked, self.browse()
        Exposure = self.env["credit.exposure"].sudo()
        blocked = self.browse([order.id for order in refusals])
        unattended = not raise_always and self._credit_is_unattended()
        # a raised refusal rolls the transaction back: its log needs one of its own
        self.env["credit.block.log"]._log_refusals(
            refusals, own_transaction=not unattended
        )
        if not unattended:
            # confirm nothing: take the orders out of the rows again
            Exposure._add_orders(checked, sign=-1)
            raise self._credit_refusal_error(refusals)
        Exposure._add_orders(blocked, sign=-1)
        blocked._credit_put_on_hold(refusals)
        return checked, blocked

    def _credit_refusal_error(self, refusals):
        """The error naming each refused order with its reasons."""
        return UserError(
            "\n\n".join(
                self.env._(
                    "%(order)s cannot be confirmed:\n%(reasons)s",
                    order=order.name or order.display_name,
                    reasons="\n".join("- " + msg for __, msg in reasons),
                )
                for order, reasons in refusals.items()
            )
        )

    @contextmanager
    def _credit_watch(self):
        """Around a change of confirmed orders (``self``): what the change adds to
        the exposure (a higher total, or the whole order for a new customer) goes
        through the credit rule, and the rows of the customers are recomputed.

        Nested changes (the order's write writing its lines) are checked once,
        by the outermost."""
        watching = self.env.cr.cache.setdefault(WATCHING, set())
        orders = self.filtered(lambda o: o.id not in watching)
        if not orders:
            yield
            return
        before = {
            order.id: (order.credit_partner_id, order.company_id, amount)
            for company, amounts in orders._credit_amounts().items()
            for order in orders.browse(amounts)
            for amount in [amounts[order.id]]
        }
        watching.update(orders._ids)
        try:
            yield
        finally:
            watching.difference_update(orders._ids)
        orders._credit_check_change(before)

    def _credit_check_change(self, before):
        """:meth:`_credit_watch` after the change: ``before`` gives each order's
        customer, company and amount before it."""
        orders = self.exists().filtered(lambda o: o.state == "sale")
        increases = defaultdict(dict)  # company -> {order id: amount to check}
        for company, amounts in orders._credit_to_recheck()._credit_amounts().items():
            for order in orders.browse(amounts):
                partner, __, amount = before[order.id]
                if partner != order.credit_partner_id:
                    increases[company][order.id] = amounts[order.id]
                elif float_compare(
                    amounts[order.id],
                    amount,
                    precision_rounding=company.currency_id.rounding,
                ):
                    increases[company][order.id] = amounts[order.id] - amount
        increases = {
            company: {oid: amount for oid, amount in values.items() if amount > 0}
            for company, values in increases.items()
        }
        increases = {company: values for company, values in increases.items() if values}
        if increases:
            refusals = orders._credit_refusals(reserve=True, to_check=increases)
            if refusals:
                self.env["credit.block.log"]._log_refusals(refusals)
                raise UserError(
                    "\n\n".join(
                        self.env._(
                            "%(order)s is confirmed: this change adds %(amount)s to "
                            "the exposure of %(customer)s, which the credit rule "
                            "refuses:\n%(reasons)s",
                            order=order.name,
                            amount=format_amount(
                                self.env,
                                increases[order.company_id][order.id],
                                order.company_id.currency_id,
                            ),
                            customer=order.credit_partner_id.display_name,
                            reasons="\n".join("- " + msg for __, msg in reasons),
                        )
                        for order, reasons in refusals.items()
                    )
                )
        partners = orders.credit_partner_id
        for partner, __, __ in before.values():
            partners |= partner
        if partners:
            self.env["credit.exposure"].sudo()._refresh(partners, orders.company_id)

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
        # one activity per manager and order, however often the release is asked
        managers -= (
            self.sudo()
            .activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
            .user_id
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
        and company, as ``_convert`` (without rounding) would apply to each.

        An order with a negative total counts for 0: it makes no room for other
        orders (the exposure refresh counts each order at 0 at least too)."""
        companies = self.company_id
        if len(companies) == 1 and self.currency_id == companies.currency_id:
            # one company, in its currency: nothing to convert
            return {
                companies: {order.id: max(order.amount_total, 0.0) for order in self}
            }
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
            amounts[key[0]][order.id] = max(order.amount_total * rate, 0.0)
        Company = self.env["res.company"]
        return {Company.browse(cid): values for cid, values in amounts.items()}

    def _credit_to_check(self, states=("draft", "sent")):
        """The orders the credit rule applies to: quotations (or the orders in
        ``states``) of a customer in a company where the block is enabled."""
        companies = self.company_id
        enabled = companies.filtered("credit_block_enabled")
        orders = self
        if enabled != companies:
            orders = self.filtered(lambda o: o.company_id in enabled)
        return orders.filtered(lambda o: o.state in states and o.partner_id)

    def _credit_to_recheck(self):
        """The confirmed orders whose changes the credit rule applies to."""
        return self._credit_to_check(states=("sale",))

    def _credit_refusals(self, reserve=False, to_check=None):
        """Evaluate the credit rule for the orders to confirm (``self``: orders
        selected by ``_credit_to_check``).

        Orders of one customer and company are checked against the same exposure,
        cumulatively (in id order), the way they would be confirmed. With
        ``reserve``, the orders are added to their
        customers' exposure rows by the statement that locks the rows until the end
        of the transaction: the caller takes out again those it does not confirm.

        :param to_check: what to check of each order (``{company: {order id:
            amount}}``, the increase of a confirmed order), by default its total
        :return: ``{order: [(code, message), ...]}`` for the refused orders.
        """
        Exposure = self.env["credit.exposure"].sudo()
        Partner = self.env["res.partner"]
        refusals = {}
        if to_check is None:
            to_check = self._credit_amounts()
        for company, amounts in to_check.items():
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
            # an order billed to another customer is judged on the payer's credit,
            # but a customer on hold places no order, whoever pays
            for order in self.browse(amounts):
                # the usual cases need no read of the partner
                if order.partner_id in (
                    order.credit_partner_id,
                    order.partner_invoice_id,
                ):
                    continue
                orderer = order.partner_id.commercial_partner_id
                if orderer == order.credit_partner_id or order._credit_is_released():
                    continue
                orderer = orderer.sudo().with_company(company)
                if orderer.credit_hold:
                    refusals.setdefault(order, []).append(
                        (
                            "hold",
                            self.env._(
                                "The ordering customer %(customer)s is on credit "
                                "hold: %(reason)s",
                                customer=orderer.display_name,
                                reason=orderer.credit_hold_reason or "-",
                            ),
                        )
                    )
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
