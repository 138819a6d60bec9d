# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Two real transactions on two connections: the committed data is cleaned up."""

# Committing is the point here: real concurrent transactions on separate connections.
# pylint: disable=invalid-commit

import threading

import psycopg2.errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestConcurrency(BaseCase):
    """Confirmations of one customer are serialized on its exposure row, not on the
    partner: two orders that only fit one at a time cannot both pass, while people
    editing the customer are never blocked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = get_db_name()

    def _cursor(self):
        cr = sql_db.db_connect(self.dbname).cursor()
        self.addCleanup(cr.close)
        return cr

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        cr = self._cursor()
        env = self._env(cr)
        product = env["product.product"].create(
            {"name": "Concurrency test", "type": "service", "taxes_id": False}
        )
        self.partner = env["res.partner"].create(
            {"name": "Concurrency SARL", "is_company": True, "credit_limit": 1000.0}
        )
        self.orders = env["sale.order"].create(
            [
                {
                    "partner_id": self.partner.id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "price_unit": 600.0,
                                "tax_ids": False,
                            },
                        )
                    ],
                }
                for __ in range(2)
            ]
        )
        env["credit.exposure"]._get_rows(self.partner, env.company)
        ids = (self.partner.id, self.orders.ids, product.id)
        cr.commit()
        self.addCleanup(self._cleanup, ids)

    def _cleanup(self, ids):
        partner_id, order_ids, product_id = ids
        with sql_db.db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            orders = env["sale.order"].browse(order_ids)
            orders.filtered(lambda o: o.state == "sale")._action_cancel()
            orders.unlink()
            env["credit.block.log"].search([("partner_id", "=", partner_id)]).unlink()
            env["product.product"].browse(product_id).unlink()
            env["res.partner"].browse(partner_id).unlink()

    def test_two_confirmations_cannot_both_pass(self):
        cr_a, cr_b = self._cursor(), self._cursor()
        env_a, env_b = self._env(cr_a), self._env(cr_b)
        env_a["sale.order"].browse(self.orders[0].id).action_confirm()  # holds the row
        outcome = {}

        @mute_logger("odoo.sql_db")
        def confirm_b():
            try:
                env_b["sale.order"].browse(self.orders[1].id).action_confirm()
                cr_b.commit()
                outcome["b"] = "confirmed"
            except (UserError, psycopg2.errors.SerializationFailure) as error:
                cr_b.rollback()
                outcome["b"] = type(error).__name__

        thread = threading.Thread(target=confirm_b)
        thread.start()
        thread.join(1.0)
        self.assertTrue(
            thread.is_alive(), "B must wait for A's lock on the exposure row"
        )
        # meanwhile, somebody edits the customer: not blocked by the confirmation
        cr_c = self._cursor()
        cr_c.execute("SET lock_timeout = '2s'")
        self._env(cr_c)["res.partner"].browse(self.partner.id).write(
            {"phone": "+33 1 02"}
        )
        cr_c.commit()
        cr_a.commit()
        thread.join(10)
        self.assertIn(outcome.get("b"), ("SerializationFailure", "UserError"))
        # Odoo retries a serialization failure: the retry sees A's order and refuses
        cr_retry = self._cursor()
        with self.assertRaisesRegex(UserError, "exceeds the credit limit"):
            self._env(cr_retry)["sale.order"].browse(self.orders[1].id).action_confirm()
        cr_retry.rollback()

    def test_posting_meanwhile_succeeds_with_a_retry(self):
        """An invoice posted for the same customer while a confirmation holds the row
        waits for it, then meets a serialization failure; retried the way Odoo retries
        a request (rollback, reset, again), it succeeds and the exposure is right."""
        cr_a = self._cursor()
        env_a = self._env(cr_a)
        env_a["sale.order"].browse(self.orders[0].id).action_confirm()
        cr_d = self._cursor()
        env_d = self._env(cr_d)
        done = {"tries": 0}

        def post():
            move = env_d["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner.id,
                    "invoice_line_ids": [
                        (0, 0, {"name": "x", "price_unit": 10.0, "tax_ids": False})
                    ],
                }
            )
            move.action_post()
            done["move"] = move.id

        @mute_logger("odoo.sql_db")
        def run():
            # what odoo.service.model.retrying does, without its registry reset (it
            # needs the registry lock, which Odoo's own test runner holds)
            for __ in range(5):
                done["tries"] += 1
                try:
                    post()
                    cr_d.commit()
                    return
                except psycopg2.errors.SerializationFailure:
                    cr_d.rollback()
                    env_d.invalidate_all(flush=False)
                except Exception as error:  # reported by the assertion below
                    cr_d.rollback()
                    done["error"] = repr(error)
                    return

        thread = threading.Thread(target=run)
        thread.start()
        thread.join(1.0)
        cr_a.commit()
        thread.join(60)
        self.assertFalse(thread.is_alive())
        self.assertFalse(done.get("error"))
        self.assertTrue(done.get("move"))
        self.assertGreaterEqual(done["tries"], 1)
        with sql_db.db_connect(self.dbname).cursor() as cr:
            env = self._env(cr)
            row = env["credit.exposure"].search(
                [
                    ("partner_id", "=", self.partner.id),
                    ("company_id", "=", env.company.id),
                ]
            )
            self.assertEqual(row.exposure_total, 610.0)
            move = env["account.move"].browse(done["move"])
            move.button_draft()
            move.unlink()
            cr.commit()
