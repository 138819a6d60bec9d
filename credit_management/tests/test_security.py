# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestSecurity(CreditCommon):
    def test_groups_imply_each_other(self):
        user_group = self.env.ref("credit_management.group_credit_user")
        controller = self.env.ref("credit_management.group_credit_controller")
        manager = self.env.ref("credit_management.group_credit_manager")
        self.assertIn(user_group, controller.implied_ids)
        self.assertIn(controller, manager.implied_ids)
        self.assertEqual(manager.privilege_id.category_id.name, "Credit Management")
        # salespeople are credit users: they see why an order is blocked
        self.assertTrue(self.salesman.has_group("credit_management.group_credit_user"))
        self.assertFalse(
            self.salesman.has_group("credit_management.group_credit_controller")
        )
        self.assertTrue(
            self.manager.has_group("credit_management.group_credit_controller")
        )

    def test_salesman_reads_but_cannot_write_credit_data(self):
        self._invoice(self.customer, 100.0)
        row = self._row(self.customer).with_user(self.salesman)
        self.assertEqual(row.exposure_total, 100.0)
        with self.assertRaises(AccessError):
            row.write({"exposure_total": 0.0})
        with self.assertRaises(AccessError):
            self.env["credit.exposure"].with_user(self.salesman).create(
                {"partner_id": self.customer.id, "company_id": self.company.id}
            )
        with self.assertRaises(AccessError):
            self.env["credit.block.log"].with_user(self.salesman).create(
                {"company_id": self.company.id, "reason": "limit"}
            )

    def test_only_managers_change_limits_and_holds(self):
        for user in (self.salesman, self.controller):
            partner = self.customer.with_user(user)
            for vals in (
                {"credit_limit": 99999.0},
                {"credit_hold": True},
                {"credit_custom_tolerance": True},
            ):
                with self.assertRaises(AccessError):
                    partner.write(vals)
        self.customer.with_user(self.manager).write({"credit_hold": True})
        self.assertTrue(self.customer.credit_hold)
        with self.assertRaises(AccessError):  # lifting a hold is a manager's decision
            self.customer.with_user(self.salesman).write({"credit_hold": False})
        self.customer.with_user(self.manager).write({"credit_hold": False})

    def test_temporary_limit_wizard_is_for_managers(self):
        with self.assertRaises(AccessError):
            self.env["res.partner.credit.limit.temporary"].with_user(
                self.controller
            ).create(
                {
                    "partner_id": self.customer.id,
                    "amount": 1.0,
                    "reason": "x",
                    "date_end": self.today,
                }
            )

    def test_multi_company_rules(self):
        company_b = self.setup_other_company(name="Filiale B")["company"]
        self._invoice(self.customer, 400.0, company=company_b)
        self._invoice(self.customer, 100.0)
        rows = (
            self.env["credit.exposure"]
            .with_user(self.manager)
            .search([("partner_id", "=", self.customer.id)])
        )
        self.assertEqual(rows.company_id, self.company)
        self.manager.company_ids = [Command.link(company_b.id)]
        rows = (
            self.env["credit.exposure"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=[self.company.id, company_b.id])
            .search([("partner_id", "=", self.customer.id)])
        )
        self.assertEqual(len(rows), 2)

    def test_user_without_credit_group_sees_no_credit_field(self):
        user = self._create_new_internal_user(login="cm_plain_user")
        with self.assertRaises(AccessError):
            self.env["credit.exposure"].with_user(user).search([])
        with self.assertRaises(AccessError):
            self.customer.with_user(user).read(["credit_exposure_total"])

    def test_hold_changes_are_tracked_in_chatter(self):
        self.customer.with_user(self.manager).write(
            {"credit_hold": True, "credit_hold_reason": "Cheque returned"}
        )
        self.assertIn("Credit hold set", self.customer.message_ids[0].body)
        self.assertIn("Cheque returned", self.customer.message_ids[0].body)
        self.customer.with_user(self.manager).credit_hold = False
        self.assertIn("Credit hold lifted", self.customer.message_ids[0].body)
