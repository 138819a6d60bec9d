# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models


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

    # ------------------------------------------------------------------ reporting
    @api.model
    def _generate_reporting(self):
        """Twelve months of invoices paid with each customer's habits, so that the
        DSO trend and the overdue report tell a story: Marc Demo's customers pay
        about on time and Transports Girard improves; Mitchell Admin's pay later
        and Imprimerie Bernard gets worse month after month. Every history invoice
        is paid before today: the open situation of the demo is unchanged. The
        snapshots of the closed months are then taken."""
        ref = "Credit demo history"
        if self.env["account.move"].search_count([("ref", "=", ref)], limit=1):
            return True
        today = fields.Date.context_today(self)
        # customer xmlid, monthly amount, days late 12 months ago -> last month
        habits = [
            ("partner_boulangerie_martin", 2400.0, 0, 0),
            ("partner_menuiserie_lefevre", 3100.0, 5, 5),
            ("partner_transports_girard", 4200.0, 40, 12),
            ("partner_fromagerie_rousseau", 1800.0, 10, 8),
            ("partner_electricite_petit", 5200.0, 0, 2),
            ("partner_imprimerie_bernard", 3600.0, 20, 60),
            ("partner_cave_dubois", 2700.0, 15, 18),
            ("partner_atelier_fournier", 2200.0, 25, 10),
        ]
        first_month = today.replace(day=1) - relativedelta(months=13)
        for xmlid, amount, late_first, late_last in habits:
            partner = self.env.ref(f"credit_management.{xmlid}")
            for index in range(12):
                invoice_date = first_month + relativedelta(months=index, day=5)
                due = invoice_date + timedelta(days=30)
                late = late_first + (late_last - late_first) * index / 11
                paid_on = min(due + timedelta(days=round(late)), today - timedelta(3))
                invoice = self.env["account.move"].create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": partner.id,
                        "ref": ref,
                        "invoice_date": invoice_date,
                        "invoice_date_due": due,
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "name": "Prestations du mois",
                                    "quantity": 1.0,
                                    "price_unit": amount * (1 + (index % 4) / 10),
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                )
                invoice.action_post()
                _register_payment(invoice, paid_on)
        self.env["credit.kpi.snapshot"]._cron_take_snapshots()
        return True
