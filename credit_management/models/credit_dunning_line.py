# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount

from .credit_exposure import OPEN_RECEIVABLES

_logger = logging.getLogger(__name__)


class CreditDunningLine(models.Model):
    """One customer in a dunning run: its invoices due for a level, the channels,
    the fees, what was sent and when. ``state`` makes a run safe to interrupt: a
    line is either still to send (``draft``) or completely sent (``done``)."""

    _name = "credit.dunning.line"
    _inherit = ["mail.thread"]
    _description = "Dunning Line"
    _order = "cash_at_stake desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    run_id = fields.Many2one(
        "credit.dunning.run",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, readonly=True
    )
    salesperson_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    policy_id = fields.Many2one("credit.dunning.policy", required=True, readonly=True)
    level_id = fields.Many2one(
        "credit.dunning.level",
        required=True,
        index=True,
        ondelete="restrict",
        domain="[('policy_id', '=', policy_id)]",
        tracking=True,
    )
    level_sequence = fields.Integer(
        related="level_id.sequence", store=True, index=True, string="Level Rank"
    )
    is_final = fields.Boolean(related="level_id.is_final")
    state = fields.Selection(
        [("draft", "To Send"), ("excluded", "Excluded"), ("done", "Sent")],
        default="draft",
        required=True,
        index=True,
        tracking=True,
    )
    note = fields.Text()
    item_ids = fields.One2many("credit.dunning.item", "line_id", "Invoices")
    amount_due = fields.Monetary(
        "Amount Reminded", readonly=True, help="Residual of the invoices reminded."
    )
    amount_credit = fields.Monetary(
        "Open Credits",
        readonly=True,
        help="Credit notes and payments of the customer not reconciled yet: check "
        "the bank before reminding.",
    )
    days_overdue = fields.Integer(readonly=True)
    cash_at_stake = fields.Float(
        readonly=True,
        aggregator="sum",
        help="Amount reminded x days overdue x risk (doubled over the credit "
        "limit): ranks the worklist.",
    )
    indemnity_amount = fields.Monetary("Recovery Indemnity", readonly=True)
    interest_amount = fields.Monetary("Late Interest", readonly=True)
    send_email = fields.Boolean("Email")
    send_letter = fields.Boolean("Letter")
    make_call = fields.Boolean("Phone Call")
    letter_state = fields.Selection(
        [("none", "No Letter"), ("to_print", "To Print"), ("printed", "Printed")],
        default="none",
        readonly=True,
    )
    call_state = fields.Selection(
        [("none", "No Call"), ("to_do", "To Call"), ("done", "Called")],
        default="none",
        readonly=True,
    )
    sent_date = fields.Datetime(readonly=True, copy=False)
    sent_uid = fields.Many2one("res.users", "Sent By", readonly=True, copy=False)
    mail_message_id = fields.Many2one(
        "mail.message",
        "Email Message",
        readonly=True,
        index="btree_not_null",
        copy=False,
    )
    mail_status = fields.Selection(
        [
            ("ready", "Queued"),
            ("sent", "Sent"),
            ("bounce", "Bounced"),
            ("exception", "Failed"),
        ],
        compute="_compute_mail_status",
        string="Email Status",
    )
    responsible_id = fields.Many2one(related="run_id.responsible_id")

    # ------------------------------------------------------------------ computes
    def _compute_mail_status(self):
        rank = {"exception": 4, "bounce": 3, "ready": 2, "sent": 1, "pending": 2}
        status = {}
        for message, value in (
            self.env["mail.notification"]
            .sudo()
            ._read_group(
                [
                    ("mail_message_id", "in", self.mail_message_id.ids),
                    ("notification_type", "=", "email"),
                ],
                ["mail_message_id", "notification_status"],
            )
        ):
            if rank.get(value, 0) > rank.get(status.get(message.id), 0):
                status[message.id] = value if value != "pending" else "ready"
        for line in self:
            line.mail_status = status.get(line.mail_message_id.id, False)

    # ------------------------------------------------------------------ CRUD
    def write(self, vals):
        if (
            vals.keys() - {"state", "note", "letter_state", "call_state"}
            and any(line.state == "done" for line in self)
            and not self.env.su
        ):
            raise UserError(self.env._("A sent reminder cannot be changed."))
        if "level_id" in vals:
            level = self.env["credit.dunning.level"].browse(vals["level_id"])
            if any(line.policy_id != level.policy_id for line in self):
                raise UserError(
                    self.env._(
                        "Level %(level)s is not a level of the customer's policy.",
                        level=level.name,
                    )
                )
        res = super().write(vals)
        if "level_id" in vals:
            # the controller chose another level: every invoice of the line gets it
            self.item_ids.write({"level_id": vals["level_id"]})
            for line in self:
                line.write(
                    {
                        "send_email": line.level_id.channel_email,
                        "send_letter": line.level_id.channel_letter,
                        "make_call": line.level_id.channel_phone,
                    }
                )
        if "state" in vals:
            self.item_ids.write({"state": vals["state"]})
        return res

    # ------------------------------------------------------------------ actions
    def action_exclude(self):
        self._check_draft()
        self.state = "excluded"
        return True

    def action_include(self):
        if any(line.state != "excluded" for line in self):
            raise UserError(self.env._("Only excluded customers can be put back."))
        self.state = "draft"
        return True

    def action_call_done(self):
        self.call_state = "done"
        self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", self.partner_id.ids),
                (
                    "activity_type_id",
                    "=",
                    self.env.ref("mail.mail_activity_data_call").id,
                ),
                ("date_deadline", "in", self.mapped("date")),
            ]
        ).action_done()
        return True

    def action_print_letter(self):
        self.filtered(lambda line: line.state == "done").letter_state = "printed"
        return self.env.ref(
            "credit_management.action_report_credit_dunning_letter"
        ).report_action(self)

    def _check_draft(self):
        if any(line.state != "draft" for line in self):
            raise UserError(self.env._("Only reminders not yet sent can be changed."))

    # ------------------------------------------------------------------ sending
    def _process(self):
        """Send these draft lines, completely or not at all: emails queued, letters
        marked to print, call activities, final level (hold + follow-up), the level
        and date written on the invoices, the line marked sent."""
        lines = self.filtered(lambda line: line.state == "draft")._drop_paid_items()
        if not lines:
            return
        lines._send_emails()
        now = fields.Datetime.now()
        lines.filtered("send_letter").write({"letter_state": "to_print"})
        calls = lines.filtered("make_call")
        calls.write({"call_state": "to_do"})
        lines._create_activities(calls)
        lines._apply_final_level()
        lines.write({"state": "done", "sent_date": now, "sent_uid": self.env.uid})
        self.env.flush_all()
        # the invoices' current level and date, in one statement
        self.env.execute_query(
            SQL(
                """
            UPDATE account_move m
               SET credit_dunning_level_id = i.level_id,
                   credit_dunning_date = i.date
              FROM credit_dunning_item i
             WHERE i.move_id = m.id AND i.line_id = ANY(%s)
                """,
                lines.ids,
            )
        )
        self.env["account.move"].invalidate_model(
            ["credit_dunning_level_id", "credit_dunning_date"]
        )

    def _drop_paid_items(self):
        """Invoices paid since the preview are not reminded (one query); a customer
        left without any is excluded. Returns the lines still to send."""
        if not self:
            return self
        self.env.flush_all()
        paid = self.env["credit.dunning.item"].browse(
            [
                row[0]
                for row in self.env.execute_query(
                    SQL(
                        """
                SELECT i.id FROM credit_dunning_item i
                 WHERE i.line_id = ANY(%s)
                   AND NOT EXISTS (
                       SELECT 1 FROM account_move_line aml
                         JOIN account_account acc ON acc.id = aml.account_id
                        WHERE aml.move_id = i.move_id
                          AND acc.account_type = 'asset_receivable'
                          AND NOT aml.reconciled AND aml.amount_residual > 0)
                        """,
                        self.ids,
                    )
                )
            ]
        )
        if not paid:
            return self
        touched = paid.line_id
        paid.sudo().unlink()  # not history yet: the line was never sent
        emptied = touched.filtered(lambda line: not line.item_ids)
        emptied.write(
            {
                "state": "excluded",
                "note": self.env._("Paid since the preview: not reminded."),
            }
        )
        for line in touched - emptied:
            line.amount_due = sum(line.item_ids.mapped("amount_residual"))
        return self - emptied

    def _email_contacts(self):
        """``{line: partner}`` to write to: the customer's invoicing contact with an
        email, else the customer itself (one search for all lines)."""
        contacts = self.env["res.partner"].search(
            [
                ("parent_id", "in", self.partner_id.ids),
                ("type", "=", "invoice"),
                ("email", "!=", False),
            ],
            order="id",
        )
        by_parent = {}
        for contact in contacts:
            by_parent.setdefault(contact.parent_id.id, contact)
        result = {}
        for line in self:
            contact = by_parent.get(line.partner_id.id, line.partner_id)
            if contact.email:
                result[line] = contact
        return result

    def _send_emails(self):
        """Queue the emails: subjects and bodies rendered per template in one batch
        (each customer's language), posted on the line so that delivery and bounces
        are tracked; mails are queued, not sent in the request."""
        lines = self.filtered("send_email")
        if not lines:
            return
        contacts = lines._email_contacts()
        no_email = lines.filtered(lambda line: line not in contacts)
        for line in no_email:
            line.write(
                {
                    "send_email": False,
                    "send_letter": True,
                    "note": ((line.note or "") + "\n" if line.note else "")
                    + self.env._("No email address: a letter is sent instead."),
                }
            )
        lines -= no_email
        by_template = defaultdict(lambda: self.browse())
        for line in lines:
            by_template[line.level_id.mail_template_id] |= line
        report = self.env.ref(
            "credit_management.action_report_credit_dunning_statement"
        )
        for template, template_lines in by_template.items():
            values = template._generate_template(
                template_lines.ids, ["subject", "body_html", "email_from", "reply_to"]
            )
            for line in template_lines:
                attachment_ids = []
                attachments = []
                if line.level_id.attach_invoices:
                    invoices = line.item_ids.move_id
                    attachment_ids += invoices.invoice_pdf_report_id.ids
                    missing = invoices.filtered(lambda m: not m.invoice_pdf_report_id)
                    if missing:
                        attachments += self._render_attachment(
                            "account.account_invoices", missing, self.env._("Invoices")
                        )
                if line.level_id.attach_statement:
                    attachments += self._render_attachment(
                        report, line, self.env._("Statement")
                    )
                rendered = values[line.id]
                message = line.with_context(mail_notify_force_send=False).message_post(
                    body=rendered.get("body_html", ""),
                    subject=rendered.get("subject"),
                    email_from=rendered.get("email_from"),
                    reply_to=rendered.get("reply_to"),
                    partner_ids=contacts[line].ids,
                    attachment_ids=attachment_ids,
                    attachments=attachments,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                    email_layout_xmlid="mail.mail_notification_light",
                )
                line.mail_message_id = message

    def _render_attachment(self, report, records, name):
        """``[(file name, content)]`` of a report, or ``[]`` when the server cannot
        make PDFs (no wkhtmltopdf): the email then goes without it."""
        try:
            content, kind = (
                self.env["ir.actions.report"].sudo()._render(report, records.ids)
            )
        except UserError as error:
            _logger.info("Dunning email sent without %s: %s", name, error)
            return []
        return [(f"{name}.{kind}", content)]

    def _create_activities(self, calls):
        """Phone calls for the run's controller, in one ``create``."""
        call_type = self.env.ref("mail.mail_activity_data_call")
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": line.partner_id.id,
                "activity_type_id": call_type.id,
                "user_id": (line.run_id.responsible_id or self.env.user).id,
                "date_deadline": line.date,
                "summary": self.env._(
                    "Dunning call: %(level)s", level=line.level_id.name
                ),
                "note": self.env._(
                    "%(amount)s overdue, %(days)s days.",
                    amount=format_amount(self.env, line.amount_due, line.currency_id),
                    days=line.days_overdue,
                ),
            }
            for line in calls
        ]
        if vals_list:
            self.env["mail.activity"].sudo().create(vals_list)

    def _apply_final_level(self):
        """Final level: the customer on credit hold (a decision written in its
        chatter) and a follow-up activity for the controller."""
        finals = self.filtered("is_final")
        if not finals:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id("res.partner")
        for company, company_lines in finals.grouped("company_id").items():
            # the level, set by a credit manager, decides the hold: no manager right
            # is asked of the controller confirming the run
            company_lines.partner_id.sudo().with_company(company).write(
                {
                    "credit_hold": True,
                    "credit_hold_reason": self.env._(
                        "Final dunning level reached: handed over for collection."
                    ),
                }
            )
        self.env["mail.activity"].sudo().create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": line.partner_id.id,
                    "activity_type_id": todo.id,
                    "user_id": (line.run_id.responsible_id or self.env.user).id,
                    "date_deadline": line.date,
                    "summary": self.env._(
                        "Hand over to legal / collection agency: %(level)s",
                        level=line.level_id.name,
                    ),
                }
                for line in finals
            ]
        )
        finals._invoice_fees()

    def _invoice_fees(self):
        """Draft invoices of the fees (indemnity, interest) for policies that
        invoice them."""
        vals_list = []
        for line in self.filtered(lambda line: line.policy_id.invoice_fees):
            fee_lines = []
            for label, amount in (
                (self.env._("Fixed recovery indemnity"), line.indemnity_amount),
                (self.env._("Late-payment interest"), line.interest_amount),
            ):
                if amount:
                    fee_lines.append(
                        fields.Command.create(
                            {
                                "product_id": line.policy_id.fee_product_id.id,
                                "name": label,
                                "quantity": 1.0,
                                "price_unit": amount,
                                "tax_ids": [fields.Command.clear()],
                            }
                        )
                    )
            if fee_lines:
                vals_list.append(
                    {
                        "move_type": "out_invoice",
                        "partner_id": line.partner_id.id,
                        "company_id": line.company_id.id,
                        "invoice_origin": line.run_id.name,
                        "invoice_line_ids": fee_lines,
                    }
                )
        if vals_list:
            self.env["account.move"].sudo().create(vals_list)

    # ------------------------------------------------------------------ report helpers
    def _statement_items(self):
        """Open receivable items of the customer (statement)."""
        self.ensure_one()
        rows = self.env.execute_query(
            SQL(
                "SELECT aml.id %s AND p.commercial_partner_id = %s "
                "AND aml.company_id = %s ORDER BY aml.date_maturity, aml.id",
                OPEN_RECEIVABLES,
                self.partner_id.id,
                self.company_id.id,
            )
        )
        return self.env["account.move.line"].sudo().browse([row[0] for row in rows])

    def _letter_body(self):
        self.ensure_one()
        return (
            self.level_id.with_context(lang=self.partner_id.lang).letter_intro
            or Markup()
        )

    @api.model
    def _worklist_domain(self):
        return Domain("state", "=", "done") & (
            Domain("letter_state", "=", "to_print") | Domain("call_state", "=", "to_do")
        )
