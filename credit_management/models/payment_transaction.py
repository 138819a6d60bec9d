# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        # EXTENDS sale: an online payment has nobody to read a credit error; a refused
        # order goes on credit hold instead of breaking the payment's processing.
        return super(
            PaymentTransaction, self.with_context(credit_unattended=True)
        )._check_amount_and_confirm_order()
