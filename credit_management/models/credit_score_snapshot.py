# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.tools import SQL

from .credit_score import RISK_CLASSES


class CreditScoreSnapshot(models.Model):
    """Monthly copy of the scores: the trend of a customer and of the portfolio.
    The first computation of a month is that month's snapshot."""

    _name = "credit.score.snapshot"
    _description = "Credit Score Snapshot"
    _order = "date desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, ondelete="cascade"
    )
    date = fields.Date("Month", required=True, readonly=True)
    score = fields.Float(readonly=True, digits=(5, 1), aggregator="avg")
    risk_class = fields.Selection(RISK_CLASSES, readonly=True)
    factor_data = fields.Json(readonly=True)

    _partner_company_date_uniq = models.UniqueIndex(
        "(partner_id, company_id, date)", "One snapshot per customer and month."
    )

    @api.model
    def _take(self, scores):
        """Copy ``scores`` (``credit.score`` rows) as this month's snapshot, unless
        the month has one already: one statement."""
        if not scores:
            return
        month = fields.Date.context_today(self).replace(day=1)
        self.env.execute_query(
            SQL(
                """
            INSERT INTO credit_score_snapshot (
                partner_id, company_id, date, score, risk_class, factor_data,
                create_uid, create_date, write_uid, write_date)
            SELECT partner_id, company_id, %(month)s, score, risk_class, factor_data,
                   %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM credit_score WHERE id IN %(ids)s
            ON CONFLICT (partner_id, company_id, date) DO NOTHING
                """,
                month=month,
                uid=self.env.uid,
                ids=tuple(scores.ids),
            )
        )
        self.invalidate_model()
