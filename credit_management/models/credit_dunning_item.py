# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditDunningItem(models.Model):
    """One invoice in a dunning line: the history of reminders per invoice.

    Stored and indexed for set-based reporting, for instance the highest level
    a customer reached in the last twelve months::

        env["credit.dunning.item"]._read_group(
            [("state", "=", "done"), ("date", ">=", since)],
            ["partner_id"], ["level_sequence:max"])

    or the amount collected within N days after each level (join ``move_id`` with
    its payments' dates).
    """

    _name = "credit.dunning.item"
    _description = "Dunned Invoice"
    _order = "date desc, id desc"
    _rec_name = "move_id"
    _check_company_auto = True

    line_id = fields.Many2one(
        "credit.dunning.line",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
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
    state = fields.Selection(
        [("draft", "To Send"), ("excluded", "Excluded"), ("done", "Sent")],
        required=True,
        index=True,
        readonly=True,
    )
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, index=True, readonly=True
    )
    move_id = fields.Many2one(
        "account.move", "Invoice", required=True, index=True, readonly=True,
        ondelete="cascade",
    )  # fmt: skip
    level_id = fields.Many2one(
        "credit.dunning.level", required=True, index=True, readonly=True
    )
    level_sequence = fields.Integer(
        related="level_id.sequence",
        store=True,
        index=True,
        string="Level Rank",
        aggregator="max",
    )
    previous_level_id = fields.Many2one("credit.dunning.level", readonly=True)
    date_maturity = fields.Date("Due Date", readonly=True)
    amount_residual = fields.Monetary("Amount Due", readonly=True)
    days_overdue = fields.Integer(readonly=True)
