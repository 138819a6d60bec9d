# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, format_date, formatLang

from .credit_exposure import OPEN_RECEIVABLES, SETTINGS
from .credit_score import RISK_CLASSES
from .credit_validation import check_amounts, check_rates, check_text_size

# Fields only a credit manager may change (the limit itself is Odoo's own field).
CREDIT_MANAGER_FIELDS = {
    "credit_limit",
    "use_partner_credit_limit",
    "credit_hold",
    "credit_hold_reason",
    "credit_custom_tolerance",
    "credit_limit_tolerance",
    "credit_overdue_tolerance",
    "credit_overdue_grace_days",
    "credit_limit_temporary",
    "credit_limit_temporary_expiry",
    # risk scores, segments and external information
    "credit_segment_id",
    "credit_segment_manual",
    "credit_insolvency",
    "credit_insolvency_date",
    "credit_insurer_id",
    "credit_insured_amount",
    "credit_insurance_expiry",
    "credit_insurance_cap",
    "credit_next_review_date",
}
# Dunning settings of a customer: credit controllers and managers only.
CREDIT_CONTROLLER_FIELDS = {"credit_no_dunning", "credit_dunning_policy_id"}
# credit settings whose changes are written in the customer's chatter, naming the
# company (most are company-dependent); limits and holds have messages of their own.
# Not mail tracking: Odoo reads every tracked field on every write of a partner (a
# posted invoice raising its customer rank included).
LOGGED_SETTINGS = [
    "credit_hold_reason", "credit_limit_temporary", "credit_limit_temporary_expiry",
    "credit_no_dunning", "credit_segment_id", "credit_insolvency",
    "credit_insolvency_date", "credit_insurer_id", "credit_insured_amount",
    "credit_insurance_expiry", "credit_next_review_date",
]  # fmt: skip
# partner figure -> credit.exposure field (current company)
FIGURES = {
    "credit_receivable_amount": "receivable_amount",
    "credit_overdue_amount": "overdue_amount",
    "credit_overdue_days": "overdue_days",
    "credit_draft_invoice_amount": "draft_invoice_amount",
    "credit_order_amount": "order_amount",
    "credit_exposure_total": "exposure_total",
    "credit_available": "available_credit",
    "credit_limit_in_force": "credit_limit",
}
CREDIT_STATUS = [
    ("ok", "Within Limit"),
    ("no_limit", "No Credit Line"),
    ("overdue", "Overdue"),
    ("over_limit", "Over Limit"),
    ("hold", "On Credit Hold"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------ settings
    # The credit fields of the partner are fetched together, in their own prefetch
    # group: company-dependent fields otherwise share one group, which the
    # accounting reads on every invoice and payment (receivable account, payment
    # terms). The block reads the copy its exposure rows keep (``credit.exposure``).
    # Odoo indexes every company-dependent field; the settings nobody searches on
    # have no index (``index=False``): each index of ``res_partner`` costs the
    # planning of every query on partners, Odoo's own included, and every write.
    credit_hold = fields.Boolean(
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        help="Manual stop: no order of this customer can be confirmed.",
        prefetch="credit",
    )
    credit_hold_reason = fields.Char(
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        prefetch="credit",
        index=False,
    )
    credit_custom_tolerance = fields.Boolean(
        "Own Tolerances",
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        help="Use the tolerances below instead of the company's.",
        prefetch="credit",
        index=False,
    )
    credit_limit_tolerance = fields.Float(
        "Limit Tolerance (%)",
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        prefetch="credit",
        index=False,
    )
    credit_overdue_tolerance = fields.Float(
        "Overdue Tolerance",
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        prefetch="credit",
        index=False,
    )
    credit_overdue_grace_days = fields.Integer(
        "Overdue Grace Days",
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        prefetch="credit",
        index=False,
    )
    credit_limit_temporary = fields.Float(
        "Temporary Limit",
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        prefetch="credit",
        index=False,
    )
    credit_limit_temporary_expiry = fields.Date(
        "Temporary Limit Until",
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        prefetch="credit",
    )

    # ------------------------------------------------------------------ dunning
    credit_no_dunning = fields.Boolean(
        "No Dunning",
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        help="Never remind this customer (its invoices are followed by hand).",
        prefetch="credit",
        index=False,
    )
    credit_dunning_policy_id = fields.Many2one(
        "credit.dunning.policy",
        "Dunning Policy",
        company_dependent=True,
        copy=False,
        groups="credit_management.group_credit_user",
        help="Overrides the company's default dunning policy for this customer.",
        prefetch="credit",
    )
    credit_dunning_line_count = fields.Integer(
        "Reminders",
        compute="_compute_credit_dunning_line_count",
        groups="credit_management.group_credit_controller",
    )

    # ------------------------------------------------------------------ figures
    credit_exposure_ids = fields.One2many(
        "credit.exposure", "partner_id", groups="credit_management.group_credit_user"
    )
    credit_exposure_id = fields.Many2one(
        "credit.exposure",
        "Current Exposure",
        compute="_compute_credit_figures",
        groups="credit_management.group_credit_user",
    )
    credit_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_credit_figures",
        groups="credit_management.group_credit_user",
    )
    credit_receivable_amount = fields.Monetary(
        "Open Receivables",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        groups="credit_management.group_credit_user",
    )
    credit_overdue_amount = fields.Monetary(
        "Overdue Amount",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        groups="credit_management.group_credit_user",
    )
    credit_overdue_days = fields.Integer(
        "Oldest Overdue (days)",
        compute="_compute_credit_figures",
        groups="credit_management.group_credit_user",
    )
    credit_draft_invoice_amount = fields.Monetary(
        "Draft Invoices",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        groups="credit_management.group_credit_user",
    )
    credit_order_amount = fields.Monetary(
        "Orders Not Invoiced",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        groups="credit_management.group_credit_user",
    )
    credit_exposure_total = fields.Monetary(
        "Exposure",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        groups="credit_management.group_credit_user",
    )
    credit_available = fields.Monetary(
        "Available Credit",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        groups="credit_management.group_credit_user",
    )
    credit_limit_in_force = fields.Monetary(
        "Limit in Force",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        groups="credit_management.group_credit_user",
    )
    credit_status = fields.Selection(
        CREDIT_STATUS,
        compute="_compute_credit_status",
        search="_search_credit_status",
        groups="credit_management.group_credit_user",
    )
    is_credit_manager = fields.Boolean(compute="_compute_is_credit_manager")
    credit_blocked_order_count = fields.Integer(
        compute="_compute_credit_blocked_order_count",
        groups="credit_management.group_credit_user",
    )

    # ------------------------------------------------------------------ computes
    @api.depends_context("company")
    def _compute_credit_figures(self):
        """Figures of the current company's exposure row: one search for all."""
        company = self.env.company
        rows = (
            self.env["credit.exposure"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                ]
            )
        )
        by_partner = {row.partner_id: row for row in rows}
        for partner in self:
            row = by_partner.get(partner.commercial_partner_id, rows.browse())
            partner.credit_exposure_id = row
            partner.credit_currency_id = company.currency_id
            for field, source in FIGURES.items():
                partner[field] = row[source] if row else 0

    @api.depends_context("company")
    def _compute_credit_status(self):
        for partner in self:
            commercial = partner.commercial_partner_id.sudo()
            row = partner.credit_exposure_id.sudo()
            if commercial.credit_hold:
                partner.credit_status = "hold"
            elif row.over_limit:
                partner.credit_status = "over_limit"
            elif row.overdue_amount > 0:
                partner.credit_status = "overdue"
            elif self.env.company.credit_require_limit and not row.credit_limit:
                partner.credit_status = "no_limit"
            else:
                partner.credit_status = "ok"

    def _search_credit_status(self, operator, value):
        """Filters "Over limit", "Overdue", "On credit hold": one indexed search on the
        exposure table (or the hold flag) of the current company."""
        if operator not in ("in", "not in"):
            return NotImplemented
        company = self.env.company
        domains = []
        for status in value:
            if status == "hold":
                domains.append(Domain("credit_hold", "=", True))
            elif status in ("over_limit", "overdue"):
                field = "over_limit" if status == "over_limit" else "overdue_amount"
                rows = (
                    self.env["credit.exposure"]
                    .sudo()
                    ._search(
                        [
                            ("company_id", "=", company.id),
                            (field, "=", True)
                            if status == "over_limit"
                            else (field, ">", 0),
                        ]
                    )
                )
                domains.append(Domain("id", "in", rows.subselect("partner_id")))
            else:
                return NotImplemented
        domain = Domain.OR(domains)
        return domain if operator == "in" else ~domain

    @api.depends_context("uid")
    def _compute_is_credit_manager(self):
        self.is_credit_manager = self.env.user.has_group(
            "credit_management.group_credit_manager"
        )

    def _compute_credit_blocked_order_count(self):
        # by the paying customer, as the exposure counts the orders: an order
        # invoiced to another company is held on that company's limit
        counts = dict(
            self.env["sale.order"]._read_group(
                [
                    ("credit_partner_id", "in", self.commercial_partner_id.ids),
                    ("credit_blocked", "=", True),
                    ("state", "in", ("draft", "sent")),
                ],
                groupby=["credit_partner_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            partner.credit_blocked_order_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def _compute_credit_dunning_line_count(self):
        counts = dict(
            self.env["credit.dunning.line"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("state", "=", "done"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.credit_dunning_line_count = counts.get(
                partner.commercial_partner_id, 0
            )

    # ------------------------------------------------------------------ constraints
    @api.constrains(
        "credit_limit",
        "credit_insured_amount",
        "credit_limit_tolerance",
        "credit_overdue_tolerance",
        "credit_overdue_grace_days",
        "credit_hold_reason",
    )
    def _check_credit_settings(self):
        """In the company the values are written for (company-dependent)."""
        check_amounts(
            self,
            [
                "credit_limit",
                "credit_insured_amount",
                "credit_overdue_tolerance",
                "credit_overdue_grace_days",
            ],
        )
        check_rates(self, ["credit_limit_tolerance"])
        check_text_size(self, ["credit_hold_reason"])

    @api.constrains("credit_limit_temporary", "credit_limit_temporary_expiry")
    def _check_credit_limit_temporary(self):
        """As the grant wizard: a temporary limit is positive and ends today or
        later. Clearing it (0, no date) is always allowed."""
        check_amounts(self, ["credit_limit_temporary"])
        today = fields.Date.context_today(self)
        for partner in self.sudo():
            if not partner.credit_limit_temporary:
                continue
            expiry = partner.credit_limit_temporary_expiry
            if not expiry or expiry < today:
                raise ValidationError(
                    self.env._(
                        "%(partner)s: a temporary limit needs an end date, today or "
                        "later.",
                        partner=partner.display_name,
                    )
                )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_credit_manager_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_credit_manager_fields(vals)
        old_commercial = (
            self.commercial_partner_id
            if vals.keys() & {"parent_id", "is_company"}
            else None
        )
        old_limits = (
            {partner: partner.sudo().credit_limit for partner in self}
            if "credit_limit" in vals
            else None
        )
        # callers posting a message of their own (temporary limits, approved
        # requests) pass credit_logged
        logged = [
            fname
            for fname in LOGGED_SETTINGS
            if fname in vals and not self.env.context.get("credit_logged")
        ]
        old_settings = (
            {partner: {f: partner.sudo()[f] for f in logged} for partner in self}
            if logged
            else None
        )
        res = super().write(vals)
        if old_limits:
            self._credit_log_limit_change(old_limits)
        if old_settings:
            self._credit_log_setting_changes(old_settings)
        if "credit_hold" in vals:
            self._credit_log_hold_change(vals)
        if vals.get("credit_insolvency"):
            self._credit_apply_insolvency()
        # the exposure rows hold the limit in force and a copy of the settings
        if vals.keys() & {
            "credit_limit",
            "use_partner_credit_limit",
            "credit_limit_temporary",
            "credit_limit_temporary_expiry",
            *SETTINGS,
        }:
            self.env["credit.exposure"].sudo()._refresh(self, self.env.company)
        if old_commercial is not None:
            # a contact changed commercial partner: both sides' exposure changes
            self.env["credit.exposure"].sudo()._refresh(
                old_commercial | self.commercial_partner_id
            )
        return res

    def _credit_log_setting_changes(self, old_settings):
        """One chatter message per customer listing the credit settings that changed
        (``old_settings``: ``{partner: {field name: value before}}``)."""
        company = self.env.company

        def shown(field, value):
            if field.type == "many2one":
                return value.display_name or "-"
            if field.type == "boolean":
                return self.env._("Yes") if value else self.env._("No")
            if field.type == "date":
                return format_date(self.env, value) if value else "-"
            if field.type == "float":
                return formatLang(self.env, value)
            return value or "-"

        for partner, old in old_settings.items():
            changes = []
            for fname, before in old.items():
                field, after = self._fields[fname], partner.sudo()[fname]
                if before != after:
                    changes.append(
                        Markup("<li>%s: %s → %s</li>")
                        % (
                            field._description_string(self.env),
                            shown(field, before),
                            shown(field, after),
                        )
                    )
            if changes:
                partner.message_post(
                    body=Markup("%s<ul>%s</ul>")
                    % (
                        self.env._(
                            "Credit settings changed in %(company)s by %(user)s:",
                            company=company.name,
                            user=self.env.user.name,
                        ),
                        Markup().join(changes),
                    )
                )

    def _credit_log_hold_change(self, vals):
        """Holds are decisions: say who put or lifted them, where and why."""
        company = self.env.company
        for partner in self:
            if vals["credit_hold"]:
                body = self.env._(
                    "Credit hold set in %(company)s by %(user)s: %(reason)s",
                    company=company.name,
                    user=self.env.user.name,
                    reason=partner.sudo().credit_hold_reason or "-",
                )
            else:
                body = self.env._(
                    "Credit hold lifted in %(company)s by %(user)s.",
                    company=company.name,
                    user=self.env.user.name,
                )
            partner.message_post(body=body)

    def _check_credit_manager_fields(self, vals):
        if (
            not self.env.su
            and vals.keys() & CREDIT_CONTROLLER_FIELDS
            and not self.env.user.has_group("credit_management.group_credit_controller")
        ):
            raise AccessError(
                self.env._("Only credit controllers can change dunning settings.")
            )
        if self.env.su or not vals.keys() & CREDIT_MANAGER_FIELDS:
            return
        if not self.env.user.has_group("credit_management.group_credit_manager"):
            raise AccessError(
                self.env._(
                    "Only credit managers can change credit limits, holds and "
                    "tolerances."
                )
            )

    # ------------------------------------------------------------------ actions
    def action_open_credit_invoices(self):
        self.ensure_one()
        return self._credit_open_action(
            "account.action_move_out_invoice_type",
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("payment_state", "in", ("not_paid", "partial")),
                ("state", "=", "posted"),
            ],
            context={"default_move_type": "out_invoice"},
        )

    def action_open_credit_overdue_items(self):
        self.ensure_one()
        return self._credit_open_action(
            "account.move.line",
            [
                ("partner_id", "child_of", self.commercial_partner_id.id),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("date_maturity", "<", fields.Date.context_today(self)),
            ],
            name=self.env._("Overdue Items"),
            context={"search_default_group_by_move": 0},
        )

    def action_open_credit_orders(self):
        self.ensure_one()
        return self._credit_open_action(
            "sale.action_orders",
            [
                ("credit_partner_id", "=", self.commercial_partner_id.id),
                ("state", "=", "sale"),
                ("invoice_status", "!=", "invoiced"),
            ],
        )

    def action_open_credit_blocked_orders(self):
        self.ensure_one()
        return self._credit_open_action(
            "sale.action_quotations",
            [
                ("credit_partner_id", "=", self.commercial_partner_id.id),
                ("credit_blocked", "=", True),
                ("state", "in", ("draft", "sent")),
            ],
        )

    def action_open_credit_dunning_lines(self):
        self.ensure_one()
        return self._credit_open_action(
            "credit_management.credit_dunning_line_action",
            [("partner_id", "=", self.commercial_partner_id.id)],
        )

    def action_credit_refresh(self):
        self.env["credit.exposure"].sudo()._refresh(self)
        return True

    def _credit_open_action(self, xmlid_or_model, domain, name=None, context=None):
        """Window action of a smart button: the action of the xml id
        ``xmlid_or_model`` (its own name, unless ``name`` is given), or a list and
        form of the model ``xmlid_or_model`` named ``name``; on ``domain``, with
        ``context`` (empty by default) instead of the action's."""
        if xmlid_or_model in self.env:
            action = {
                "type": "ir.actions.act_window",
                "res_model": xmlid_or_model,
                "view_mode": "list,form",
            }
        else:
            action = self.env["ir.actions.act_window"]._for_xml_id(xmlid_or_model)
        if name:
            action["name"] = name
        action["domain"] = domain
        action["context"] = context or {}
        return action

    # ------------------------------------------------------------------ the credit rule
    def _credit_check(self, company, amount, exposure_rows=None):
        """Why one order of ``amount`` (company currency) for this commercial partner
        in ``company`` cannot be confirmed: :meth:`_credit_rule` for one order.
        Returns a list of ``(code, message)``, empty when the order passes."""
        return self._credit_check_orders(company, [amount], exposure_rows)[0]

    def _credit_check_orders(
        self, company, amounts, exposure_rows=None, reserved=0.0, released=None
    ):
        """:meth:`_credit_rule` for orders of this one customer: ``exposure_rows``
        are its rows, fetched when not given.

        :return: one list of ``(code, message)`` per amount, empty when it passes
        """
        self.ensure_one()
        partner = self.commercial_partner_id
        values = None
        rows = exposure_rows
        if rows is None:
            values = {}
            rows = (
                self.env["credit.exposure"]
                .sudo()
                ._get_rows(partner, company, values=values)
            )
        return self._credit_rule(
            company, {partner.id: (amounts, released, reserved)}, rows, values
        )[partner.id]

    @api.model
    def _credit_rule(self, company, orders, rows, values=None):
        """THE credit rule: why orders in ``company`` cannot be confirmed, for the
        orders of several commercial partners at once (a batch confirms the orders
        of many customers; everything that depends on the company is read once).

        Every caller (confirmation on any path, the order banner, tests) goes through
        here. The orders of one customer count cumulatively: an order that passes
        (or is released: it skips the rule) adds its amount to the exposure the
        next ones are checked against.

        :param orders: ``{commercial partner id: (amounts, released, reserved)}``:
            the amounts (company currency) of its orders in the sequence of their
            confirmation, a flag per amount for the released orders (or ``None``),
            and what its rows already count of these orders (the confirmation adds
            them while it locks the rows)
        :param rows: the exposure rows of these customers (``_get_rows``, locked by
            the caller when it is about to confirm): their figures and their
            settings
        :param values: what ``_get_rows`` gave of the rows' values
            (``credit.exposure._rule_values``); read from ``rows`` when not given
        :return: ``{commercial partner id: one list of (code, message) per amount,
            empty when it passes}``
        """
        Exposure = self.env["credit.exposure"].sudo()
        currency = company.currency_id
        rounding = currency.rounding
        require_limit = company.credit_require_limit
        if values is None:
            values = rows._rule_values()
        # each customer's own row in the company (its settings there) and figures
        customers = rows._credit_by_customer(company, values)
        no_row = [None, 0.0, 0.0, False]
        # each customer's terms: tolerances (read once per segment or company
        # holding them), capped limit and the note naming the cap
        terms, tolerances, graces = {}, {}, {}
        for partner_id in orders:
            row = customers.get(partner_id, no_row)[0]
            terms[partner_id] = Exposure._credit_terms(company, row, tolerances)
            if terms[partner_id][2]:
                graces[partner_id] = terms[partner_id][2]
        # the customers with grace days: their overdue items beyond it
        overdue = graces and self._credit_overdue_beyond_grace(
            company, rows, graces, values
        )

        def money(value):
            return format_amount(self.env, value, currency)

        results = {}
        for partner_id, (amounts, released, reserved) in orders.items():
            row, exposure, amount_overdue, oldest = customers.get(partner_id, no_row)
            row = row or {}
            tolerance, tolerance_amount, grace, capped_limit, cap_note = terms[
                partner_id
            ]
            if grace:
                amount_overdue, oldest = overdue[partner_id]
            # the reasons that do not depend on the order: before and after the limit
            before, after = [], []
            if row.get("credit_hold"):
                before.append(
                    (
                        "hold",
                        self.env._(
                            "%(partner)s is on credit hold%(reason)s.",
                            partner=self.browse(partner_id).sudo().display_name,
                            reason=(": " + row["credit_hold_reason"])
                            if row["credit_hold_reason"]
                            else "",
                        ),
                    )
                )
            limit = row.get("credit_limit", 0.0)
            if require_limit and limit <= 0:
                before.append(
                    (
                        "no_limit",
                        self.env._(
                            "%(partner)s has no credit line: a credit manager must "
                            "set a credit limit before orders can be confirmed.",
                            partner=self.browse(partner_id).sudo().display_name,
                        ),
                    )
                )
            has_limit = limit > 0  # a cap may bring it to zero: still a limit
            if has_limit:
                limit = capped_limit
                exposure -= reserved
                ceiling = limit * (1 + tolerance / 100.0)
            if Exposure._is_over(amount_overdue, tolerance_amount, rounding):
                after.append(
                    (
                        "overdue",
                        self.env._(
                            "Overdue %(overdue)s%(grace)s exceeds the tolerated "
                            "%(tolerance)s (oldest due on %(date)s).",
                            overdue=money(amount_overdue),
                            grace=self.env._(
                                " (more than %(days)s days late)", days=grace
                            )
                            if grace
                            else "",
                            tolerance=money(tolerance_amount),
                            date=format_date(self.env, oldest) if oldest else "-",
                        ),
                    )
                )
            results[partner_id] = reasons_by_order = []
            batch_amount = 0.0
            skips = released or [False] * len(amounts)
            for amount, skip in zip(amounts, skips, strict=True):
                if skip:
                    reasons_by_order.append([])
                    batch_amount += amount
                    continue
                reasons = list(before)
                if has_limit and Exposure._is_over(
                    exposure + batch_amount + amount, ceiling, rounding
                ):
                    reasons.append(
                        (
                            "limit",
                            self.env._(
                                "Exposure %(exposure)s%(batch)s + this order "
                                "%(amount)s exceeds the credit limit of "
                                "%(limit)s%(tolerance)s.",
                                exposure=money(exposure),
                                batch=self.env._(
                                    " + other orders confirmed with it %(amount)s",
                                    amount=money(batch_amount),
                                )
                                if batch_amount
                                else "",
                                amount=money(amount),
                                limit=money(limit),
                                tolerance=self.env._(
                                    " (tolerance %(pct)s %%: %(ceiling)s)",
                                    pct=tolerance,
                                    ceiling=money(ceiling),
                                )
                                if tolerance
                                else "",
                            )
                            + cap_note,
                        )
                    )
                reasons += after
                if not reasons:
                    batch_amount += amount
                reasons_by_order.append(reasons)
        return results

    @api.model
    def _credit_overdue_beyond_grace(self, company, rows, graces=None, values=None):
        """Overdue amount and oldest due date of customers, counting only the items
        late by more than their grace days, in ``company``'s currency.

        :param rows: the customers' exposure rows (they hold their settings)
        :param graces: ``{commercial partner id: grace days}``; by default every
            customer of ``rows`` with its grace days in ``company``
        :param values: the rows' ``_rule_values``, read from ``rows`` when not given
        :return: ``{commercial partner id: (amount, oldest due date)}``

        Without grace days the stored figures are used; the customers with grace
        days take one query per number of days (not one per customer).
        """
        if values is None:
            values = rows._rule_values()
        customers = {}  # the stored figures, for the customers without grace days
        if graces is None or not all(graces.values()):
            customers = rows._credit_by_customer(company, values)
        if graces is None:
            Exposure = self.env["credit.exposure"]
            graces = {
                partner_id: Exposure._credit_terms(company, figures[0])[2]
                for partner_id, figures in customers.items()
            }
        result, late = {}, defaultdict(list)
        for partner_id, grace in graces.items():
            if grace:
                late[grace].append(partner_id)
            else:
                __, __, amount, oldest = customers.get(partner_id, (0, 0, 0.0, False))
                result[partner_id] = amount, oldest
        if not late:
            return result
        # the companies of each customer's rows (several with group exposure)
        companies = defaultdict(set)
        for row_id in rows._ids:
            companies[values[row_id]["partner_id"]].add(values[row_id]["company_id"])
        today = fields.Date.context_today(self)
        for grace, partner_ids in late.items():
            limit_date = fields.Date.subtract(today, days=grace)
            where = SQL(
                "p.commercial_partner_id IN %s AND aml.company_id IN %s",
                tuple(partner_ids),
                tuple(
                    set().union(*(companies[pid] for pid in partner_ids))
                    or {company.id}
                ),
            )
            # the rule runs for users who may not read disputes or other companies
            disputed = (
                self.env["credit.dispute"]
                .sudo()
                ._credit_disputed_overdue(limit_date, where)
            )
            result.update(dict.fromkeys(partner_ids, (0.0, False)))
            for partner_id, company_id, residual, first in self.env.execute_query(
                SQL(
                    """
                SELECT p.commercial_partner_id, aml.company_id,
                       SUM(aml.amount_residual),
                       MIN(aml.date_maturity) FILTER (WHERE aml.amount_residual > 0)
                  %s
                   AND %s
                   AND (aml.date_maturity < %s OR aml.amount_residual < 0)
                 GROUP BY 1, 2
                    """,
                    OPEN_RECEIVABLES,
                    where,
                    limit_date,
                )
            ):
                if company_id not in (companies[partner_id] or {company.id}):
                    continue
                residual = (residual or 0.0) - disputed.get(
                    (partner_id, company_id), 0.0
                )
                source = self.env["res.company"].sudo().browse(company_id)
                amount, oldest = result[partner_id]
                amount += source.currency_id._convert(
                    max(residual, 0.0),
                    company.currency_id,
                    company,
                    today,
                    round=False,
                )
                if first and (not oldest or first < oldest):
                    oldest = first
                result[partner_id] = amount, oldest
        return result

    # ------------------------------------------------------------------ scheduled
    @api.model
    def _credit_expire_temporary_limits(self):
        """Revert temporary limits whose end date has passed (one search per
        company)."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].sudo().search([]):
            partners = (
                self.sudo()
                .with_company(company)
                .search([("credit_limit_temporary_expiry", "<", today)])
            )
            if not partners:
                continue
            for partner in partners:
                partner.message_post(
                    body=self.env._(
                        "Temporary credit limit of %(amount)s (%(company)s) expired on "
                        "%(date)s; the credit limit of %(limit)s applies again.",
                        amount=format_amount(
                            self.env,
                            partner.credit_limit_temporary,
                            company.currency_id,
                        ),
                        company=company.name,
                        date=format_date(
                            self.env, partner.credit_limit_temporary_expiry
                        ),
                        limit=format_amount(
                            self.env, partner.credit_limit, company.currency_id
                        ),
                    )
                )
            partners.with_context(credit_logged=True).write(
                {"credit_limit_temporary": 0.0, "credit_limit_temporary_expiry": False}
            )

    # ------------------------------------------------------------------ risk: fields
    credit_segment_id = fields.Many2one(
        "credit.segment",
        "Credit Segment",
        company_dependent=True,
        domain="[('company_id', 'in', (False, current_company_id))]",
        groups="credit_management.group_credit_user",
        prefetch="credit",
    )
    credit_segment_manual = fields.Boolean(
        "Segment Set by Hand",
        company_dependent=True,
        groups="credit_management.group_credit_user",
        help="The segment rules leave this customer's segment alone.",
        prefetch="credit",
        index=False,
    )
    credit_score_id = fields.Many2one(
        "credit.score",
        "Risk Score Row",
        compute="_compute_credit_score",
        groups="credit_management.group_credit_user",
    )
    credit_score = fields.Float(
        "Risk Score",
        digits=(5, 1),
        compute="_compute_credit_score",
        groups="credit_management.group_credit_user",
    )
    credit_risk_class = fields.Selection(
        RISK_CLASSES,
        "Risk Class",
        compute="_compute_credit_score",
        search="_search_credit_risk_class",
        groups="credit_management.group_credit_user",
    )
    credit_score_trend = fields.Float(
        "Score Trend",
        digits=(5, 1),
        compute="_compute_credit_score",
        groups="credit_management.group_credit_user",
        help="Change of the score since the snapshot of the previous month.",
    )
    credit_insolvency = fields.Boolean(
        "Insolvency Proceedings",
        copy=False,
        groups="credit_management.group_credit_user",
        help="Safeguard, receivership or liquidation: the customer gets the worst "
        "risk class and is put on credit hold in every company.",
        prefetch="credit",
    )
    credit_insolvency_date = fields.Date(
        "Proceedings Opened On",
        copy=False,
        groups="credit_management.group_credit_user",
        prefetch="credit",
    )
    credit_insurer_id = fields.Many2one(
        "res.partner",
        "Credit Insurer",
        company_dependent=True,
        groups="credit_management.group_credit_user",
        prefetch="credit",
    )
    credit_insured_amount = fields.Float(
        "Insured Amount",
        company_dependent=True,
        groups="credit_management.group_credit_user",
        help="Cover granted by the credit insurer on this customer.",
        prefetch="credit",
        index=False,
    )
    credit_insurance_expiry = fields.Date(
        "Cover Until",
        company_dependent=True,
        groups="credit_management.group_credit_user",
        prefetch="credit",
        index=False,
    )
    credit_insurance_cap = fields.Boolean(
        "Cap Limit at Cover",
        company_dependent=True,
        groups="credit_management.group_credit_user",
        help="Orders are checked against the lower of the credit limit and the "
        "insured amount while the cover runs (no cover left: an insured amount of "
        "0 blocks every order).",
        prefetch="credit",
        index=False,
    )
    credit_rating_ids = fields.One2many(
        "credit.rating",
        "partner_id",
        "External Ratings",
        groups="credit_management.group_credit_user",
    )
    credit_limit_history_ids = fields.One2many(
        "credit.limit.history",
        "partner_id",
        "Limit History",
        groups="credit_management.group_credit_user",
    )
    credit_next_review_date = fields.Date(
        "Next Credit Review",
        company_dependent=True,
        groups="credit_management.group_credit_user",
        prefetch="credit",
    )

    # ------------------------------------------------------------------ risk: computes
    @api.depends_context("company")
    def _compute_credit_score(self):
        """The current company's score row of each customer: one search."""
        company = self.env.company
        rows = (
            self.env["credit.score"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", company.id),
                ]
            )
        )
        trends = rows._trend()
        by_partner = {row.partner_id: row for row in rows}
        for partner in self:
            row = by_partner.get(partner.commercial_partner_id, rows.browse())
            partner.credit_score_id = row
            partner.credit_score = row.score
            partner.credit_risk_class = row.risk_class
            partner.credit_score_trend = trends.get(row.id, 0.0)

    def _search_credit_risk_class(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        rows = (
            self.env["credit.score"]
            .sudo()
            ._search(
                [
                    ("company_id", "=", self.env.company.id),
                    ("risk_class", operator, list(value)),
                ]
            )
        )
        return Domain("id", "in", rows.subselect("partner_id"))

    # ------------------------------------------------------------------ risk: onchange
    @api.onchange("credit_segment_id")
    def _onchange_credit_segment_id(self):
        if self.credit_segment_id:
            self.credit_segment_manual = True
            if self.credit_segment_id.payment_term_id:
                self.property_payment_term_id = self.credit_segment_id.payment_term_id

    # ------------------------------------------------------------------ risk: CRUD
    def _credit_apply_insolvency(self):
        """Insolvency proceedings put the customer on credit hold in every company
        (through the ordinary hold, so the block rule and the chatter see it)."""
        for company in self.env["res.company"].sudo().search([]):
            partners = (
                self.sudo().with_company(company).filtered(lambda p: not p.credit_hold)
            )
            for partner in partners:
                partner.write(
                    {
                        "credit_hold": True,
                        "credit_hold_reason": self.env._(
                            "Insolvency proceedings opened on %(date)s",
                            date=format_date(
                                self.env,
                                partner.credit_insolvency_date
                                or fields.Date.context_today(self),
                            ),
                        ),
                    }
                )

    # ------------------------------------------------------------------ risk: actions
    def action_credit_score_refresh(self):
        """Recompute this customer's score now (every company)."""
        self.env["credit.score"].sudo()._refresh(self.commercial_partner_id)
        return True

    def action_open_credit_score(self):
        self.ensure_one()
        row = self.credit_score_id
        if not row:
            self.action_credit_score_refresh()
            self.invalidate_recordset(["credit_score_id"])
            row = self.credit_score_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Why This Score"),
            "res_model": "credit.score",
            "view_mode": "form",
            "res_id": row.id,
        }

    def _credit_log_limit_change(self, old_limits):
        """History of the limits: one row per customer whose limit changed in the
        current company (one create for all)."""
        request_id = self.env.context.get("credit_limit_request_id")
        self.env["credit.limit.history"].sudo().create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": self.env.company.id,
                    "old_limit": old,
                    "new_limit": partner.sudo().credit_limit,
                    "request_id": request_id,
                    "user_id": self.env.uid,
                }
                for partner, old in old_limits.items()
                if partner.sudo().credit_limit != old
            ]
        )

    @api.model
    def _cron_credit_reviews(self):
        """Activities for the credit managers on the customers whose credit review
        is due (one search per company, none twice)."""
        today = fields.Date.context_today(self)
        activity_type = self.env.ref(
            "credit_management.mail_activity_type_credit_review"
        )
        managers = self.env.ref("credit_management.group_credit_manager").user_ids
        for company in self.env["res.company"].sudo().search([]):
            due = (
                self.sudo()
                .with_company(company)
                .search([("credit_next_review_date", "<=", today)])
            )
            planned = (
                self.env["mail.activity"]
                .sudo()
                .search(
                    [
                        ("res_model", "=", "res.partner"),
                        ("res_id", "in", due.ids),
                        ("activity_type_id", "=", activity_type.id),
                    ]
                )
            )
            users = managers.filtered(
                lambda u, c=company: not u.share and u.active and c in u.company_ids
            )
            reviewed = set(planned.mapped("res_id"))
            for partner in due.filtered(lambda p, r=reviewed: p.id not in r):
                for user in users:
                    partner.activity_schedule(
                        activity_type_id=activity_type.id,
                        user_id=user.id,
                        date_deadline=partner.credit_next_review_date,
                        summary=self.env._(
                            "Credit review due (%(company)s)", company=company.name
                        ),
                    )

    def action_open_credit_limit_requests(self):
        self.ensure_one()
        return self._credit_open_action(
            "credit.limit.request",
            [("partner_id", "=", self.commercial_partner_id.id)],
            name=self.env._("Limit Requests"),
            context={"default_partner_id": self.commercial_partner_id.id},
        )

    def _credit_recommendation(self):
        """The credit committee note's recommendation, from the class and the
        figures in the current company."""
        self.ensure_one()
        partner = self.commercial_partner_id.with_company(self.env.company)
        if partner.credit_insolvency:
            return self.env._(
                "Insolvency proceedings: no credit; declare the receivable to the "
                "administrator and sell cash in advance only."
            )
        texts = {
            "a": self.env._(
                "Excellent payer: keep the limit, an increase can be granted on "
                "request."
            ),
            "b": self.env._("Good payer: keep the limit; review it once a year."),
            "c": self.env._(
                "Fair: keep the limit without increase, follow the overdue items "
                "closely and review in six months."
            ),
            "d": self.env._(
                "Weak: reduce the limit to the exposure, ask for a guarantee or "
                "credit insurance cover before any new order; quarterly review."
            ),
            "e": self.env._(
                "Critical: stop credit (hold), cash in advance only, recover the "
                "overdue items."
            ),
        }
        return texts.get(
            partner.credit_risk_class,
            self.env._("No score yet: decide on the financial statements."),
        )

    # ------------------------------------------------------------------ disputes
    credit_dispute_ids = fields.One2many(
        "credit.dispute",
        "partner_id",
        "Disputes",
        groups="credit_management.group_credit_user",
    )
    credit_dispute_count = fields.Integer(
        "Open Disputes",
        compute="_compute_credit_dispute_count",
        groups="credit_management.group_credit_user",
    )
    credit_promise_count = fields.Integer(
        "Pending Promises",
        compute="_compute_credit_dispute_count",
        groups="credit_management.group_credit_user",
    )

    def _compute_credit_dispute_count(self):
        """Open disputes and pending promises of the commercial partner: one grouped
        read each."""
        commercial = self.commercial_partner_id
        disputes = dict(
            self.env["credit.dispute"]._read_group(
                [("partner_id", "in", commercial.ids), ("is_open", "=", True)],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        promises = dict(
            self.env["credit.promise"]._read_group(
                [("partner_id", "in", commercial.ids), ("state", "=", "open")],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            partner.credit_dispute_count = disputes.get(
                partner.commercial_partner_id, 0
            )
            partner.credit_promise_count = promises.get(
                partner.commercial_partner_id, 0
            )

    def action_credit_open_disputes(self):
        self.ensure_one()
        return self._credit_open_action(
            "credit_management.credit_dispute_action",
            [("partner_id", "=", self.commercial_partner_id.id)],
            context={
                "default_partner_id": self.commercial_partner_id.id,
                "search_default_filter_open": 1,
            },
        )

    def action_credit_new_record(self):
        """Form of a new dispute, promise to pay or payment plan for this customer
        (the model comes from the button's context)."""
        self.ensure_one()
        model = self.env.context.get("credit_new_model")
        if model not in ("credit.dispute", "credit.promise", "credit.payment.plan"):
            return False
        return {
            "type": "ir.actions.act_window",
            "res_model": model,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_credit_open_promises(self):
        self.ensure_one()
        return self._credit_open_action(
            "credit_management.credit_promise_action",
            [("partner_id", "=", self.commercial_partner_id.id)],
            context={"default_partner_id": self.commercial_partner_id.id},
        )
