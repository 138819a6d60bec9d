# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

AGENCIES = [
    ("banque_de_france", "Banque de France"),
    ("coface", "Coface"),
    ("allianz_trade", "Allianz Trade"),
    ("atradius", "Atradius"),
    ("ellisphere", "Ellisphere"),
    ("altares", "Altares / Dun & Bradstreet"),
    ("creditsafe", "Creditsafe"),
    ("other", "Other"),
]


class CreditRating(models.Model):
    """A rating of a customer by an outside agency: shown beside the behaviour score
    and on the credit committee note; it does not enter the score, which is built
    from the company's own history only."""

    _name = "credit.rating"
    _description = "External Credit Rating"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        ondelete="cascade",
        domain=[("is_company", "=", True)],
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    agency = fields.Selection(AGENCIES, required=True)
    grade = fields.Char(
        required=True, help="The agency's grade, as published (3++, A2, 8/20...)."
    )
    rating_score = fields.Float(
        "Score", help="Numeric score when the agency gives one (e.g. 0-100)."
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    note = fields.Text()
