# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from .credit_dispute import OPEN_STATES, flush_sql


class AccountMove(models.Model):
    _inherit = "account.move"

    # the exposure refresh sums a customer's draft invoices: without it, a sequential
    # scan of every entry on each posting or payment
    _credit_draft_invoice_idx = models.Index(
        "(commercial_partner_id, company_id) WHERE state = 'draft' "
        "AND move_type IN ('out_invoice', 'out_refund')"
    )

    credit_dispute_line_ids = fields.One2many(
        "credit.dispute.line",
        "move_id",
        "Disputes",
        groups="credit_management.group_credit_user",
    )
    credit_dispute_count = fields.Integer(
        compute="_compute_credit_dispute",
        groups="credit_management.group_credit_user",
    )
    credit_disputed = fields.Boolean(
        "Disputed",
        compute="_compute_credit_dispute",
        search="_search_credit_disputed",
        groups="credit_management.group_credit_user",
        help="The invoice is in an open dispute.",
    )
    credit_dispute_badge = fields.Selection(
        [("disputed", "Disputed")],
        "Dispute",
        compute="_compute_credit_dispute",
        groups="credit_management.group_credit_user",
        help="Badge of the invoice list: the invoice is in an open dispute.",
    )
    # dunning: the last level sent and when (written in bulk by the dunning run;
    # not fetched with every entry)
    credit_dunning_level_id = fields.Many2one(
        "credit.dunning.level",
        "Dunning Level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="credit_management.group_credit_user",
        prefetch="credit_dunning",
    )
    credit_dunning_date = fields.Date(
        "Last Reminder",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="credit_management.group_credit_user",
        prefetch="credit_dunning",
    )
    credit_dunning_item_ids = fields.One2many(
        "credit.dunning.item",
        "move_id",
        "Reminders",
        groups="credit_management.group_credit_controller",
    )

    @api.model
    def _credit_invoice_figures_changed(self):
        """Forget the invoice figures that disputes and payment plans show (amount
        due, total, due date, what a plan's payments covered).

        They are computed from the invoices without a dependency on the invoices'
        residual: such a dependency hangs these models on every trigger tree of the
        accounting, and Odoo merges those trees on each write of an invoice or a
        payment item (about a tenth of a payment's time, measured in bench/). The
        figures only change when the invoices are posted, reset, cancelled, edited
        or reconciled, where the module already listens: each of those calls this.
        """
        self.env["credit.dispute.line"].invalidate_model(
            ["move_amount_total", "move_amount_residual", "move_date_due"]
        )
        self.env["credit.payment.plan"].invalidate_model(
            ["amount_paid", "amount_missed"]
        )
        self.env["credit.payment.plan.line"].invalidate_model(
            ["amount_paid", "payment_state"]
        )

    def _credit_customers(self, invoice_items=True):
        """``{move: (receivable items, {(commercial partner id, company id)})}``: the
        customers whose exposure each move changes, an invoice's customer and the
        partners of its receivable items (a payment's, an entry's).

        Without ``invoice_items``, an invoice's lines are not read (its receivable
        items are its customer's): no items, its customer only."""
        result = {}
        no_items = self.env["account.move.line"]
        for move in self:
            invoice = move.move_type in ("out_invoice", "out_refund")
            items = no_items
            if invoice_items or not invoice:
                items = move.line_ids.filtered(
                    lambda line: line.account_id.account_type == "asset_receivable"
                )
            keys = {
                (line.partner_id.commercial_partner_id.id, line.company_id.id)
                for line in items
                if line.partner_id
            }
            if invoice:
                keys.add((move.commercial_partner_id.id, move.company_id.id))
            result[move] = items, keys
        return result

    def _credit_refresh_exposure(self):
        """Refresh the exposure of the customers of these moves."""
        self._credit_invoice_figures_changed()
        keys = {
            key
            for __, keys in self._credit_customers(invoice_items=False).values()
            for key in keys
        }
        if keys:
            self.env["credit.exposure"].sudo()._refresh_later(
                self.env["res.partner"].browse({pid for pid, __ in keys}),
                self.env["res.company"].browse({cid for __, cid in keys}),
            )

    @api.model_create_multi
    def create(self, vals_list):
        moves = super().create(vals_list)
        moves.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        )._credit_refresh_exposure()
        return moves

    def write(self, vals):
        # drafts change amounts and partner; posted moves change state elsewhere
        if not vals.keys() & {
            "invoice_line_ids",
            "line_ids",
            "partner_id",
            "currency_id",
            "invoice_date",
        }:
            return super().write(vals)
        before = self.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
        partners_before = before.commercial_partner_id
        res = super().write(vals)
        if before:
            before._credit_refresh_exposure()
            moved = partners_before - before.commercial_partner_id
            if moved:
                self.env["credit.exposure"].sudo()._refresh_later(
                    moved, before.company_id
                )
        return res

    def _post(self, soft=True):
        Exposure = self.env["credit.exposure"].sudo()
        # invoices add their items to the rows; what else the posting does
        # (reconciliations) and the moves that need it are refreshed at the end of
        # the block (or of an enclosing one: a payment's)
        with Exposure._deferred_refresh():
            posted = super()._post(soft=soft)
            Exposure._add_posted(posted)
        self._credit_invoice_figures_changed()
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._credit_refresh_exposure()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self._credit_refresh_exposure()
        return res

    def unlink(self):
        partners = self.filtered(
            lambda m: m.move_type in ("out_invoice", "out_refund")
        ).commercial_partner_id
        companies = self.company_id
        res = super().unlink()
        if partners:
            self.env["credit.exposure"].sudo()._refresh_later(partners, companies)
        return res

    # ------------------------------------------------------------------ disputes
    def _compute_credit_dispute(self):
        groups = self.env["credit.dispute.line"]._read_group(
            [("move_id", "in", self.ids)],
            groupby=["move_id", "state"],
            aggregates=["dispute_id:count_distinct"],
        )
        counts, disputed = {}, set()
        for move, state, count in groups:
            counts[move] = counts.get(move, 0) + count
            if state in OPEN_STATES:
                disputed.add(move)
        for move in self:
            move.credit_dispute_count = counts.get(move, 0)
            move.credit_disputed = move in disputed
            move.credit_dispute_badge = "disputed" if move in disputed else False

    def _search_credit_disputed(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        lines = self.env["credit.dispute.line"]._search([("state", "in", OPEN_STATES)])
        domain = Domain("id", "in", lines.subselect("move_id"))
        return domain if (operator == "in") == (True in value) else ~domain

    def action_credit_open_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.credit_dispute_action"
        )
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_credit_dispute(self):
        """Open a new dispute on this invoice (whole amount due by default)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Dispute"),
            "res_model": "credit.dispute",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_company_id": self.company_id.id,
                "default_user_id": self.invoice_user_id.id,
                "default_line_ids": [
                    {"move_id": self.id, "amount": self.amount_residual_signed}
                ],
            },
        }

    @api.model
    def _credit_dunning_paused_moves_sql(self, company, date):
        """``SQL`` subquery selecting the ids of the customer invoices of ``company``
        that dunning must skip on ``date``, for ``WHERE move.id NOT IN (...)``:

        - invoices in an open dispute (``open``/``in_progress``), when the company
          leaves disputed invoices out of dunning (``credit_dispute_exclude_dunning``);
        - invoices covered by a pending promise to pay whose promised date is not
          past (``date_promised >= date``): the promise's invoices, or every invoice
          of the customer for a promise without invoices;
        - invoices of a running payment plan, except those covering missed
          instalments: "dunning applies only to missed instalments" is expressed as
          follows. The missed amount of a plan is the principal of its instalments
          due before ``date`` minus the principal paid (the plan's amount minus the
          invoices' open amount). The plan's invoices, oldest due first, are dunned
          while their cumulated open amount before them is below the missed amount;
          the others stay paused. A plan in good standing pauses all its invoices.

        One statement, no Python per invoice; it reads the tables directly (the
        caller applies its own access rules on the invoices it selects).
        """
        return SQL(
            """%(flush)s
            WITH plan_move AS (
                SELECT pl.id AS plan_id, m.id AS move_id,
                       m.amount_residual_signed AS residual,
                       m.invoice_date_due, pl.amount_principal
                  FROM credit_payment_plan pl
                  JOIN credit_payment_plan_move_rel r ON r.plan_id = pl.id
                  JOIN account_move m ON m.id = r.move_id
                 WHERE pl.company_id = %(company)s AND pl.state = 'active'
            ), plan_missed AS (
                SELECT pm.plan_id,
                       GREATEST(COALESCE((SELECT SUM(li.amount_principal)
                                            FROM credit_payment_plan_line li
                                           WHERE li.plan_id = pm.plan_id
                                             AND li.date_due < %(date)s), 0)
                                - (MAX(pm.amount_principal) - SUM(pm.residual)),
                                0) AS missed
                  FROM plan_move pm
                 GROUP BY pm.plan_id
            ), plan_ranked AS (
                SELECT pm.plan_id, pm.move_id,
                       SUM(pm.residual) OVER (
                           PARTITION BY pm.plan_id
                           ORDER BY pm.invoice_date_due, pm.move_id
                       ) - pm.residual AS before
                  FROM plan_move pm
            )
            SELECT l.move_id
              FROM credit_dispute_line l
              JOIN credit_dispute d ON d.id = l.dispute_id
              JOIN res_company c ON c.id = d.company_id
             WHERE d.company_id = %(company)s AND d.state IN %(open)s
               AND c.credit_dispute_exclude_dunning
            UNION
            SELECT m.id
              FROM credit_promise pr
              JOIN account_move m
                ON m.commercial_partner_id = pr.partner_id
               AND m.company_id = pr.company_id
             WHERE pr.company_id = %(company)s AND pr.state = 'open'
               AND pr.date_promised >= %(date)s
               AND m.move_type = 'out_invoice' AND m.state = 'posted'
               AND (NOT EXISTS (SELECT 1 FROM credit_promise_move_rel r
                                 WHERE r.promise_id = pr.id)
                    OR m.id IN (SELECT r.move_id FROM credit_promise_move_rel r
                                 WHERE r.promise_id = pr.id))
            UNION
            SELECT pr.move_id
              FROM plan_ranked pr
              JOIN plan_missed pmi ON pmi.plan_id = pr.plan_id
             WHERE pr.before >= pmi.missed
            """,
            company=company.id,
            date=date,
            open=OPEN_STATES,
            flush=flush_sql(
                self.env,
                {
                    "credit.dispute": ["state", "company_id"],
                    "credit.dispute.line": ["move_id", "dispute_id"],
                    "res.company": ["credit_dispute_exclude_dunning"],
                    "credit.promise": [
                        "partner_id",
                        "company_id",
                        "state",
                        "date_promised",
                        "invoice_ids",
                    ],
                    "account.move": [
                        "commercial_partner_id",
                        "company_id",
                        "move_type",
                        "state",
                        "amount_residual_signed",
                        "invoice_date_due",
                    ],
                    "credit.payment.plan": [
                        "company_id",
                        "state",
                        "amount_principal",
                        "invoice_ids",
                    ],
                    "credit.payment.plan.line": [
                        "plan_id",
                        "date_due",
                        "amount_principal",
                    ],
                },
            ),  # fmt: skip
        )
