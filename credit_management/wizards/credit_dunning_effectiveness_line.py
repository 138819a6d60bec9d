# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class CreditDunningEffectivenessLine(models.TransientModel):
    _name = "credit.dunning.effectiveness.line"
    _description = "Dunning Effectiveness Line"
    _order = "month desc, level_sequence, id"
    _rec_name = "level_id"

    wizard_id = fields.Many2one(
        "credit.dunning.effectiveness", required=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    month = fields.Date(readonly=True, help="First day of the month of sending.")
    level_id = fields.Many2one("credit.dunning.level", "Level", readonly=True)
    level_sequence = fields.Integer("Level Rank", readonly=True, aggregator=False)
    invoice_count = fields.Integer("Invoices Reminded", readonly=True)
    amount_reminded = fields.Monetary(readonly=True)
    amount_collected = fields.Monetary(
        readonly=True,
        help="Payments and credit notes matched with the reminded invoices within "
        "the days after the reminder (at most the amount reminded per invoice).",
    )
    collection_rate = fields.Float(
        "Collection Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Amount collected / amount reminded x 100.",
    )
