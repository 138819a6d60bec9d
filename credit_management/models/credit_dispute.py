# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount, format_date

from .credit_exposure import OPEN_RECEIVABLES

DISPUTE_STATES = [
    ("open", "Open"),
    ("in_progress", "In Progress"),
    ("credit_note", "Resolved by Credit Note"),
    ("rejected", "Rejected"),
    ("paid", "Paid"),
]
OPEN_STATES = ("open", "in_progress")
# state -> the states it may be moved to
TRANSITIONS = {
    "open": {"in_progress", "credit_note", "rejected", "paid"},
    "in_progress": {"open", "credit_note", "rejected", "paid"},
    "credit_note": {"open"},
    "rejected": {"open"},
    "paid": {"open"},
}
# The fields only the workflow writes (``_set_state``, ``action_accept``...) for a
# user without the controller group, with the value a new dispute has.
WORKFLOW_FIELDS = {
    "state": "open",
    "accepted_by_id": False,
    "accepted_date": False,
    "date_resolved": False,
    "resolution_days": 0,
    "escalated": False,
    "source": "internal",
}
# The fields that say what an accepted dispute leaves out of the overdue test: only
# controllers change them once it is accepted.
ACCEPTED_FIELDS = ("partner_id", "company_id")
CONTROLLER = "credit_management.group_credit_controller"
# Sizes (characters): the customer's comment on the portal, the description (HTML,
# which holds such a comment with its markup) and the resolution note.
COMMENT_MAX_SIZE = 4000
DESCRIPTION_MAX_SIZE = 50000
NOTE_MAX_SIZE = 10000
ACTIVITY = "credit_management.mail_activity_type_credit_dispute"
ESCALATION = "credit_management.mail_activity_type_credit_dispute_escalation"


def flush_sql(env, fields_by_model):
    """An empty ``SQL`` carrying the fields a query reads, so that executing the
    query (``env.execute_query``) flushes them, whenever it runs."""
    return SQL(
        "",
        to_flush=[
            env[model]._fields[name]
            for model, names in fields_by_model.items()
            for name in names
        ],
    )


class CreditDispute(models.Model):
    """A customer's dispute over one or more invoices, owned by the salesperson.

    While open (``open``/``in_progress``) its invoices are left out of dunning, and,
    once a credit controller has accepted it (``action_accept``; company setting
    ``credit_dispute_require_acceptance``), its disputed amount is left out of the
    overdue test of the order block, each per company setting (see
    ``account.move._credit_dunning_paused_moves_sql`` and
    ``_credit_disputed_overdue``).

    The state and the acceptance are the workflow's: a user without the controller
    group changes them only through the actions (``_set_state`` writes them), never
    by ``write``, ``create``, ``copy`` or ``load``."""

    _name = "credit.dispute"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Invoice Dispute"
    _order = "date desc, id desc"
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
        help="The commercial partner (company) of the disputed invoices.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many(
        "credit.dispute.line", "dispute_id", "Disputed Invoices", copy=True
    )
    invoice_ids = fields.Many2many(
        "account.move", compute="_compute_invoice_ids", string="Invoices"
    )
    amount_disputed = fields.Monetary(
        "Disputed Amount",
        compute="_compute_amount_disputed",
        store=True,
        tracking=True,
        help="Sum of the disputed amounts of the invoices, in company currency.",
    )
    reason_id = fields.Many2one(
        "credit.dispute.reason",
        "Reason",
        required=True,
        tracking=True,
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users",
        "Owner",
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Settles the dispute with the customer; defaults to the salesperson of "
        "the invoice.",
    )
    date = fields.Date(
        "Opened On", required=True, default=fields.Date.context_today, tracking=True
    )
    date_deadline = fields.Date(
        "Deadline",
        compute="_compute_date_deadline",
        store=True,
        readonly=False,
        tracking=True,
        help="Opening date plus the service level of the reason.",
    )
    date_resolved = fields.Date("Resolved On", readonly=True, copy=False)
    resolution_date = fields.Date(
        copy=False,
        help="Date the dispute was settled, when it is recorded later (history "
        "entered or imported afterwards). Empty: the day it is resolved here.",
    )
    resolution_days = fields.Integer(
        "Resolution Time (days)", readonly=True, copy=False, aggregator="avg"
    )
    state = fields.Selection(
        DISPUTE_STATES,
        default="open",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    is_open = fields.Boolean(compute="_compute_is_open", search="_search_is_open")
    is_overdue = fields.Boolean(
        "Past Deadline", compute="_compute_is_overdue", search="_search_is_overdue"
    )
    source = fields.Selection(
        [
            ("internal", "Internal"),
            ("customer_reply", "Customer Reply"),
            ("portal", "Customer Portal"),
        ],
        default="internal",
        required=True,
        readonly=True,
        help="Who raised the dispute: our staff, the customer's reply logged by a "
        "controller, or the customer on the portal.",
    )
    description = fields.Html()
    resolution_note = fields.Text("Resolution")
    credit_note_id = fields.Many2one(
        "account.move",
        "Credit Note",
        copy=False,
        tracking=True,
        check_company=True,
        domain="[('move_type', '=', 'out_refund'), "
        "('commercial_partner_id', '=', partner_id)]",
    )
    escalated = fields.Boolean(readonly=True, copy=False)
    accepted_by_id = fields.Many2one(
        "res.users",
        "Accepted By",
        readonly=True,
        copy=False,
        tracking=True,
        help="The credit controller who accepted the dispute: while it is open, its "
        "disputed amount is left out of the overdue test of the order block.",
    )
    accepted_date = fields.Datetime("Accepted On", readonly=True, copy=False)
    lines_locked = fields.Boolean(
        compute="_compute_lines_locked",
        help="The dispute is accepted and the user is not a credit controller: its "
        "customer and invoices can no longer be changed.",
    )

    # ------------------------------------------------------------------ computes
    @api.depends("line_ids.move_id")
    def _compute_invoice_ids(self):
        for dispute in self:
            dispute.invoice_ids = dispute.line_ids.move_id

    @api.depends("line_ids.amount")
    def _compute_amount_disputed(self):
        for dispute in self:
            dispute.amount_disputed = sum(dispute.line_ids.mapped("amount"))

    @api.depends("date", "reason_id")
    def _compute_date_deadline(self):
        for dispute in self:
            dispute.date_deadline = dispute.date and fields.Date.add(
                dispute.date, days=dispute.reason_id.resolution_days
            )

    @api.depends("accepted_date")
    @api.depends_context("uid")
    def _compute_lines_locked(self):
        controller = self._credit_is_controller()
        for dispute in self:
            dispute.lines_locked = bool(dispute.accepted_date) and not controller

    @api.depends("state")
    def _compute_is_open(self):
        for dispute in self:
            dispute.is_open = dispute.state in OPEN_STATES

    def _search_is_open(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        op = "in" if (operator == "in") == (True in value) else "not in"
        return [("state", op, OPEN_STATES)]

    @api.depends("state", "date_deadline")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            dispute.is_overdue = bool(
                dispute.state in OPEN_STATES
                and dispute.date_deadline
                and dispute.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = Domain("state", "in", OPEN_STATES) & Domain(
            "date_deadline", "<", fields.Date.context_today(self)
        )
        return domain if (operator == "in") == (True in value) else ~domain

    # ------------------------------------------------------------------ constraints
    @api.constrains("partner_id", "line_ids", "state")
    def _check_lines(self):
        for dispute in self:
            if dispute.line_ids.move_id.commercial_partner_id - dispute.partner_id:
                raise ValidationError(
                    self.env._(
                        "Dispute %(name)s: every invoice must be an invoice of "
                        "%(partner)s.",
                        name=dispute.name,
                        partner=dispute.partner_id.display_name,
                    )
                )
        self.line_ids._check_single_open_dispute()

    @api.constrains("date", "resolution_date", "date_resolved")
    def _check_resolution_date(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            for resolved in (dispute.resolution_date, dispute.date_resolved):
                if resolved and not dispute.date <= resolved <= today:
                    raise ValidationError(
                        self.env._(
                            "Dispute %(name)s: the resolution date must lie between "
                            "the opening date (%(opened)s) and today.",
                            name=dispute.name,
                            opened=format_date(self.env, dispute.date),
                        )
                    )

    @api.constrains("description", "resolution_note")
    def _check_text_size(self):
        for dispute in self:
            for fname, size in (
                ("description", DESCRIPTION_MAX_SIZE),
                ("resolution_note", NOTE_MAX_SIZE),
            ):
                if len(dispute[fname] or "") > size:
                    raise ValidationError(
                        self.env._(
                            "Dispute %(name)s: %(field)s cannot exceed %(size)s "
                            "characters.",
                            name=dispute.name,
                            field=self._fields[fname]._description_string(self.env),
                            size=size,
                        )
                    )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        if not self._credit_is_controller():
            for vals in vals_list:
                forced = [
                    fname
                    for fname, default in WORKFLOW_FIELDS.items()
                    if fname in vals and (vals[fname] or False) != (default or False)
                ]
                if forced:
                    self._credit_raise_workflow_access(forced)
                # neither a context default nor a user default sets them either
                for fname, default in WORKFLOW_FIELDS.items():
                    vals.setdefault(fname, default)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("credit.dispute")
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        disputes = super().create(vals_list)
        # a customer (portal) is never the owner: without salesperson the credit
        # managers get the activity
        internal = self.env.user if not self.env.user.share else self.env.user.browse()
        for dispute in disputes.filtered(lambda d: not d.user_id):
            moves = dispute.line_ids.move_id
            dispute.user_id = (
                moves[:1].invoice_user_id or dispute.partner_id.user_id or internal
            )
        disputes._schedule_owner_activity()  # lines refreshed the exposure
        return disputes

    def write(self, vals):
        if not self._credit_is_controller():
            forced = [fname for fname in WORKFLOW_FIELDS if fname in vals]
            if forced:
                self._credit_raise_workflow_access(forced)
            if vals.keys() & set(ACCEPTED_FIELDS):
                self._credit_check_not_accepted()
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals["partner_id"] = partner.commercial_partner_id.id
        before = self.partner_id
        res = super().write(vals)
        if "user_id" in vals:
            self.filtered("is_open").activity_reschedule(
                [ACTIVITY], new_user_id=vals["user_id"]
            )
        if "date_deadline" in vals:
            for dispute in self.filtered("is_open"):
                dispute.activity_reschedule(
                    [ACTIVITY], date_deadline=dispute.date_deadline
                )
        if vals.keys() & {"partner_id", "company_id"}:
            self.env["credit.exposure"].sudo()._refresh(before)
            self._refresh_exposure()
        elif vals.keys() & {"state", "accepted_date"}:
            # opened, closed, accepted or no longer: the disputed amount counts or not
            self._refresh_exposure()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_open(self):
        if any(dispute.state != "open" for dispute in self):
            raise UserError(
                self.env._("Only open disputes can be deleted; reject it instead.")
            )

    def unlink(self):
        partners, companies = self.partner_id, self.company_id
        res = super().unlink()
        self.env["credit.exposure"].sudo()._refresh(partners, companies)
        return res

    # ------------------------------------------------------------------ actions
    def action_start(self):
        self._set_state("in_progress")
        return True

    def action_resolve_credit_note(self):
        for dispute in self:
            if not dispute.credit_note_id:
                # a credit note reversing one of the invoices is the one
                dispute.credit_note_id = self.env["account.move"].search(
                    [
                        ("reversed_entry_id", "in", dispute.line_ids.move_id.ids),
                        ("move_type", "=", "out_refund"),
                        ("state", "=", "posted"),
                    ],
                    limit=1,
                )
            if not dispute.credit_note_id:
                raise UserError(
                    self.env._(
                        "Dispute %(name)s: choose the credit note that resolves it "
                        "(or issue one from the invoice) first.",
                        name=dispute.name,
                    )
                )
        self._set_state("credit_note")
        return True

    def action_reject(self):
        for dispute in self:
            if not dispute.resolution_note:
                raise UserError(
                    self.env._(
                        "Dispute %(name)s: write in Resolution why it is rejected.",
                        name=dispute.name,
                    )
                )
        self._set_state("rejected")
        return True

    def action_mark_paid(self):
        self._set_state("paid")
        return True

    def action_reopen(self):
        """Back to open; a dispute reopened from a closed state must be accepted
        again (its acceptance and escalation are cleared)."""
        self._set_state("open")
        self._schedule_owner_activity()
        return True

    def action_accept(self):
        """A credit controller accepts the dispute: while it is open, its disputed
        amount is left out of the overdue test of the order block (where the company
        leaves disputed amounts out). Logged in the chatter."""
        self._credit_check_controller()
        for dispute in self:
            if dispute.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "Dispute %(name)s is closed: only open disputes can be "
                        "accepted.",
                        name=dispute.name,
                    )
                )
        disputes = self.filtered(lambda d: not d.accepted_date)
        disputes.write(
            {"accepted_by_id": self.env.uid, "accepted_date": fields.Datetime.now()}
        )
        for dispute in disputes:
            body = self.env._(
                "Dispute accepted by %(user)s.", user=self.env.user.display_name
            )
            if dispute.company_id.credit_dispute_exclude_overdue:
                body += " " + self.env._(
                    "While it is open, its disputed amount (%(amount)s) is left out "
                    "of the overdue test of the order block.",
                    amount=format_amount(
                        self.env, dispute.amount_disputed, dispute.currency_id
                    ),
                )
            dispute.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True

    def action_withdraw_acceptance(self):
        """A credit controller withdraws the acceptance: the disputed amount is
        overdue again for the order block. Logged in the chatter."""
        self._credit_check_controller()
        disputes = self.filtered("accepted_date")
        disputes.write({"accepted_by_id": False, "accepted_date": False})
        for dispute in disputes:
            dispute.message_post(
                body=self.env._(
                    "Acceptance withdrawn by %(user)s: the disputed amount counts "
                    "again in the overdue test of the order block.",
                    user=self.env.user.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_open_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.line_ids.move_id.ids)]
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    # ------------------------------------------------------------------ business
    def _set_state(self, state):
        """Move to ``state``, refusing transitions the workflow does not allow, then
        close the owner's activity and refresh the customers' exposure.

        The only way a user without the controller group changes the state: it
        writes the workflow's fields as superuser, once the user is known to have
        write access to the disputes. A dispute reopened from a closed state loses
        its acceptance and escalation; a resolved one keeps who accepted it."""
        self.check_access("write")
        labels = dict(self._fields["state"]._description_selection(self.env))
        for dispute in self:
            if state not in TRANSITIONS[dispute.state]:
                raise UserError(
                    self.env._(
                        "Dispute %(name)s cannot go from %(from)s to %(to)s.",
                        name=dispute.name,
                        **{"from": labels[dispute.state], "to": labels[state]},
                    )
                )
        today = fields.Date.context_today(self)
        # one write (and exposure refresh) per set of values
        batches = defaultdict(lambda: self.browse())
        for dispute in self:
            if state in OPEN_STATES:
                vals = {"state": state, "date_resolved": False, "resolution_days": 0}
                if dispute.state not in OPEN_STATES:
                    vals["resolution_date"] = False
                    vals.update(
                        accepted_by_id=False, accepted_date=False, escalated=False
                    )
            else:
                resolved = dispute.resolution_date or today
                vals = {
                    "state": state,
                    "date_resolved": resolved,
                    "resolution_days": (resolved - dispute.date).days,
                }
            batches[tuple(sorted(vals.items()))] |= dispute
        for vals, disputes in batches.items():
            disputes.sudo().write(dict(vals))
        if state not in OPEN_STATES:
            self.activity_feedback([ACTIVITY, ESCALATION], only_automated=False)

    def _credit_is_controller(self):
        """Whether the user may change the workflow's fields directly."""
        return self.env.su or self.env.user.has_group(CONTROLLER)

    def _credit_check_controller(self):
        if not self._credit_is_controller():
            raise AccessError(
                self.env._(
                    "Only credit controllers can accept disputes or withdraw "
                    "their acceptance."
                )
            )

    def _credit_raise_workflow_access(self, fnames):
        raise AccessError(
            self.env._(
                "Only credit controllers can set %(fields)s of a dispute: use the "
                "dispute's buttons (Start, Accept, Reject...).",
                fields=", ".join(
                    self._fields[fname]._description_string(self.env)
                    for fname in fnames
                ),
            )
        )

    def _credit_check_not_accepted(self):
        """Refuse a change of what an accepted dispute leaves out of the overdue
        test (its customer, company or invoices) to a user without the controller
        group."""
        accepted = self.filtered("accepted_date")
        if accepted and not self._credit_is_controller():
            raise AccessError(
                self.env._(
                    "Dispute %(name)s is accepted: only credit controllers can "
                    "change its customer, company or disputed invoices.",
                    name=accepted[0].name,
                )
            )

    def _schedule_owner_activity(self):
        for dispute in self:
            for user in dispute.user_id or dispute._credit_managers():
                dispute.activity_schedule(
                    ACTIVITY,
                    date_deadline=dispute.date_deadline,
                    summary=self.env._("Settle dispute %(name)s", name=dispute.name),
                    user_id=user.id,
                )

    def _credit_managers(self):
        """Internal users of the credit manager group working in the company."""
        self.ensure_one()
        managers = self.env.ref("credit_management.group_credit_manager").user_ids
        return managers.filtered(
            lambda u: not u.share and u.active and self.company_id in u.company_ids
        )

    def _credit_notify_owner(self, author, comment):
        """The customer raised the dispute (portal, reply): tell the owner."""
        for dispute in self:
            body = self.env._(
                "%(customer)s disputes %(invoices)s (%(reason)s): %(comment)s",
                customer=author.display_name,
                invoices=", ".join(dispute.line_ids.move_id.mapped("name")),
                reason=dispute.reason_id.name,
                comment=comment,
            )
            dispute.message_post(
                body=body,
                author_id=author.id,
                partner_ids=dispute.user_id.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            for move in dispute.line_ids.move_id:
                move.message_post(body=body, author_id=author.id)

    def _refresh_exposure(self):
        if self:
            self.env["credit.exposure"].sudo()._refresh(
                self.partner_id, self.company_id
            )

    @api.model
    def _cron_escalate(self):
        """Daily: open disputes past their deadline get an activity for every credit
        manager (once per dispute)."""
        disputes = self.sudo().search(
            [("is_overdue", "=", True), ("escalated", "=", False)]
        )
        for dispute in disputes:
            for manager in dispute._credit_managers():
                dispute.activity_schedule(
                    ESCALATION,
                    summary=self.env._(
                        "Dispute %(name)s is past its deadline", name=dispute.name
                    ),
                    user_id=manager.id,
                )
        disputes.escalated = True
        return True

    @api.model
    def _credit_disputed_overdue(self, limit_date, where):
        """Per (commercial partner, company): the part of the open receivable items
        due before ``limit_date`` that is disputed in open disputes, in the companies
        that leave disputed amounts out of the overdue test, and only in accepted
        disputes where the company requires acceptance. One query.

        :param where: ``SQL`` condition on ``OPEN_RECEIVABLES`` aliases (``aml``,
            ``p``) restricting partners and companies.
        :return: ``{(partner_id, company_id): amount}``
        """
        rows = self.env.execute_query(
            self._credit_disputed_overdue_sql(limit_date, where)
        )
        return {(pid, cid): amount or 0.0 for pid, cid, amount in rows}

    @api.model
    def _credit_any_open(self, partner_ids):
        """Whether one of these customers has an open dispute that counts for the
        block (in any company): accepted, or of a company that does not require
        acceptance. One indexed query, for the exposure refresh of an event's
        customers."""
        return bool(
            self.env.execute_query(
                SQL(
                    """%s
                    SELECT 1 FROM credit_dispute d
                      JOIN res_company c ON c.id = d.company_id
                     WHERE d.partner_id IN %s AND d.state IN %s AND %s
                     LIMIT 1""",
                    flush_sql(
                        self.env,
                        {
                            "credit.dispute": [
                                "partner_id",
                                "state",
                                "company_id",
                                "accepted_date",
                            ],
                            "res.company": ["credit_dispute_require_acceptance"],
                        },
                    ),
                    tuple(partner_ids),
                    OPEN_STATES,
                    self._credit_accepted_sql("d", "c"),
                )
            )
        )

    @api.model
    def _credit_accepted_sql(self, dispute, company):
        """``SQL`` condition: the dispute (alias ``dispute``) counts for the block as
        accepted, or because its company (alias ``company``) does not require
        acceptance."""
        return SQL(
            "(%s IS NOT NULL OR NOT COALESCE(%s, TRUE))",
            SQL.identifier(dispute, "accepted_date"),
            SQL.identifier(company, "credit_dispute_require_acceptance"),
        )

    @api.model
    def _credit_disputed_overdue_sql(self, limit_date, where):
        """The query of :meth:`_credit_disputed_overdue` (columns partner_id,
        company_id, amount), for the exposure refresh to run it with its own."""
        return SQL(
            """%(flush)s
            SELECT ov.partner_id, ov.company_id,
                   SUM(LEAST(ov.residual, d.amount)) AS amount
              FROM (SELECT aml.move_id, p.commercial_partner_id AS partner_id,
                           aml.company_id, SUM(aml.amount_residual) AS residual
                      %(open_receivables)s
                       AND aml.date_maturity < %(limit)s AND aml.amount_residual > 0
                       AND %(where)s
                     GROUP BY 1, 2, 3) ov
              JOIN (SELECT l.move_id, SUM(l.amount) AS amount
                      FROM credit_dispute_line l
                      JOIN credit_dispute cd ON cd.id = l.dispute_id
                      JOIN res_company c ON c.id = cd.company_id
                     WHERE cd.state IN %(open)s AND c.credit_dispute_exclude_overdue
                       AND %(accepted)s
                     GROUP BY 1) d ON d.move_id = ov.move_id
             GROUP BY 1, 2
            """,
            open_receivables=OPEN_RECEIVABLES,
            limit=limit_date,
            where=where,
            open=OPEN_STATES,
            accepted=self._credit_accepted_sql("cd", "c"),
            flush=flush_sql(
                self.env,
                {
                    "account.move.line": [
                        "amount_residual",
                        "date_maturity",
                        "move_id",
                        "partner_id",
                        "company_id",
                        "reconciled",
                        "parent_state",
                    ],
                    "credit.dispute.line": ["move_id", "amount", "dispute_id"],
                    "credit.dispute": ["state", "company_id", "accepted_date"],
                    "res.company": [
                        "credit_dispute_exclude_overdue",
                        "credit_dispute_require_acceptance",
                    ],
                },
            ),  # fmt: skip
        )
