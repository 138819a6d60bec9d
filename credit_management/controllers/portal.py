# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.tools import plaintext2html

from odoo.addons.account.controllers.portal import PortalAccount

from ..models.credit_dispute import COMMENT_MAX_SIZE


class CreditDisputePortal(PortalAccount):
    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        if invoice.move_type == "out_invoice" and invoice.state == "posted":
            values["credit_dispute_reasons"] = (
                request.env["credit.dispute.reason"]
                .sudo()
                .search(
                    [("company_id", "in", (False, invoice.company_id.id))],
                )
            )
            values["credit_dispute_open"] = (
                invoice.credit_dispute_line_ids.dispute_id.filtered("is_open")[:1]
            )
            values["credit_dispute_message"] = kwargs.get("dispute")
        return values

    @http.route(
        "/my/invoices/<int:invoice_id>/dispute",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_credit_dispute(
        self, invoice_id, access_token=None, reason_id=None, comment="", **kw
    ):
        """The customer disputes the invoice from its portal page: a dispute is
        opened for the invoice's salesperson, who gets an activity (it lifts the
        overdue block only once a credit controller accepts it).

        Refused (``dispute=refused``, nothing recorded): an invoice that cannot be
        disputed or is already, a missing, archived or unknown reason or one of
        another company, an empty comment or one over ``COMMENT_MAX_SIZE``."""
        try:
            invoice = self._document_check_access(
                "account.move", invoice_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        url = invoice.get_portal_url()
        url += "&" if "?" in url else "?"
        try:
            reason_id = int(reason_id or 0)
        except (TypeError, ValueError):
            reason_id = 0
        reason = request.env["credit.dispute.reason"].sudo().browse(reason_id).exists()
        comment = comment if isinstance(comment, str) else ""
        if (
            invoice.move_type != "out_invoice"
            or invoice.state != "posted"
            or invoice.credit_disputed
            or not reason
            or not reason.active
            or (reason.company_id and reason.company_id != invoice.company_id)
            or not comment.strip()
            or len(comment) > COMMENT_MAX_SIZE
        ):
            return request.redirect(f"{url}dispute=refused")
        author = (
            request.env.user.partner_id
            if not request.env.user._is_public()
            else invoice.partner_id
        )
        dispute = (
            request.env["credit.dispute"]
            .sudo()
            .with_company(invoice.company_id)
            .create(
                {
                    "partner_id": invoice.commercial_partner_id.id,
                    "company_id": invoice.company_id.id,
                    "reason_id": reason.id,
                    "source": "portal",
                    "description": plaintext2html(comment),
                    "line_ids": [
                        Command.create(
                            {
                                "move_id": invoice.id,
                                "amount": invoice.amount_residual_signed
                                or invoice.amount_total_signed,
                            }
                        )
                    ],
                }
            )
        )
        dispute._credit_notify_owner(author, comment)
        return request.redirect(f"{url}dispute=sent")
