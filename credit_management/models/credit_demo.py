# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import api, fields, models


def _register_payment(invoices, date, amount=None):
    vals = {"payment_date": date}
    if amount is not None:
        vals["amount"] = amount
    return (
        invoices.env["account.payment.register"]
        .with_context(active_model="account.move", active_ids=invoices.ids)
        .create(vals)
        ._create_payments()
    )


class CreditDemo(models.AbstractModel):
    """Credit events of the demo data (payments, temporary limit, blocked and released
    orders), played through the wizards and methods users trigger. Called once by
    ``demo/credit_management_demo.xml`` when the module is installed."""

    _name = "credit.demo"
    _description = "Credit Management Demo Data"

    @api.model
    def _generate(self):
        ref = self.env.ref
        admin = ref("base.user_admin")
        salesman = ref("base.user_demo")
        today = fields.Date.context_today(self)

        # Fromagerie Rousseau: one invoice paid in full, one partially paid
        invoice = ref("credit_management.invoice_rousseau_paid")
        if invoice.payment_state == "not_paid":
            _register_payment(invoice, today - timedelta(days=28))
        invoice = ref("credit_management.invoice_rousseau_partial")
        if invoice.payment_state == "not_paid":
            _register_payment(invoice, today - timedelta(days=5), amount=2000.0)

        # Cave Dubois: a temporary limit for the harvest season, then the order it
        # allows (above the standing limit)
        cave = ref("credit_management.partner_cave_dubois")
        if not cave.credit_limit_temporary:
            self.env["res.partner.credit.limit.temporary"].with_user(admin).create(
                {
                    "partner_id": cave.id,
                    "amount": 20000.0,
                    "date_end": today + timedelta(days=45),
                    "reason": "Harvest season: equipment of the second wine "
                    "storehouse, paid when the harvest is sold.",
                }
            ).action_grant()
        order = ref("credit_management.sale_order_dubois")
        if order.state == "draft":
            order.with_user(admin).action_confirm()

        # Transports Girard: the customer accepted a quotation online while over its
        # limit and 20 days late: the order is put on credit hold, not confirmed
        order = ref("credit_management.sale_order_girard_blocked")
        if order.state == "draft" and not order.credit_blocked:
            order.with_user(salesman).with_context(
                credit_unattended=True
            ).action_confirm()

        # Electricite Petit: refused the same way (the credit managers get an activity);
        # the credit manager releases the order on a bank guarantee and confirms it
        order = ref("credit_management.sale_order_petit_released")
        if order.state == "draft" and not order.credit_release_amount:
            order.with_user(salesman).with_context(
                credit_unattended=True
            ).action_confirm()
            order.with_user(admin)._credit_release("Bank guarantee received")
            order.with_user(admin).action_confirm()
        return True

    @api.model
    def _generate_dunning(self):
        """Two dunning runs sent in the past (30 and 15 days ago) and today's run
        previewed: Imprimerie Bernard reaches the formal notice (third level)."""
        ref = self.env.ref
        if not ref("credit_management.credit_dunning_policy_standard", False):
            return True
        Run = self.env["credit.dunning.run"].with_user(ref("base.user_admin"))
        if Run.search_count([]):
            return True
        today = fields.Date.context_today(self)
        if self.env["res.lang"]._lang_get("fr_FR"):
            self.env["res.partner"].browse(
                [
                    ref(f"credit_management.{xmlid}").id
                    for xmlid in (
                        "partner_imprimerie_bernard",
                        "partner_transports_girard",
                        "partner_menuiserie_lefevre",
                    )
                ]
            ).write({"lang": "fr_FR"})
        for days in (30, 15):
            run = Run.create({"date": today - timedelta(days=days)})
            run.action_preview()
            if run.line_ids:
                run.action_confirm()
                run.line_ids.filtered("send_letter").letter_state = "printed"
                run.line_ids.filtered("make_call").action_call_done()
        Run.create({"date": today}).action_preview()
        return True
