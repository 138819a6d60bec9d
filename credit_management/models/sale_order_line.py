# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models

# what changes the total of an order line
AMOUNT_FIELDS = frozenset(
    {
        "order_id",
        "product_id",
        "product_uom_qty",
        "product_uom_id",
        "price_unit",
        "technical_price_unit",
        "discount",
        "tax_ids",
        "display_type",
        "is_downpayment",
    }
)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # A confirmed order's lines written directly (RPC, import, another module)
    # change what the order adds to the exposure: the order checks the increase
    # (``sale.order._credit_watch``), as it does for lines written through it.

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        with orders.filtered(lambda o: o.state == "sale")._credit_watch():
            return super().create(vals_list)

    def write(self, vals):
        if not AMOUNT_FIELDS.intersection(vals):
            return super().write(vals)
        orders = self.order_id
        if vals.get("order_id"):
            orders |= self.env["sale.order"].browse(vals["order_id"])
        with orders.filtered(lambda o: o.state == "sale")._credit_watch():
            return super().write(vals)

    def unlink(self):
        orders = self.order_id.filtered(lambda o: o.state == "sale")
        with orders._credit_watch():
            return super().unlink()
