# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import contextlib
from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError
from odoo.tools import SQL, format_amount
from odoo.tools.float_utils import float_compare

CREDIT_USER = "credit_management.group_credit_user"

# The customer's settings the rule reads, company-dependent on ``res.partner`` (the
# values users edit): each row keeps a copy of its customer's values in its company,
# written with the figures and again when the customer's settings change, so that the
# confirmation check reads one row and nothing of ``res_partner``.
SETTINGS = [
    "credit_hold", "credit_hold_reason", "credit_custom_tolerance",
    "credit_limit_tolerance", "credit_overdue_tolerance", "credit_overdue_grace_days",
    # segment (tolerances, maximum limit) and credit insurance cap
    "credit_segment_id", "credit_insured_amount", "credit_insurance_expiry",
    "credit_insurance_cap",
]  # fmt: skip
# the customer's block tolerances, named alike on its row, its segment and the company
TOLERANCES = (
    "credit_limit_tolerance", "credit_overdue_tolerance", "credit_overdue_grace_days",
)  # fmt: skip
# columns of a row read together by the locking read of the confirmation check
ROW_FIELDS = [
    "partner_id", "company_id", "receivable_amount", "overdue_amount",
    "oldest_overdue_date", "next_due_date", "draft_invoice_amount", "order_amount",
    "exposure_total", "credit_limit", "available_credit", "over_limit", "refreshed_on",
    *SETTINGS,
]  # fmt: skip
# what ``_get_rows`` returns of a row: its id, then ``ROW_FIELDS``
ROW_COLUMNS = SQL(", ").join(
    [SQL("e.id"), *(SQL.identifier("e", name) for name in ROW_FIELDS)]
)

# key of the refreshes collected by ``_deferred_refresh`` in the cursor's cache
DEFERRED = "credit_management.deferred_refresh"

# The customer's open items, aliased aml (line) and p (its partner): one definition for
# the stored exposure and for the overdue test with grace days.
OPEN_RECEIVABLES = SQL(
    """FROM account_move_line aml
       JOIN res_partner p ON p.id = aml.partner_id
       JOIN account_account acc ON acc.id = aml.account_id
      WHERE acc.account_type = 'asset_receivable'
        AND aml.parent_state = 'posted'
        AND NOT aml.reconciled"""
)


def _derived(total, limit):
    """The figures a row derives from its exposure ``total`` and its ``limit``
    (``SQL`` expressions), by column: one definition for every statement that
    computes or changes rows."""
    return {
        "exposure_total": total,
        "available_credit": SQL("%s - %s", limit, total),
        "over_limit": SQL("%s > 0 AND %s > %s", limit, total, limit),
    }


def _set_derived(total):
    """``SET`` assignments of the derived figures of rows ``e`` whose exposure
    becomes ``total``."""
    return SQL(", ").join(
        SQL("%s = %s", SQL.identifier(column), value)
        for column, value in _derived(total, SQL("e.credit_limit")).items()
    )


# rows ``e`` to which amounts ``v.amount`` are added (orders confirmed or cancelled)
ADD_AMOUNT = _set_derived(SQL("(e.exposure_total + v.amount)"))

# ``_get_rows`` adding one order to its customer's row in its company (parameters:
# uid, amount, commercial partner id, company id): the statement of every
# confirmation, its text composed once
ADD_ONE = f"""
    UPDATE credit_exposure e
       SET order_amount = e.order_amount + v.amount, {ADD_AMOUNT.code},
           write_uid = %s, write_date = now() at time zone 'UTC'
      FROM (VALUES (%s::numeric)) v(amount)
     WHERE e.partner_id = %s AND e.company_id = %s
 RETURNING {ROW_COLUMNS.code}, ARRAY[e.partner_id]"""


def _put_in_cache(records, field, values):
    """Put ``values`` (one per record, as read from the database) in the cache of
    ``field``, replacing what it holds: for values a statement just returned, after
    a flush (``_insert_cache`` keeps cached values, and invalidating first costs
    more than the statement's own Python work)."""
    field._get_cache(records.env).update(zip(records._ids, values, strict=True))


class CreditExposure(models.Model):
    """Credit exposure of one commercial partner in one company, in company currency.

    The figures live in this table, not on ``res_partner``: updating the partner row on
    every invoice and payment caused write contention and serialization failures with
    people editing customers (the OCA stored them on the partner once and withdrew it).
    Rows are maintained set-based by :meth:`_refresh` for the partners an event touches,
    and every morning for the rows whose open items became overdue (``next_due_date``).
    """

    _name = "credit.exposure"
    _description = "Credit Exposure"
    _order = "exposure_total desc, id"
    _rec_name = "partner_id"

    # ------------------------------------------------------------------ fields
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    receivable_amount = fields.Monetary(
        "Open Receivables",
        readonly=True,
        help="Unreconciled residual of posted receivable items, credit notes and "
        "unreconciled payments deducted.",
    )
    overdue_amount = fields.Monetary(
        "Overdue",
        readonly=True,
        help="Open receivables whose due date is before today (never negative), "
        "less the disputed amounts of open disputes when the company leaves them "
        "out of the block.",
    )
    oldest_overdue_date = fields.Date(
        "Oldest Overdue Due Date",
        readonly=True,
        help="Due date of the oldest open item past due.",
    )
    next_due_date = fields.Date(
        readonly=True,
        index="btree_not_null",
        help="Earliest due date of an open item not yet overdue: the day this row's "
        "overdue figures change with the calendar.",
    )
    draft_invoice_amount = fields.Monetary(
        "Draft Invoices",
        readonly=True,
        help="Draft customer invoices minus draft credit notes (when the company "
        "counts draft invoices).",
    )
    order_amount = fields.Monetary(
        "Orders Not Invoiced",
        readonly=True,
        help="Confirmed sale orders not yet invoiced, taxes included, converted at the "
        "company rate of the day.",
    )
    exposure_total = fields.Monetary("Exposure", readonly=True)
    credit_limit = fields.Monetary(
        readonly=True,
        help="Limit in force: a temporary limit while it runs, else the "
        "customer's credit limit.",
    )
    available_credit = fields.Monetary(readonly=True)
    over_limit = fields.Boolean(readonly=True, index=True)
    refreshed_on = fields.Date("Computed On", readonly=True)
    # copies of the customer's settings in the row's company (``SETTINGS``)
    credit_hold = fields.Boolean(readonly=True, groups=CREDIT_USER)
    credit_hold_reason = fields.Char(readonly=True, groups=CREDIT_USER)
    credit_custom_tolerance = fields.Boolean(
        "Own Tolerances", readonly=True, groups=CREDIT_USER
    )
    credit_limit_tolerance = fields.Float(
        "Limit Tolerance (%)", readonly=True, groups=CREDIT_USER
    )
    credit_overdue_tolerance = fields.Float(
        "Overdue Tolerance", readonly=True, groups=CREDIT_USER
    )
    credit_overdue_grace_days = fields.Integer(
        "Overdue Grace Days", readonly=True, groups=CREDIT_USER
    )
    credit_segment_id = fields.Many2one(
        "credit.segment",
        "Credit Segment",
        readonly=True,
        ondelete="set null",
        groups=CREDIT_USER,
    )
    credit_insured_amount = fields.Float(
        "Insured Amount", readonly=True, groups=CREDIT_USER
    )
    credit_insurance_expiry = fields.Date(
        "Cover Until", readonly=True, groups=CREDIT_USER
    )
    credit_insurance_cap = fields.Boolean(
        "Cap Limit at Cover", readonly=True, groups=CREDIT_USER
    )
    overdue_days = fields.Integer(
        "Oldest Overdue (days)",
        compute="_compute_overdue_days",
        help="Age in days of the oldest overdue item, counted from its due date.",
    )

    _partner_company_uniq = models.UniqueIndex(
        "(partner_id, company_id)", "A customer has one exposure row per company."
    )

    def init(self):
        # Every confirmation, posting and payment updates a row: room left on each
        # page lets PostgreSQL update it in place (a HOT update: no index entry
        # written, no bloat for the vacuum) as long as no indexed column changes.
        self.env.cr.execute(
            SQL("ALTER TABLE %s SET (fillfactor = 80)", SQL.identifier(self._table))
        )

    # ------------------------------------------------------------------ computes
    @api.depends("oldest_overdue_date")
    def _compute_overdue_days(self):
        today = fields.Date.context_today(self)
        for row in self:
            row.overdue_days = (
                (today - row.oldest_overdue_date).days if row.oldest_overdue_date else 0
            )

    # ------------------------------------------------------------------ business
    @api.model
    def _refresh(self, partners=None, companies=None, store=True):
        """Recompute exposure rows, set-based, independent of the user's companies.

        :param partners: ``res.partner`` records (any contact: their commercial partner
            is refreshed), or ``None`` for all customers.
        :param companies: ``res.company`` records to restrict to, or ``None`` for all.
        :param store: ``False`` computes the rows in memory without writing them.
        :return: the refreshed ``credit.exposure`` rows.
        """
        if partners is not None:
            partners = partners.commercial_partner_id
            if not partners:
                return self.browse()
        self.env.flush_all()
        today = fields.Date.context_today(self)
        partner_ids = tuple(partners.ids) if partners is not None else None
        company_ids = tuple(companies.ids) if companies else None

        def where(alias_partner, alias_company):
            clauses = [SQL("TRUE")]
            if partner_ids is not None:
                clauses.append(
                    SQL("%s IN %s", SQL.identifier(*alias_partner), partner_ids)
                )
            if company_ids is not None:
                clauses.append(
                    SQL("%s IN %s", SQL.identifier(*alias_company), company_ids)
                )
            return SQL(" AND ").join(clauses)

        figures = defaultdict(lambda: defaultdict(float))
        dates = {}
        # One query, four aggregates (UNION ALL, tagged by their first column):
        # r. posted receivables: the unreconciled receivable lines;
        # d. draft invoices, for the companies that count them;
        # o. confirmed orders not invoiced yet (quantities on draft invoices count as
        #    invoiced: those amounts are in the draft invoice figure when counted);
        # x. below.
        drafts = SQL()
        if companies is None or companies.sudo().filtered(
            "credit_include_draft_invoices"
        ):
            drafts = SQL(
                """
            UNION ALL
            SELECT 'd', m.commercial_partner_id, m.company_id, NULL::int,
                   SUM(m.amount_total_signed), NULL::numeric, NULL::date, NULL::date
              FROM account_move m
              JOIN res_company c ON c.id = m.company_id
             WHERE m.state = 'draft' AND m.move_type IN ('out_invoice', 'out_refund')
               AND c.credit_include_draft_invoices
               AND %(where)s
             GROUP BY 2, 3""",
                where=where(("m", "commercial_partner_id"), ("m", "company_id")),
            )
        disputes = self._disputed_overdue_branch(
            companies,
            today,
            where(("p", "commercial_partner_id"), ("aml", "company_id")),
            partner_ids,
        )
        # For the few customers of an event, PostgreSQL would plan the four branches
        # in parallel workers, whose start costs far more than the query: not here.
        serial = SQL(
            "SET LOCAL max_parallel_workers_per_gather = 0;"
            if partner_ids is not None and len(partner_ids) <= 100
            else ""
        )
        to_convert = []
        disputed_rows = []
        for (
            kind,
            pid,
            cid,
            currency_id,
            amount,
            overdue,
            oldest,
            next_due,
        ) in self.env.execute_query(
            SQL(
                """%(serial)s
            SELECT 'r', p.commercial_partner_id, aml.company_id, NULL::int,
                   SUM(aml.amount_residual),
                   SUM(aml.amount_residual) FILTER (
                       WHERE aml.date_maturity < %(today)s OR aml.amount_residual < 0),
                   MIN(aml.date_maturity) FILTER (
                       WHERE aml.date_maturity < %(today)s AND aml.amount_residual > 0),
                   MIN(aml.date_maturity) FILTER (
                       WHERE aml.date_maturity >= %(today)s AND aml.amount_residual > 0)
              %(open_receivables)s
               AND %(where_aml)s
             GROUP BY 2, 3
            %(drafts)s
            %(disputes)s
            UNION ALL
            SELECT 'o', o.partner_id, o.company_id, o.currency_id,
                   SUM(GREATEST(o.amount, 0)),
                   NULL::numeric, NULL::date, NULL::date
              FROM (SELECT so.credit_partner_id AS partner_id, so.company_id,
                           so.currency_id,
                           SUM(sol.price_total
                               * GREATEST(sol.product_uom_qty - sol.qty_invoiced, 0)
                               / sol.product_uom_qty) AS amount
                      FROM sale_order_line sol
                      JOIN sale_order so ON so.id = sol.order_id
                     WHERE so.state = 'sale' AND sol.display_type IS NULL
                       AND sol.product_uom_qty > 0 AND sol.is_downpayment IS NOT TRUE
                       AND %(where_so)s
                     GROUP BY so.id) o
             GROUP BY 2, 3, 4
            """,
                today=today,
                open_receivables=OPEN_RECEIVABLES,
                where_aml=where(("p", "commercial_partner_id"), ("aml", "company_id")),
                drafts=drafts,
                disputes=disputes,
                where_so=where(("so", "credit_partner_id"), ("so", "company_id")),
                serial=serial,
            )
        ):
            if kind == "r":
                figures[pid, cid]["receivable"] = amount or 0.0
                figures[pid, cid]["overdue"] = max(overdue or 0.0, 0.0)
                dates[pid, cid] = (oldest, next_due)
            elif kind == "d":
                figures[pid, cid]["draft"] = amount or 0.0
            elif kind == "x":
                disputed_rows.append(((pid, cid), amount or 0.0))
            else:
                to_convert.append((pid, cid, currency_id, amount or 0.0))
        for key, disputed in disputed_rows:
            if key in figures:
                figures[key]["overdue"] = max(figures[key]["overdue"] - disputed, 0.0)
        if to_convert:
            company_recs = self.env["res.company"].browse({r[1] for r in to_convert})
            currencies = self.env["res.currency"].browse({r[2] for r in to_convert})
            rates = {
                (company.id, currency.id): currency._get_conversion_rate(
                    currency, company.currency_id, company, today
                )
                for company in company_recs
                for currency in currencies
            }
            for pid, cid, currency_id, amount in to_convert:
                figures[pid, cid]["orders"] += amount * rates[cid, currency_id]
        # the setting goes back to its default with the next statement
        reset = SQL(
            "SET LOCAL max_parallel_workers_per_gather TO DEFAULT;"
            if serial.code
            else ""
        )
        return self._write_rows(
            figures, dates, partner_ids, company_ids, today, store=store, reset=reset
        )

    @api.model
    def _disputed_overdue_branch(self, companies, today, where, partner_ids=None):
        """Branch ``x`` of the refresh query: the disputed part of overdue items of
        open disputes, which is not overdue for the block in the companies that say
        so (an empty ``SQL`` where none of ``companies`` does, or where none of the
        customers ``partner_ids`` has an open dispute: planning the branch costs more
        than the indexed search that leaves it out)."""
        if companies is not None and not companies.sudo().filtered(
            "credit_dispute_exclude_overdue"
        ):
            return SQL()
        if partner_ids is not None and not self.env["credit.dispute"]._credit_any_open(
            partner_ids
        ):
            return SQL()
        return SQL(
            """
            UNION ALL
            SELECT 'x', x.partner_id, x.company_id, NULL::int, x.amount,
                   NULL::numeric, NULL::date, NULL::date
              FROM (%s) x""",
            self.env["credit.dispute"]._credit_disputed_overdue_sql(today, where),
        )

    def _write_rows(
        self, figures, dates, partner_ids, company_ids, today, store=True, reset=None
    ):
        """Upsert the rows in one statement and zero the rows of partners in scope that
        no longer have any figure; the limit in force is read from the partner's
        company-dependent values in the same statement. ``reset`` (``SQL``) is run
        first, in the same round trip."""
        reset = reset or SQL()
        keys = list(figures)
        if partner_ids is not None:
            # partners in scope without any figure still get (or keep) a zeroed row,
            # so that the block can lock it
            companies = company_ids or tuple(
                self.env["res.company"].sudo().search([]).ids
            )
            keys += [
                (pid, cid)
                for pid in partner_ids
                for cid in companies
                if (pid, cid) not in figures
            ]
        else:
            # all partners: every customer that ever had a receivable or an order in
            # a company gets its row (zeroed when it has no figure), as the events
            # would have made it, so that confirming its next order creates nothing
            company_filter = (
                SQL("AND company_id IN %s", company_ids) if company_ids else SQL()
            )
            keys += [
                (pid, cid)
                for pid, cid in self.env.execute_query(
                    SQL(
                        """
                        SELECT partner_id, company_id FROM credit_exposure
                         WHERE TRUE %(filter)s
                        UNION
                        SELECT DISTINCT p.commercial_partner_id, aml.company_id
                          FROM account_move_line aml
                          JOIN account_account acc ON acc.id = aml.account_id
                          JOIN res_partner p ON p.id = aml.partner_id
                         WHERE acc.account_type = 'asset_receivable'
                           AND aml.parent_state = 'posted' %(aml_filter)s
                        UNION
                        SELECT DISTINCT so.credit_partner_id, so.company_id
                          FROM sale_order so
                         WHERE so.state = 'sale' %(so_filter)s
                        """,
                        filter=company_filter,
                        aml_filter=SQL("AND aml.company_id IN %s", company_ids)
                        if company_ids
                        else SQL(),
                        so_filter=SQL("AND so.company_id IN %s", company_ids)
                        if company_ids
                        else SQL(),
                    )
                )
                if (pid, cid) not in figures
            ]
        if not keys:
            if reset.code:
                self.env.execute_query(reset)
            return self.browse()
        partner_model = self.env["res.partner"].sudo()
        field = partner_model._fields["credit_limit"]
        default_limits = {
            company.id: field.get_company_dependent_fallback(
                partner_model.with_company(company)
            )
            or 0.0
            for company in self.env["res.company"].browse({key[1] for key in keys})
        }
        values = []
        for key in keys:
            fig = figures.get(key, {})
            oldest, next_due = dates.get(key, (None, None))
            values.append(
                SQL(
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    key[0],
                    key[1],
                    default_limits[key[1]],
                    round(fig.get("receivable", 0.0), 6),
                    round(fig.get("overdue", 0.0), 6),
                    oldest,
                    next_due,
                    round(fig.get("draft", 0.0), 6),
                    round(fig.get("orders", 0.0), 6),
                )
            )
        lim = SQL(
            """
            WITH v(partner_id, company_id, default_limit, receivable, overdue, oldest,
                   next_due, draft, orders) AS (VALUES %(values)s),
            lim AS (
                SELECT v.*, v.receivable + v.draft + v.orders AS total,
                       CASE WHEN p.credit_limit_temporary_expiry IS NOT NULL
                             AND (p.credit_limit_temporary_expiry
                                  ->> v.company_id::text)
                                 ::date >= %(today)s
                            THEN COALESCE((p.credit_limit_temporary
                                           ->> v.company_id::text)::numeric, 0)
                            ELSE COALESCE(
                                (p.credit_limit ->> v.company_id::text)::numeric,
                                v.default_limit)
                       END AS credit_limit,
                       %(settings)s
                  FROM v JOIN res_partner p ON p.id = v.partner_id
            )
            """,
            values=SQL(", ").join(values),
            today=today,
            # the customer's settings in the row's company, as ``res.partner``
            # stores them (one JSON object per field, by company id)
            settings=SQL(", ").join(
                SQL(
                    "(p.%s ->> v.company_id::text)::%s AS %s",
                    SQL.identifier(name),
                    SQL(self._fields[name].column_type[1]),
                    SQL.identifier(name),
                )
                for name in SETTINGS
            ),
        )
        settings = SQL(", ").join(SQL.identifier(name) for name in SETTINGS)
        derived = _derived(SQL("total"), SQL("credit_limit"))
        if not store:
            # a read-only request (a form showing the banner) gets the figures
            # without writing them
            rows = self.env.execute_query(
                SQL(
                    """%s %s SELECT partner_id, company_id, receivable, overdue,
                                 oldest::date, next_due::date, draft, orders,
                                 credit_limit, %s, %s
                            FROM lim""",
                    reset,
                    lim,
                    SQL(", ").join(derived.values()),
                    settings,
                )
            )
            names = [
                "partner_id", "company_id", "receivable_amount", "overdue_amount",
                "oldest_overdue_date", "next_due_date", "draft_invoice_amount",
                "order_amount", "credit_limit", *derived, *SETTINGS,
            ]  # fmt: skip
            records = self.browse()
            for row in rows:
                vals = dict(zip(names, row, strict=True), refreshed_on=today)
                records |= self.new(vals)
            return records
        uid = self.env.uid
        ids = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    """
            %(reset)s
            %(lim)s
            INSERT INTO credit_exposure AS e (
                partner_id, company_id, receivable_amount, overdue_amount,
                oldest_overdue_date, next_due_date, draft_invoice_amount, order_amount,
                exposure_total, credit_limit, available_credit, over_limit,
                refreshed_on, %(settings)s,
                create_uid, create_date, write_uid, write_date)
            SELECT partner_id, company_id, receivable, overdue, oldest::date,
                   next_due::date, draft, orders, %(total)s, credit_limit,
                   %(available)s, %(over)s,
                   %(today)s, %(settings)s, %(uid)s, now() at time zone 'UTC', %(uid)s,
                   now() at time zone 'UTC'
              FROM lim
            ON CONFLICT (partner_id, company_id) DO UPDATE SET
                receivable_amount = EXCLUDED.receivable_amount,
                overdue_amount = EXCLUDED.overdue_amount,
                oldest_overdue_date = EXCLUDED.oldest_overdue_date,
                next_due_date = EXCLUDED.next_due_date,
                draft_invoice_amount = EXCLUDED.draft_invoice_amount,
                order_amount = EXCLUDED.order_amount,
                exposure_total = EXCLUDED.exposure_total,
                credit_limit = EXCLUDED.credit_limit,
                available_credit = EXCLUDED.available_credit,
                over_limit = EXCLUDED.over_limit,
                refreshed_on = EXCLUDED.refreshed_on,
                %(update_settings)s,
                write_uid = EXCLUDED.write_uid,
                write_date = EXCLUDED.write_date
            RETURNING e.id
            """,
                    reset=reset,
                    lim=lim,
                    today=today,
                    uid=uid,
                    total=derived["exposure_total"],
                    available=derived["available_credit"],
                    over=derived["over_limit"],
                    settings=settings,
                    update_settings=SQL(", ").join(
                        SQL("%s = EXCLUDED.%s", SQL.identifier(n), SQL.identifier(n))
                        for n in SETTINGS
                    ),
                )
            )
        ]
        self.invalidate_model()
        return self.browse(ids)

    # ------------------------------------------------------------------ events
    @contextlib.contextmanager
    def _deferred_refresh(self):
        """Within the block, the refreshes that events ask through ``_refresh_later``
        are collected and run once, together, at its end.

        Registering a payment posts a move and then reconciles it: two events for the
        same customer, one refresh. Blocks may nest (the outer one runs the
        refreshes). When the block raises, the refreshes are left to the commit (a
        caller may catch the error and commit what the block wrote before it).
        """
        cache = self.env.cr.cache
        if DEFERRED in cache:
            yield
            return
        cache[DEFERRED] = pending = []
        try:
            yield
        except Exception:
            cache.pop(DEFERRED, None)
            if pending:
                self.env.cr.precommit.add(lambda: self._run_refreshes(pending))
            raise
        cache.pop(DEFERRED, None)
        self._run_refreshes(pending)

    @api.model
    def _refresh_later(self, partners, companies):
        """Refresh the rows of ``partners`` in ``companies`` now, or at the end of the
        enclosing ``_deferred_refresh`` block."""
        pending = self.env.cr.cache.get(DEFERRED)
        if pending is None:
            self._refresh(partners, companies)
        elif partners:
            pending.append((partners.ids, companies.ids))

    @api.model
    def _run_refreshes(self, pending):
        """Run (and empty) a list of collected refreshes in one ``_refresh``."""
        if not pending:
            return
        partner_ids = {pid for pids, __ in pending for pid in pids}
        company_ids = {cid for __, cids in pending for cid in cids}
        pending.clear()
        self.sudo()._refresh(
            self.env["res.partner"].browse(partner_ids),
            self.env["res.company"].browse(company_ids) or None,
        )

    @api.model
    def _add_posted(self, moves):
        """Posting event of ``moves`` (just posted), inside a ``_deferred_refresh``
        block of the caller's: add their new open items to their customers' rows in
        one ``UPDATE``, instead of recomputing the rows.

        A posted item adds its residual to the open receivables and moves the next
        due date, and nothing else of the refresh's figures, when it is a debit
        untouched by any reconciliation and not yet due: that is what posting a
        customer invoice gives. The draft invoice figure is recounted by the same
        statement (the invoice left the drafts, possibly at another rate than its
        draft had). Anything else (a credit note, a payment, an item already due, a
        customer without a row, or a customer whose refresh an event of the same
        posting asked for) is refreshed at the end of the block instead. The row
        keeps its computation date: one whose items fell due since is still
        recomputed by its next reader or the morning job.
        """
        # customers whose refresh is already asked for (a reconciliation during the
        # posting): their rows are recomputed, the delta would count twice
        asked = set(
            self.env["res.partner"]
            .browse({pid for pids, __ in self.env.cr.cache[DEFERRED] for pid in pids})
            .commercial_partner_id.ids
        )
        today = fields.Date.context_today(self)
        delta = {}  # (commercial partner id, company id) -> [residual, next due]
        refresh = defaultdict(set)  # company id -> commercial partner ids
        for move, (items, keys) in moves._credit_customers().items():
            simple = (
                move.move_type == "out_invoice"
                and items
                and len(keys) == 1
                and not any(pid in asked for pid, __ in keys)
                and all(
                    line.partner_id
                    and line.date_maturity
                    and line.date_maturity >= today
                    and not line.reconciled
                    and line.company_currency_id.compare_amounts(
                        line.amount_residual, line.balance
                    )
                    == 0
                    and line.company_currency_id.compare_amounts(
                        line.amount_residual, 0.0
                    )
                    > 0
                    for line in items
                )
            )
            if simple:
                [key] = keys
                figures = delta.setdefault(key, [0.0, None])
                figures[0] += sum(items.mapped("amount_residual"))
                due = min(items.mapped("date_maturity"))
                figures[1] = min(figures[1] or due, due)
            else:
                for pid, cid in keys:
                    refresh[cid].add(pid)
        for key in [key for key in delta if key[0] in refresh.get(key[1], ())]:
            del delta[key]
        if delta:
            companies = self.env["res.company"].browse({cid for __, cid in delta})
            drafts = {c.id: c.credit_include_draft_invoices for c in companies}
            self.env["account.move"].flush_model(
                ["state", "move_type", "commercial_partner_id", "company_id",
                 "amount_total_signed"]
            )  # fmt: skip
            updated = self.env.execute_query(
                SQL(
                    """
                WITH v AS (
                    SELECT v.*, CASE WHEN v.drafts THEN COALESCE((
                               SELECT SUM(m.amount_total_signed) FROM account_move m
                                WHERE m.state = 'draft'
                                  AND m.move_type IN ('out_invoice', 'out_refund')
                                  AND m.commercial_partner_id = v.partner_id
                                  AND m.company_id = v.company_id), 0)
                           END AS draft
                      FROM (VALUES %(values)s)
                           AS v(partner_id, company_id, amount, next_due, drafts)
                )
                UPDATE credit_exposure e
                   SET receivable_amount = e.receivable_amount + v.amount,
                       next_due_date = LEAST(e.next_due_date, v.next_due),
                       draft_invoice_amount = COALESCE(v.draft, 0),
                       %(derived)s,
                       write_uid = %(uid)s,
                       write_date = now() at time zone 'UTC'
                  FROM v
                 WHERE e.partner_id = v.partner_id AND e.company_id = v.company_id
             RETURNING e.partner_id, e.company_id
                """,
                    values=SQL(", ").join(
                        SQL(
                            "(%s, %s, %s::numeric, %s::date, %s)",
                            pid,
                            cid,
                            round(amount, 6),
                            next_due,
                            drafts[cid],
                        )
                        for (pid, cid), (amount, next_due) in delta.items()
                    ),
                    derived=_set_derived(
                        SQL(
                            "(e.receivable_amount + v.amount + COALESCE(v.draft, 0) "
                            "+ e.order_amount)"
                        )
                    ),
                    uid=self.env.uid,
                )
            )
            self.invalidate_model()
            for pid, cid in set(delta) - set(updated):
                refresh[cid].add(pid)
        Partner, Company = self.env["res.partner"], self.env["res.company"]
        for cid, pids in refresh.items():
            self._refresh_later(Partner.browse(pids), Company.browse(cid))

    @api.model
    def _get_rows(self, partners, company, lock=False, add=None, values=None):
        """Exposure rows of the commercial partners of ``partners`` in ``company`` (or
        in every company when the company consolidates group exposure), created when
        missing and recomputed when open items fell overdue since their computation.
        A row holds everything the credit rule reads of its customer: its figures and
        a copy of the customer's settings.

        With ``lock``, the rows are locked ``FOR NO KEY UPDATE`` so that two
        transactions confirming orders of one customer are serialized on this row, not
        on the partner (people editing the customer are not blocked).

        ``add`` (``{commercial partner id: amount in company currency}``, then
        ``partners`` are these commercial partners) are orders about to be
        confirmed: the same statement, an ``UPDATE``, adds them to the rows' orders
        and locks the rows, instead of a locking read followed by an update after
        the confirmation. The rows returned include them.

        Without ``add``, ``partners`` may be contacts: the same query resolves their
        commercial partner and puts it in cache.

        ``values``, a dict, receives what the credit rule reads of the returned rows
        (``_rule_values``), from the statement's result where it has it.
        """
        if not partners:
            return self.sudo().browse()
        # the figures must include what was collected for later in this transaction
        self._run_refreshes(self.env.cr.cache.get(DEFERRED))
        Partner = self.env["res.partner"]
        # the statement's values replace what the cache holds: nothing may be pending
        Partner.flush_model(["commercial_partner_id"])
        self.flush_model(ROW_FIELDS)
        group = company.credit_group_exposure
        if add and len(add) == 1 and not group:
            # one order (a user clicking Confirm): the statement of every
            # confirmation, with nothing to compose
            [(pid, amount)] = add.items()
            query = SQL(ADD_ONE, self.env.uid, amount, pid, company.id)
        elif add:
            query = self._add_query(add, company, group)
        else:
            query = SQL(
                """SELECT %s, ARRAY(SELECT a.id FROM res_partner a
                                     WHERE a.id IN %s
                                       AND a.commercial_partner_id = e.partner_id)
                     FROM credit_exposure e
                    WHERE e.partner_id IN (SELECT a.commercial_partner_id
                                             FROM res_partner a WHERE a.id IN %s)
                      AND %s
                    ORDER BY e.id %s""",
                ROW_COLUMNS,
                tuple(partners.ids),
                tuple(partners.ids),
                SQL("TRUE") if group else SQL("e.company_id = %s", company.id),
                SQL("FOR NO KEY UPDATE") if lock else SQL(),
            )
        result = self.env.execute_query(query)
        rows = self.sudo().browse([row[0] for row in result])
        commercial = {}  # asked partner id -> commercial partner id
        present = set()  # commercial partners with a row in ``company``
        if result:
            columns = list(zip(*result, strict=True))
            for name, column in zip(ROW_FIELDS, columns[1:], strict=False):
                _put_in_cache(rows, self._fields[name], column)
            company_id = company.id
            for row in result:
                commercial.update(dict.fromkeys(row[-1], row[1]))
                commercial[row[1]] = row[1]
                if row[2] == company_id:
                    present.add(row[1])
            _put_in_cache(
                Partner.browse(commercial),
                Partner._fields["commercial_partner_id"],
                commercial.values(),
            )
        if values is not None:
            values.update(self._rule_values_of_result(result))
        # rows to (re)compute: missing in the company, or with open items that fell
        # overdue since the morning refresh
        stale = rows.browse(self._stale_ids(result))
        missing = Partner.browse()
        if any(commercial.get(pid) not in present for pid in partners._ids):
            missing = partners.commercial_partner_id.filtered(
                lambda p: p.id not in present
            )
        if stale or missing:
            # the upsert creates the rows and, being a write, holds their lock; a
            # read-only request (a form showing the banner) computes them in memory
            store = bool(lock or add) or not self.env.cr.readonly
            redo = stale.partner_id | missing
            fresh = self.sudo()._refresh(redo, stale.company_id | company, store=store)
            rows = (rows - stale) | fresh.filtered(
                lambda r: group or r.company_id == company
            )
            if values is not None:
                values.update(fresh._rule_values())
            if add:
                # the refresh counted the orders of the database, not these ones
                again = partners & redo
                self._get_rows(
                    again,
                    company,
                    add={pid: add[pid] for pid in again.ids},
                    values=values,
                )
        return rows

    @api.model
    def _add_query(self, add, company, group):
        """The ``UPDATE`` of ``_get_rows`` adding orders (``add``) to their
        customers' rows in ``company`` (every company's row with ``group``), in the
        general case: several customers, or group exposure.

        An ``UPDATE`` locks its rows in no set order: the rows are locked in id order
        first, as the locking read does, so that two batches cannot deadlock."""

        def in_company(alias):
            if group:
                return SQL("TRUE")
            return SQL("%s = %s", SQL.identifier(alias, "company_id"), company.id)

        amount = SQL("v.amount")
        if group:
            amount = SQL(
                "(CASE WHEN e.company_id = %s THEN v.amount ELSE 0 END)", company.id
            )
        # the customers and amounts as two arrays: two parameters to parse and plan,
        # not two per customer
        return SQL(
            """UPDATE credit_exposure e
               SET order_amount = e.order_amount + %(amount)s,
                   %(derived)s,
                   write_uid = %(uid)s,
                   write_date = now() at time zone 'UTC'
              FROM unnest(%(ids)s::int[], %(amounts)s::numeric[]) v(partner_id, amount)
             WHERE e.partner_id = v.partner_id AND %(companies)s
               AND e.id IN (SELECT x.id FROM credit_exposure x
                             WHERE x.partner_id = ANY(%(ids)s::int[]) AND %(locked)s
                             ORDER BY x.id FOR NO KEY UPDATE)
         RETURNING %(columns)s, ARRAY[e.partner_id]""",
            ids=list(add),
            amounts=list(add.values()),
            amount=amount,
            derived=_set_derived(SQL("(e.exposure_total + %s)", amount)),
            uid=self.env.uid,
            companies=in_company("e"),
            locked=in_company("x"),
            columns=ROW_COLUMNS,
        )

    @api.model
    def _stale_ids(self, result):
        """Ids of the rows of ``_get_rows``'s ``result`` (id first, then
        ``ROW_FIELDS``) whose open items fell overdue since their computation."""
        next_due = 1 + ROW_FIELDS.index("next_due_date")
        refreshed = 1 + ROW_FIELDS.index("refreshed_on")
        today = fields.Date.context_today(self)
        return [
            row[0]
            for row in result
            if row[next_due] and row[next_due] < today and row[refreshed] != today
        ]

    @api.model
    def _add_orders(self, orders, sign=1):
        """Add orders to (``sign=-1``: take them out of) their customers' rows in one
        statement, instead of recomputing the rows. Orders whose customer has no row
        (block disabled in the company) are refreshed instead."""
        amounts = defaultdict(float)
        for company, order_amounts in orders._credit_amounts().items():
            for order in orders.browse(order_amounts):
                key = (order.credit_partner_id.id, company.id)
                amounts[key] += sign * order_amounts[order.id]
        if not amounts:
            return
        updated = self.env.execute_query(
            SQL(
                """
                UPDATE credit_exposure e
                   SET order_amount = e.order_amount + v.amount,
                       %(derived)s,
                       write_uid = %(uid)s,
                       write_date = now() at time zone 'UTC'
                  FROM (VALUES %(values)s) AS v(partner_id, company_id, amount)
                 WHERE e.partner_id = v.partner_id AND e.company_id = v.company_id
             RETURNING e.partner_id, e.company_id
                """,
                uid=self.env.uid,
                derived=ADD_AMOUNT,
                values=SQL(", ").join(
                    SQL("(%s, %s, %s::numeric)", pid, cid, amount)
                    for (pid, cid), amount in amounts.items()
                ),
            )
        )
        self.invalidate_model()
        missing = set(amounts) - set(updated)
        if missing:
            self._refresh(
                self.env["res.partner"].browse({pid for pid, __ in missing}),
                self.env["res.company"].browse({cid for __, cid in missing}),
            )

    @api.model
    def _cron_refresh(self):
        """Daily: refresh the rows whose open items fell overdue since the last
        computation, and lapse temporary limits. Untouched rows are left alone."""
        self = self.sudo()  # noqa: PLW0642 - a system job, across all companies
        today = fields.Date.context_today(self)
        self.env["res.partner"]._credit_expire_temporary_limits()
        # only items reaching their due date change the figures: the overdue age is
        # derived from the stored oldest due date
        stale = self.search([("next_due_date", "<", today)])
        if stale:
            self._refresh(stale.partner_id)

    @api.model
    def action_refresh_all(self):
        """Recompute the exposure of every customer (server action, tests, bench):
        credit managers only, a heavy job across all companies."""
        if not self.env.su and not self.env.user.has_group(
            "credit_management.group_credit_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only credit managers can recompute every customer's exposure."
                )
            )
        self.sudo()._refresh()
        return True

    def _rule_values(self):
        """What the credit rule reads of these rows: ``{row id: {field: value}}``
        for ``ROW_FIELDS``, as the ORM reads them, many-to-ones as ids. ``_get_rows``
        gives the same from its statement's result, without reading the rows back
        field by field."""
        many2ones = {
            name for name in ROW_FIELDS if self._fields[name].type == "many2one"
        }
        return {
            row.id: {
                name: row[name].id if name in many2ones else row[name]
                for name in ROW_FIELDS
            }
            for row in self
        }

    @api.model
    @tools.ormcache()
    def _rule_empty_values(self):
        """The value the ORM reads of each of ``ROW_FIELDS`` when its column is
        empty (a many-to-one as an id); the same for every call."""
        return {
            name: False
            if field.type == "many2one"
            else field.convert_to_record(None, self)
            for name in ROW_FIELDS
            for field in [self._fields[name]]
        }

    @api.model
    def _rule_values_of_result(self, result):
        """``_rule_values`` of the rows of a ``_get_rows`` statement's ``result``
        (id, then ``ROW_FIELDS``): the empty columns as the ORM reads them."""
        empty = self._rule_empty_values()
        return {
            row[0]: {
                name: empty[name] if value is None else value
                for name, value in zip(ROW_FIELDS, row[1:], strict=False)
            }
            for row in result
        }

    def _credit_by_customer(self, company, values):
        """The rows by customer, as the rule reads them, in one pass: ``{commercial
        partner id: [the values of its row in company (``None`` without one),
        exposure, overdue amount, oldest overdue date]}``, the amounts summed over
        its rows in ``company``'s currency at the rate of the day (group exposure
        mixes companies). ``values``: the rows' ``_rule_values``."""
        customers = {}
        currency, today = company.currency_id, None
        for row_id in self._ids:
            row = values[row_id]
            figures = customers.get(row["partner_id"])
            if figures is None:
                figures = customers[row["partner_id"]] = [None, 0.0, 0.0, False]
            rate = 1.0
            if row["company_id"] == company.id:
                figures[0] = row
            else:
                row_currency = company.browse(row["company_id"]).currency_id
                if row_currency != currency:
                    today = today or fields.Date.context_today(self)
                    rate = currency._get_conversion_rate(
                        row_currency, currency, company, today
                    )
            figures[1] += row["exposure_total"] * rate
            figures[2] += row["overdue_amount"] * rate
            oldest = row["oldest_overdue_date"]
            if oldest and (not figures[3] or oldest < figures[3]):
                figures[3] = oldest
        return customers

    # ------------------------------------------------------------------ rule hooks
    @api.model
    def _credit_terms(self, company, row, memo=None):
        """What applies to a customer besides its figures, from the values of its
        row in ``company`` (``_rule_values``; ``None`` without one): ``(limit
        tolerance %, overdue tolerance, grace days, limit, cap note)``.

        The tolerances (``TOLERANCES``) are the customer's own (its row's values),
        else its segment's, else the company's; ``memo`` keeps those read from a
        segment or the company for the next customers of a call. The limit is the
        one the rule checks, capped by the segment's maximum and by the credit
        insurance cover when it caps; the note names the cap applied (empty when
        none)."""
        row = row or {}
        limit = row.get("credit_limit", 0.0)
        segment = row.get("credit_segment_id")
        segment = segment and self.env["credit.segment"].browse(segment)
        if row.get("credit_custom_tolerance"):
            tolerances = tuple(row[name] for name in TOLERANCES)
        else:
            source = segment if segment and segment.credit_custom_tolerance else company
            memo = {} if memo is None else memo
            key = (source._name, source.id)
            if key not in memo:
                memo[key] = tuple(source[name] for name in TOLERANCES)
            tolerances = memo[key]
        caps = []
        if segment and segment.max_credit_limit and segment.max_credit_limit < limit:
            caps.append(
                (
                    segment.max_credit_limit,
                    self.env._(
                        " Capped at the maximum of segment %(segment)s.",
                        segment=segment.name,
                    ),
                )
            )
        if row.get("credit_insurance_cap"):
            expiry = row["credit_insurance_expiry"]
            insured = row["credit_insured_amount"]
            if expiry and expiry < fields.Date.context_today(self):
                insured = 0.0
            if insured < limit:
                caps.append(
                    (
                        insured,
                        self.env._(
                            " Capped at the credit insurance cover of %(amount)s.",
                            amount=format_amount(
                                self.env, insured, company.currency_id
                            ),
                        ),
                    )
                )
        limit, cap_note = min(caps, key=lambda cap: cap[0]) if caps else (limit, "")
        return (*tolerances, limit, cap_note)

    @api.model
    def _is_over(self, amount, limit, rounding):
        """Whether ``amount`` exceeds ``limit`` once both are rounded to the
        currency's ``rounding`` (``float_compare``). Apart by more than the
        rounding, the plain comparison gives the same answer: the rule compares a
        few amounts per customer, mostly far from the limit, and rounding costs more
        than the rule's other steps."""
        if amount - limit > rounding:
            return True
        if limit - amount > rounding or amount == limit:
            return False
        return float_compare(amount, limit, precision_rounding=rounding) > 0
