# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.sale.tests.common import TestSaleCommon


class CreditCommon(TestSaleCommon):
    """Shared fixtures: a company with a chart of accounts, one user per credit group
    (plus a plain salesperson), a customer with a contact and a 1,000.00 limit, and
    helpers that create orders, invoices and payments the way users do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # side transactions (the block log) join the test transaction
        cls.registry_enter_test_mode_cls()
        cls.company = cls.env.company
        # the accountant running the tests' set-up also manages credit
        cls.env.user.group_ids += cls.env.ref("credit_management.group_credit_manager")
        cls.company.write(
            {
                "credit_limit_tolerance": 0.0,
                "credit_overdue_tolerance": 0.0,
                "credit_overdue_grace_days": 0,
                "credit_require_limit": False,
                "credit_include_draft_invoices": True,
            }
        )
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        user_values = {
            "company_id": cls.company.id,
            "company_ids": [Command.set(cls.company.ids)],
        }
        cls.salesman = new_test_user(
            cls.env,
            login="cm_salesman",
            groups="sales_team.group_sale_salesman",
            **user_values,
        )
        cls.controller = new_test_user(
            cls.env,
            login="cm_controller",
            groups="sales_team.group_sale_salesman,credit_management.group_credit_controller",
            **user_values,
        )
        cls.manager = new_test_user(
            cls.env,
            login="cm_manager",
            groups="sales_team.group_sale_salesman_all_leads,"
            "credit_management.group_credit_manager",
            **user_values,
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Dupont SARL",
                "is_company": True,
                "credit_limit": 1000.0,
                "user_id": cls.salesman.id,
            }
        )
        cls.contact = cls.env["res.partner"].create(
            {
                "name": "Jeanne Dupont",
                "parent_id": cls.customer.id,
                "type": "contact",
            }
        )
        cls.service = cls.env["product.product"].create(
            {
                "name": "Consulting day",
                "type": "service",
                "list_price": 100.0,
                "invoice_policy": "order",
                "taxes_id": [Command.clear()],
            }
        )
        cls.tax_20 = cls.env["account.tax"].create(
            {
                "name": "VAT 20%",
                "amount": 20.0,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.Exposure = cls.env["credit.exposure"]

    # ------------------------------------------------------------------ helpers
    @classmethod
    def _order(cls, partner, amount, user=None, taxes=None, currency=None, **values):
        vals = {
            "partner_id": partner.id,
            "user_id": (user or cls.salesman).id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.service.id,
                        "product_uom_qty": 1.0,
                        "price_unit": amount,
                        "tax_ids": [Command.set(taxes.ids if taxes else [])],
                    }
                )
            ],
            **values,
        }
        if currency:
            pricelist = cls.env["product.pricelist"].create(
                {"name": f"Pricelist {currency.name}", "currency_id": currency.id}
            )
            vals["pricelist_id"] = pricelist.id
        return cls.env["sale.order"].create(vals)

    @staticmethod
    def _invoice_values(partner, amount, invoice_date, due, **values):
        """Values of a customer invoice of one untaxed line of ``amount``."""
        return {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "invoice_date_due": due,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Service",
                        "quantity": 1.0,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
            **values,
        }

    @classmethod
    def _invoice(
        cls,
        partner,
        amount,
        due_in=30,
        post=True,
        move_type="out_invoice",
        company=None,
        currency=None,
    ):
        """A customer invoice of ``amount`` (no tax) due ``due_in`` days from today
        (negative: overdue)."""
        company = company or cls.company
        move = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                cls._invoice_values(
                    partner,
                    amount,
                    fields.Date.subtract(cls.today, days=max(-due_in, 0) + 1),
                    fields.Date.add(cls.today, days=due_in),
                    move_type=move_type,
                    currency_id=(currency or company.currency_id).id,
                )
            )
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoices, amount=None):
        wizard = (
            cls.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"amount": amount} if amount is not None else {})
        )
        return wizard._create_payments()

    @classmethod
    def _row(cls, partner, company=None):
        return cls.Exposure.search(
            [
                ("partner_id", "=", partner.commercial_partner_id.id),
                ("company_id", "=", (company or cls.company).id),
            ]
        )
