# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .credit_validation import check_amounts


class CreditDunningLevel(models.Model):
    """One step of a dunning policy: when it is due, for which amounts, and the
    channels it uses (several at once are allowed)."""

    _name = "credit.dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        required=True, default=10, help="Levels are reached in this order."
    )
    policy_id = fields.Many2one(
        "credit.dunning.policy",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="policy_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    delay_days = fields.Integer(
        "Delay (days)",
        required=True,
        help="Days after the due date (negative: a courtesy reminder before it), or "
        "after the previous level was sent.",
    )
    delay_base = fields.Selection(
        [("due", "After Due Date"), ("previous", "After Previous Level")],
        "Delay From",
        required=True,
        default="due",
    )
    min_amount = fields.Monetary(
        "Minimum Amount",
        help="The level applies to a customer when its invoices due for this level "
        "amount to at least this much.",
    )
    channel_email = fields.Boolean("Email", default=True)
    channel_letter = fields.Boolean("Letter")
    channel_phone = fields.Boolean("Phone Call")
    mail_template_id = fields.Many2one(
        "mail.template",
        "Email Template",
        domain=[("model", "=", "credit.dunning.line")],
        default=lambda self: self.env.ref(
            "credit_management.mail_template_credit_dunning", raise_if_not_found=False
        ),
    )
    attach_invoices = fields.Boolean(
        default=True, help="Attach the invoice PDFs to the email."
    )
    attach_statement = fields.Boolean(
        help="Attach the customer's statement of all open items to the email.",
    )
    is_final = fields.Boolean(
        "Legal / Collection Agency",
        help="Final level: the customer is put on credit hold and a follow-up "
        "activity is created for the controller.",
    )
    letter_intro = fields.Html(
        "Letter Text",
        translate=True,
        sanitize_attributes=False,
        help="Opening paragraph of the letter and the email for this level.",
    )

    _policy_sequence_uniq = models.UniqueIndex(
        "(policy_id, sequence)", "Two levels of a policy cannot share a sequence."
    )

    @api.constrains("min_amount")
    def _check_min_amount(self):
        check_amounts(self, ["min_amount"])

    @api.constrains("channel_email", "channel_letter", "channel_phone", "delay_days")
    def _check_channels(self):
        for level in self:
            if not (level.channel_email or level.channel_letter or level.channel_phone):
                raise ValidationError(
                    self.env._(
                        "Dunning level %(level)s needs at least one channel.",
                        level=level.name,
                    )
                )
            if level.delay_days < 0 and level.delay_base != "due":
                raise ValidationError(
                    self.env._(
                        "Only a level counted from the due date can have a negative "
                        "delay (courtesy reminder): %(level)s.",
                        level=level.name,
                    )
                )
            if level.channel_email and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "Dunning level %(level)s sends emails: choose its template.",
                        level=level.name,
                    )
                )

    def _channels_label(self):
        self.ensure_one()
        labels = dict(
            email=self.env._("Email"),
            letter=self.env._("Letter"),
            phone=self.env._("Phone Call"),
        )
        return ", ".join(
            labels[channel]
            for channel in ("email", "letter", "phone")
            if self[f"channel_{channel}"]
        )
