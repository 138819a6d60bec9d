# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def reconcile(self):
        # EXTENDS account: partials, full reconciliation and exchange difference
        # moves refresh the customers' exposure once, at the end.
        with self.env["credit.exposure"]._deferred_refresh():
            return super().reconcile()
