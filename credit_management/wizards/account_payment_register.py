# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        # EXTENDS account: the payments are posted, then reconciled; the customers'
        # exposure is refreshed once, at the end.
        with self.env["credit.exposure"]._deferred_refresh():
            return super()._create_payments()
