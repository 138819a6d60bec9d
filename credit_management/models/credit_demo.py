# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

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

    @api.model
    def _generate_disputes(self):
        """Disputes, promises to pay and a payment plan of the demo customers, played
        through the actions users trigger (``demo/credit_dispute_demo.xml``)."""
        ref = self.env.ref
        admin = ref("base.user_admin")
        salesman = ref("base.user_demo")
        today = fields.Date.context_today(self)
        Dispute = self.env["credit.dispute"].with_user(admin)
        if Dispute.search_count([]):
            return True

        def dispute(invoice, reason, days_ago, amount=None, **values):
            return Dispute.create(
                {
                    "partner_id": invoice.partner_id.id,
                    "reason_id": ref(f"credit_management.{reason}").id,
                    "date": today - timedelta(days=days_ago),
                    "line_ids": [
                        Command.create(
                            {
                                "move_id": invoice.id,
                                "amount": amount or invoice.amount_residual_signed,
                            }
                        )
                    ],
                    **values,
                }
            )

        def resolved(record, days_ago):
            record.write(
                {
                    "date_resolved": today - timedelta(days=days_ago),
                    "resolution_days": (
                        today - timedelta(days=days_ago) - record.date
                    ).days,
                }
            )

        # Menuiserie Lefèvre: four window frames damaged (400.00 of the invoice 5
        # days late), in progress, past its service level: escalated
        lefevre = dispute(
            ref("credit_management.invoice_lefevre_overdue_5"),
            "credit_dispute_reason_quality",
            25,
            amount=400.0,
            description="<p>Quatre cadres de fenêtre livrés rayés ; photos jointes "
            "par le client.</p>",
        )
        lefevre.with_user(salesman).action_start()
        # Transports Girard: the customer disputed a delivery on the portal
        girard = dispute(
            ref("credit_management.invoice_girard_2"),
            "credit_dispute_reason_delivery",
            3,
            source="portal",
            description="<p>La remorque n'a été livrée qu'au bout de trois semaines."
            "</p>",
        )
        girard._credit_notify_owner(
            ref("credit_management.partner_transports_girard_contact"),
            "La remorque n'a été livrée qu'au bout de trois semaines.",
        )
        # Fromagerie Rousseau: a price error settled by a credit note of 200.00
        invoice = ref("credit_management.invoice_rousseau_partial")
        rousseau = dispute(invoice, "credit_dispute_reason_price", 18, amount=200.0)
        credit_note = (
            self.env["account.move"]
            .with_user(admin)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "invoice_user_id": salesman.id,
                    "reversed_entry_id": invoice.id,
                    "invoice_date": today - timedelta(days=8),
                    "ref": "Remise de 5 % oubliée",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Remise commerciale oubliée",
                                "quantity": 1.0,
                                "price_unit": 200.0,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        credit_note.action_post()
        (credit_note.line_ids | invoice.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        ).reconcile()
        rousseau.with_user(salesman).action_resolve_credit_note()
        resolved(rousseau, 8)
        # Boulangerie Martin: an administrative dispute, rejected
        martin = dispute(
            ref("credit_management.invoice_martin_1"),
            "credit_dispute_reason_administrative",
            12,
            resolution_note="Le bon de commande signé porte bien cette adresse de "
            "facturation.",
        )
        martin.with_user(salesman).action_reject()
        resolved(martin, 9)
        Dispute._cron_escalate()

        Promise = self.env["credit.promise"].with_user(admin)
        # Imprimerie Bernard promised the invoice 75 days late by 10 days ago and
        # paid nothing: broken
        bernard_invoice = ref("credit_management.invoice_bernard_overdue_75")
        Promise.create(
            {
                "partner_id": bernard_invoice.partner_id.id,
                "invoice_ids": [Command.set(bernard_invoice.ids)],
                "amount": bernard_invoice.amount_residual,
                "date": today - timedelta(days=25),
                "date_promised": today - timedelta(days=10),
                "note": "M. Bernard : « virement la semaine prochaine ».",
            }
        )
        # Fromagerie Rousseau promised 2,000.00 and paid it 5 days ago: kept
        Promise.create(
            {
                "partner_id": invoice.partner_id.id,
                "amount": 2000.0,
                "date": today - timedelta(days=8),
                "date_promised": today - timedelta(days=2),
            }
        )
        # Transports Girard promises to pay its late invoice by the end of the month
        late = ref("credit_management.invoice_girard_overdue_20")
        Promise.create(
            {
                "partner_id": late.partner_id.id,
                "invoice_ids": [Command.set(late.ids)],
                "amount": late.amount_residual,
                "date": today,
                "date_promised": today + timedelta(days=12),
            }
        )
        Promise.search([("state", "=", "open")])._credit_update_state()

        # Hôtel du Lac: its invoice 120 days late in four monthly instalments,
        # the first one paid
        hotel_invoice = ref("credit_management.invoice_hotel_du_lac_overdue_120")
        plan = (
            self.env["credit.payment.plan"]
            .with_user(admin)
            .create(
                {
                    "partner_id": hotel_invoice.partner_id.id,
                    "invoice_ids": [Command.set(hotel_invoice.ids)],
                    "date_start": today - timedelta(days=20),
                    "instalment_count": 4,
                    "interest_rate": 3.0,
                    "note": "Échéancier accordé après la saison d'hiver ; toute "
                    "échéance impayée rend le solde exigible.",
                }
            )
        )
        plan.action_compute_instalments()
        plan.action_start()
        _register_payment(
            hotel_invoice,
            today - timedelta(days=19),
            amount=plan.line_ids[:1].amount_principal,
        )
        return True
