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

    # ------------------------------------------------------------------ risk scores
    @api.model
    def _generate_scores(self):
        """A year of paid history so that the customers spread over the risk classes
        for sensible reasons, a bounced cheque, insolvency proceedings, a credit
        insurance cover, segments, a limit request waiting for its second approval,
        then the scores (with a class drop) and last month's snapshot."""
        ref = self.env.ref
        if self.env["account.move"].search_count([("ref", "=like", "DEMO-SCORE-%")]):
            return True
        today = fields.Date.context_today(self)
        product = ref("product.product_product_4")
        # customer: [(due N days ago, paid D days after the due date, amount)]
        history = {
            "partner_boulangerie_martin": [(330, 0, 2800), (270, -3, 3100),
                                           (200, 0, 2600), (130, 0, 3300),
                                           (60, -1, 2900)],
            "partner_cave_dubois": [(320, 0, 4200), (150, 2, 3800)],
            "partner_fromagerie_rousseau": [(240, 2, 1800), (150, 0, 2100)],
            "partner_menuiserie_lefevre": [(300, 12, 3500), (220, 8, 2900),
                                           (140, 15, 4100), (75, 9, 3300)],
            "partner_electricite_petit": [(260, 20, 6000), (150, 25, 5200)],
            "partner_transports_girard": [(310, 15, 4000), (240, 22, 3600)],
            "partner_imprimerie_bernard": [(280, 35, 2500), (190, 50, 3100),
                                           (120, 60, 2700)],
            "partner_hotel_du_lac": [(330, 45, 1900), (250, 70, 2300)],
            "partner_garage_moreau": [(200, 10, 2500), (35, None, 3200)],
        }  # fmt: skip
        payments = {}
        for xmlid, items in history.items():
            partner = ref(f"credit_management.{xmlid}")
            for index, (due_days, late, amount) in enumerate(items):
                payments[xmlid, index] = self._score_invoice(
                    partner, f"{xmlid}-{index}", due_days, late, amount, product
                )
        # Hôtel du Lac: its last cheque bounced
        payments["partner_hotel_du_lac", 1].move_id._reverse_moves(
            [{"date": today - timedelta(days=160), "ref": "Chèque impayé"}],
            cancel=True,
        )
        Score = self.env["credit.score"].sudo()
        Score._refresh()
        # last month's snapshot, a little better than today for the late payers
        self.env["credit.score.snapshot"].sudo()._take(Score.search([]))
        snapshots = self.env["credit.score.snapshot"].sudo().search([])
        for snapshot in snapshots:
            snapshot.write(
                {
                    "date": (today.replace(day=1) - timedelta(days=1)).replace(day=1),
                    "score": min(snapshot.score + 6.0, 100.0)
                    if snapshot.risk_class in ("c", "d", "e")
                    else snapshot.score,
                }
            )
        # Transports Girard keeps paying later: its class drops (activity)
        girard = ref("credit_management.partner_transports_girard")
        late_history = [(170, 35, 3900), (100, 40, 4200)]
        for index, (due_days, late, amount) in enumerate(late_history):
            self._score_invoice(
                girard, f"girard-late-{index}", due_days, late, amount, product
            )
        # Garage Moreau: receivership opened last week
        moreau = ref("credit_management.partner_garage_moreau")
        moreau.write(
            {
                "credit_insolvency": True,
                "credit_insolvency_date": today - timedelta(days=6),
            }
        )
        self.env["credit.exposure"].sudo()._refresh()
        Score._refresh()
        self.env["credit.segment"]._assign()
        # a limit request above the second-approval amount, approved once
        request = ref("credit_management.credit_limit_request_petit")
        if request.state == "draft":
            request.action_submit()
            request.with_user(ref("base.user_admin")).action_approve()
        return True

    @api.model
    def _score_invoice(self, partner, key, due_days, late, amount, product):
        """A posted invoice due ``due_days`` ago, paid ``late`` days after its due
        date (``None``: unpaid). Returns the payment."""
        due = fields.Date.context_today(self) - timedelta(days=due_days)
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "ref": f"DEMO-SCORE-{key}",
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        if late is None:
            return self.env["account.payment"]
        return _register_payment(invoice, due + timedelta(days=late))

    # ------------------------------------------------------------------ reporting
    @api.model
    def _generate_reporting(self):
        """Twelve months of invoices paid with each customer's habits, so that the
        DSO trend and the overdue report tell a story: Marc Demo's customers pay
        about on time but Transports Girard slips; Mitchell Admin's pay later and
        Imprimerie Bernard gets worse month after month. Every history invoice
        is paid before today: the open situation of the demo is unchanged. The
        snapshots of the closed months are then taken."""
        ref = "Credit demo history"
        if self.env["account.move"].search_count([("ref", "=", ref)], limit=1):
            return True
        today = fields.Date.context_today(self)
        # customer xmlid, monthly amount, days late 12 months ago -> last month
        habits = [
            ("partner_boulangerie_martin", 2400.0, 0, 0),
            ("partner_menuiserie_lefevre", 3100.0, 8, 16),
            ("partner_transports_girard", 4200.0, 12, 35),
            ("partner_fromagerie_rousseau", 1800.0, 10, 8),
            ("partner_electricite_petit", 5200.0, 18, 22),
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
