# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_amount

from ..models.credit_dispute import OPEN_STATES

TREND_MONTHS = 12
TOP_CUSTOMERS = 5


class CreditDashboardTile(models.Model):
    """One tile of the credit manager's dashboard (a kanban view): a headline figure
    of the current company, a comparison, an optional 12-month graph or top list,
    and the report it opens. Tiles are data; the figures are computed when read, in
    a few aggregate queries, from the stored exposure and the monthly snapshots.

    A tile is a record with its own ``code``, a ``_tile_<code>`` method returning
    its values and an ``_action_<code>`` method returning the list it opens.
    """

    _name = "credit.dashboard.tile"
    _description = "Credit Dashboard Tile"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    value = fields.Char(compute="_compute_figures")
    comment = fields.Char(compute="_compute_figures")
    graph = fields.Text(compute="_compute_figures")
    graph_type = fields.Char(compute="_compute_figures")
    details = fields.Html(compute="_compute_figures", sanitize=False)
    alert = fields.Boolean(compute="_compute_figures")

    _code_uniq = models.UniqueIndex("(code)", "A dashboard tile code is unique.")

    @api.depends_context("company", "lang")
    def _compute_figures(self):
        shared = {}  # figures several tiles read, computed once
        for tile in self:
            values = dict.fromkeys(
                ("value", "comment", "graph", "graph_type", "details", "alert"), False
            )
            method = getattr(tile, f"_tile_{tile.code}", None)
            if method:
                values.update(method(shared))
            tile.update(values)

    def action_open(self):
        self.ensure_one()
        return getattr(self, f"_action_{self.code}")()

    # ------------------------------------------------------------------ helpers
    def _amount(self, amount):
        company = self.env.company
        return format_amount(self.env, amount, company.currency_id)

    def _kpi_history(self, shared):
        """Company KPIs of the last 12 months, newest first."""
        if "kpis" not in shared:
            kpis = (
                self.env["credit.kpi.snapshot"]
                .sudo()
                ._kpis(
                    self.env.company,
                    "company",
                    fields.Date.context_today(self),
                    TREND_MONTHS,
                )
            )
            shared["kpis"] = kpis.get(self.env.company.id, [])
        return shared["kpis"]

    def _line_graph(self, points, key):
        return json.dumps(
            [
                {
                    "values": [{"x": label, "y": round(y, 1)} for label, y in points],
                    "key": key,
                    "title": key,
                    "is_sample_data": not points,
                }
            ]
        )

    def _window_action(self, xmlid, **values):
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(values)
        return action

    # ------------------------------------------------------------------ tiles
    def _exposure_rows(self, shared):
        if "exposure" not in shared:
            shared["exposure"] = self.env["credit.exposure"]._read_group(
                [("company_id", "=", self.env.company.id)],
                aggregates=[
                    "exposure_total:sum", "overdue_amount:sum", "receivable_amount:sum"
                ],
            )[0]  # fmt: skip
        return shared["exposure"]

    def _tile_exposure(self, shared):
        total, __, __ = self._exposure_rows(shared)
        over = self.env["credit.exposure"].search_count(
            [("company_id", "=", self.env.company.id), ("over_limit", "=", True)]
        )
        return {
            "value": self._amount(total or 0.0),
            "comment": self.env._("1 customer over its limit")
            if over == 1
            else self.env._("%(count)s customers over their limit", count=over),
            "alert": bool(over),
        }

    def _action_exposure(self):
        return self._window_action("credit_management.credit_exposure_action")

    def _tile_overdue(self, shared):
        __, overdue, receivable = self._exposure_rows(shared)
        history = self._kpi_history(shared)
        points = [
            (fields.Date.to_string(figures["month"])[:7], figures["overdue"])
            for figures, __ in reversed(history)
        ]
        share = (overdue or 0.0) / receivable * 100 if receivable else 0.0
        return {
            "value": self._amount(overdue or 0.0),
            "comment": self.env._(
                "%(share)s %% of open receivables", share=round(share)
            ),
            "graph": self._line_graph(points, self.env._("Overdue")),
            "graph_type": "line",
            "alert": bool(overdue),
        }

    def _action_overdue(self):
        return self._window_action("credit_management.credit_overdue_report_action")

    def _tile_dso(self, shared):
        history = self._kpi_history(shared)
        if not history:
            return {"value": "-", "comment": self.env._("No receivables yet")}
        now = history[0][1]["dso_countback"]
        before = history[3][1]["dso_countback"] if len(history) > 3 else now
        points = [
            (fields.Date.to_string(figures["month"])[:7], kpis["dso_countback"])
            for figures, kpis in reversed(history)
        ]
        return {
            "value": self.env._("%(days)s days", days=round(now)),
            # best possible DSO is a standard-method figure: next to the countback
            # headline, the days beyond terms (standard - best) say the same
            # without mixing methods
            "comment": self.env._(
                "%(days)s days three months ago; %(beyond)s days beyond terms",
                days=round(before),
                beyond=round(history[0][1]["days_beyond_terms"]),
            ),
            "graph": self._line_graph(points, self.env._("DSO (Countback)")),
            "graph_type": "line",
            "alert": now > before,
        }

    def _action_dso(self):
        return self._window_action("credit_management.credit_dso_analysis_action")

    def _tile_risky(self, shared):
        rows = self.env["credit.exposure"].search(
            [("company_id", "=", self.env.company.id), ("overdue_amount", ">", 0)],
            order="overdue_amount desc, id",
            limit=TOP_CUSTOMERS,
        )
        lines = Markup("").join(
            Markup(
                '<tr><td class="text-truncate">%s</td>'
                '<td class="text-end text-nowrap">%s</td>'
                '<td class="text-end text-nowrap text-muted">%s</td></tr>'
            )
            % (
                row.partner_id.display_name,
                self._amount(row.overdue_amount),
                self.env._("%(days)s d", days=row.overdue_days),
            )
            for row in rows
        )
        return {
            "value": str(len(rows)),
            "comment": self.env._("customers with the largest overdue"),
            "details": Markup('<table class="table table-sm mb-0">%s</table>') % lines
            if rows
            else escape(""),
        }

    def _action_risky(self):
        return self._window_action(
            "credit_management.credit_exposure_action",
            context={"search_default_overdue": 1},
        )

    def _blocked_orders_domain(self):
        logs = self.env["credit.block.log"]._search(
            [("released", "=", False), ("order_id", "!=", False)]
        )
        return (
            Domain("company_id", "=", self.env.company.id)
            & Domain("state", "in", ("draft", "sent"))
            & (
                Domain("credit_blocked", "=", True)
                | Domain("id", "in", logs.subselect("order_id"))
            )
        )

    def _tile_blocked(self, shared):
        groups = self.env["sale.order"]._read_group(
            self._blocked_orders_domain(), aggregates=["__count", "amount_total:sum"]
        )
        count, amount = groups[0]
        return {
            "value": str(count),
            "comment": self.env._(
                "quotations for %(amount)s", amount=self._amount(amount or 0.0)
            ),
            "alert": bool(count),
        }

    def _action_blocked(self):
        orders = self.env["sale.order"].search(self._blocked_orders_domain())
        return self._window_action(
            "sale.action_quotations", domain=[("id", "in", orders.ids)], context={}
        )

    def _tile_disputes(self, shared):
        company = self.env.company
        today = fields.Date.context_today(self)
        groups = self.env["credit.dispute"]._read_group(
            [("company_id", "=", company.id), ("state", "in", OPEN_STATES)],
            aggregates=["__count", "amount_disputed:sum"],
        )
        count, amount = groups[0]
        late = self.env["credit.dispute"].search_count(
            [
                ("company_id", "=", company.id),
                ("state", "in", OPEN_STATES),
                ("date_deadline", "<", today),
            ]
        )
        return {
            "value": str(count),
            "comment": self.env._(
                "%(amount)s disputed; %(late)s past deadline",
                amount=self._amount(amount or 0.0),
                late=late,
            ),
            "alert": bool(late),
        }

    def _action_disputes(self):
        return self._window_action("credit_management.credit_dispute_action")

    def _reviews_due_domain(self):
        # company-dependent: the date of the current company
        return [
            ("credit_next_review_date", "<=", fields.Date.context_today(self)),
            ("parent_id", "=", False),
        ]

    def _tile_reviews(self, shared):
        due = self.env["res.partner"].search_count(self._reviews_due_domain())
        requests = self.env["credit.limit.request"].search_count(
            [("company_id", "=", self.env.company.id), ("state", "=", "submitted")]
        )
        return {
            "value": str(due),
            "comment": self.env._("1 limit request awaiting approval")
            if requests == 1
            else self.env._(
                "%(count)s limit requests awaiting approval", count=requests
            ),
            "alert": bool(due or requests),
        }

    def _action_reviews(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Reviews Due"),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": self._reviews_due_domain(),
            "context": {"create": False},
        }
