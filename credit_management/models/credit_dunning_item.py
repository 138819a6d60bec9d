# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditDunningItem(models.Model):
    """One invoice in a dunning line: the history of reminders per invoice.

    Rows are written in bulk by the run and never edited by hand, so the table is
    lean (no log-access columns; customer, run and company come from the line):
    inserting them is most of the cost of a run. Set-based queries, e.g. the
    invoices reminded at each level since a date::

        env["credit.dunning.item"]._read_group(
            [("state", "=", "done"), ("date", ">=", since)],
            ["level_id"], ["move_id:count_distinct", "amount_residual:sum"])

    The customer-level history (highest level reached in the last twelve months)
    is on ``credit.dunning.line`` (``partner_id``, ``date``, ``level_sequence``).
    """

    _name = "credit.dunning.item"
    _description = "Dunned Invoice"
    _order = "date desc, id desc"
    _rec_name = "move_id"
    _log_access = False

    line_id = fields.Many2one(
        "credit.dunning.line",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    run_id = fields.Many2one(related="line_id.run_id")
    company_id = fields.Many2one(related="line_id.company_id")
    partner_id = fields.Many2one(related="line_id.partner_id", string="Customer")
    currency_id = fields.Many2one(related="line_id.currency_id")
    date = fields.Date(required=True, index=True, readonly=True)
    state = fields.Selection(
        [("draft", "To Send"), ("excluded", "Excluded"), ("done", "Sent")],
        required=True,
        readonly=True,
    )
    move_id = fields.Many2one(
        "account.move", "Invoice", required=True, index=True, readonly=True,
        ondelete="cascade",
    )  # fmt: skip
    level_id = fields.Many2one(
        "credit.dunning.level", required=True, readonly=True, ondelete="restrict"
    )
    level_sequence = fields.Integer(
        related="level_id.sequence", store=True, string="Level Rank", aggregator="max"
    )
    previous_level_id = fields.Many2one(
        "credit.dunning.level", readonly=True, ondelete="set null"
    )
    date_maturity = fields.Date("Due Date", readonly=True)
    amount_residual = fields.Monetary("Amount Due", readonly=True)
    days_overdue = fields.Integer(readonly=True)
