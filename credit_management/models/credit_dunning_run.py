# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
from collections import defaultdict, namedtuple
from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

_logger = logging.getLogger(__name__)

# a level as the generation reads it (plain tuples: the loop runs once per invoice)
Level = namedtuple("Level", "id sequence delay base min_amount")
BATCH_SIZE = 100


def _next_level(levels, current_sequence, due, last_date, date):
    """The level an invoice reaches on ``date``, or ``None``: the level after its
    current one (a courtesy level only before the due date), once its delay has
    passed, counted from the due date or from the previous reminder."""
    overdue = date > due
    for level in levels:
        if current_sequence is not None and level.sequence <= current_sequence:
            continue
        if level.delay < 0 and overdue:
            continue  # courtesy reminders come before the due date
        if level.delay >= 0 and not overdue:
            return None
        anchor = last_date if level.base == "previous" and last_date else due
        return level if date >= anchor + timedelta(days=level.delay) else None
    return None


def _customer_line(items, credits, policy, date):
    """``(line values, item values)`` of a customer, or ``None`` when its invoices
    due for a level stay under the level's minimum or its credits cover them."""
    per_level = defaultdict(float)
    for item in items:
        per_level[item[1]] += item[4]
    kept = [item for item in items if per_level[item[1]] >= item[1].min_amount - 0.005]
    amount = sum(item[4] for item in kept)
    if not kept or amount + credits <= 0.005:
        return None
    level = max((item[1] for item in kept), key=lambda lv: lv.sequence)
    days = [max((date - item[3]).days, 0) for item in kept]
    indemnity = (
        policy.recovery_indemnity_amount * sum(1 for d in days if d > 0)
        if policy.recovery_indemnity
        else 0.0
    )
    interest = sum(
        item[4] * policy.interest_rate / 100.0 * d / 365.0
        for item, d in zip(kept, days, strict=True)
    )
    line = (policy.id, level.id, amount, -credits, max(days), round(indemnity, 2),
            round(interest, 2))  # fmt: skip
    item_values = [
        (item[0], item[1].id, item[2], item[3], item[4], d, item[1].sequence)
        for item, d in zip(kept, days, strict=True)
    ]
    return line, item_values


class CreditDunningRun(models.Model):
    """A dunning run: the customers to remind on a date, previewed as lines that the
    controller reviews, then confirmed (emails queued, letters to print, calls).

    Generation is set-based: one query selects the candidate invoices and credits
    of the whole run, levels are decided in Python, and lines and items are written
    with one ``INSERT`` each (see :meth:`_generate_lines`).
    """

    _name = "credit.dunning.run"
    _inherit = ["mail.thread"]
    _description = "Dunning Run"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        index=True,
        tracking=True,
        help="Invoices are reminded as of this date.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    state = fields.Selection(
        [("draft", "Preview"), ("done", "Confirmed"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
    )
    automatic = fields.Boolean(
        readonly=True, help="Created by the daily scheduled run."
    )
    responsible_id = fields.Many2one(
        "res.users",
        "Controller",
        default=lambda self: self.env.user,
        help="Receives the phone-call and follow-up activities of the run.",
    )
    policy_id = fields.Many2one(
        "credit.dunning.policy",
        check_company=True,
        help="Only customers of this policy.",
    )
    salesperson_id = fields.Many2one(
        "res.users", "Salesperson", help="Only customers of this salesperson."
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Customers",
        domain=[("is_company", "=", True)],
        help="Only these customers (empty: all).",
    )
    line_ids = fields.One2many("credit.dunning.line", "run_id", "Customers to Remind")
    line_count = fields.Integer(compute="_compute_counts")
    letter_count = fields.Integer(compute="_compute_counts")
    amount_due = fields.Monetary(compute="_compute_counts")
    bank_status = fields.Html(compute="_compute_bank_status", sanitize=False)
    bank_stale = fields.Boolean(
        compute="_compute_bank_status",
        help="A bank journal has no entry for more days than the company tolerates: "
        "payments received may not be reconciled yet.",
    )

    # ------------------------------------------------------------------ computes
    @api.depends("date")
    def _compute_name(self):
        for run in self:
            run.name = self.env._(
                "Dunning of %(date)s", date=format_date(self.env, run.date)
            )

    def _compute_counts(self):
        rows = self.env["credit.dunning.line"]._read_group(
            [("run_id", "in", self.ids), ("state", "!=", "excluded")],
            ["run_id", "send_letter"],
            ["__count", "amount_due:sum"],
        )
        counts = defaultdict(lambda: [0, 0, 0.0])
        for run, letter, count, amount in rows:
            counts[run][0] += count
            counts[run][1] += count if letter else 0
            counts[run][2] += amount
        for run in self:
            run.line_count, run.letter_count, run.amount_due = counts[run]

    @api.depends("date", "company_id")
    def _compute_bank_status(self):
        for run in self:
            journals = run._bank_last_dates()
            max_age = run.company_id.credit_dunning_bank_max_age
            rows = []
            run.bank_stale = False
            for journal, last in journals:
                stale = not last or (run.date - last).days > max_age
                run.bank_stale |= stale
                rows.append(
                    Markup("<tr class='%s'><td>%s</td><td>%s</td></tr>")
                    % (
                        "text-danger" if stale else "",
                        journal.display_name,
                        format_date(self.env, last) if last else "-",
                    )
                )
            run.bank_status = (
                Markup(
                    "<table class='table table-sm'><tr><th>%s</th><th>%s</th></tr>%s"
                    "</table>"
                )
                % (
                    self.env._("Bank Journal"),
                    self.env._("Last Entry"),
                    Markup().join(rows),
                )
                if rows
                else False
            )

    def _bank_last_dates(self):
        """``[(journal, date of its last statement line)]`` for the bank journals of
        the run's company (one grouped read)."""
        self.ensure_one()
        journals = (
            self.env["account.journal"]
            .sudo()
            .search([("company_id", "=", self.company_id.id), ("type", "=", "bank")])
        )
        last = dict(
            self.env["account.bank.statement.line"]
            .sudo()
            ._read_group(
                [("journal_id", "in", journals.ids)], ["journal_id"], ["date:max"]
            )
        )
        return [(journal, last.get(journal)) for journal in journals]

    # ------------------------------------------------------------------ CRUD
    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(run.state == "done" for run in self):
            raise UserError(
                self.env._("A confirmed dunning run is history: it cannot be deleted.")
            )

    # ------------------------------------------------------------------ actions
    def action_preview(self):
        """(Re)compute the lines of a draft run."""
        self.ensure_one()
        if self.state != "draft" or any(line.state == "done" for line in self.line_ids):
            raise UserError(
                self.env._("Only a run not yet sent can be previewed again.")
            )
        self._generate_lines()
        return True

    def action_confirm(self):
        """Send the reminders of the lines still to send."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("This dunning run is already confirmed."))
        lines = self.line_ids.filtered(lambda line: line.state == "draft")
        if not lines:
            raise UserError(self.env._("No customer to remind: preview the run first."))
        lines._process()
        self.state = "done"
        return True

    def action_cancel(self):
        if any(line.state == "done" for line in self.line_ids):
            raise UserError(
                self.env._("Reminders of this run were sent: it cannot be cancelled.")
            )
        # lines are written by the run, never deleted one by one by controllers
        self.line_ids.sudo().unlink()
        self.state = "cancel"
        return True

    def action_print_letters(self):
        """One PDF with the letters of the run, in each customer's language."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.send_letter)
        if not lines:
            raise UserError(self.env._("No letter to print in this run."))
        lines.filtered(lambda line: line.state == "done").letter_state = "printed"
        return self.env.ref(
            "credit_management.action_report_credit_dunning_letter"
        ).report_action(lines)

    def action_open_lines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "credit_management.credit_dunning_line_action"
        )
        action["domain"] = [("run_id", "=", self.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------ generation
    @api.model
    def _dunning_exclusion_sql(self, company, date):
        """Extra conditions that exclude an open item from dunning (hook).

        Each returned ``SQL`` is a boolean expression over the aliases of the
        candidate query: ``aml`` (``account_move_line``, the open receivable item),
        ``m`` (``account_move``, its entry) and ``cp`` (``res_partner``, the
        commercial partner). An item is excluded when any expression is true, for
        instance an open dispute on the invoice::

            res = super()._dunning_exclusion_sql(company, date)
            res.append(SQL("EXISTS (SELECT 1 FROM credit_dispute d WHERE "
                           "d.move_id = m.id AND d.state = 'open')"))
            return res

        Here: the invoices that disputes, promises to pay and payment plans in good
        standing pause (``account.move._credit_dunning_paused_moves_sql``).
        """
        paused = self.env["account.move"]._credit_dunning_paused_moves_sql(
            company, date
        )
        return [SQL("m.id IN (%s)", paused)]

    @api.model
    def _dunning_risk_sql(self, company):
        """Risk factor of a customer in the worklist ranking (hook): an ``SQL``
        numeric expression over ``v.partner_id`` (the commercial partner).
        Cash at stake = amount reminded x days overdue x this factor: from 1 for
        risk class A to 3 for class E; without a score, 2 for a customer over its
        credit limit, else 1."""
        return SQL(
            """COALESCE(
                (SELECT CASE s.risk_class WHEN 'a' THEN 1 WHEN 'b' THEN 1.5
                            WHEN 'c' THEN 2 WHEN 'd' THEN 2.5 ELSE 3 END
                   FROM credit_score s
                  WHERE s.partner_id = v.partner_id AND s.company_id = %(company)s
                    AND s.risk_class IS NOT NULL),
                (SELECT CASE WHEN e.over_limit THEN 2 ELSE 1 END
                   FROM credit_exposure e
                  WHERE e.partner_id = v.partner_id
                    AND e.company_id = %(company)s),
                1)""",
            company=company.id,
        )

    def _candidate_query(self, horizon):
        """The one query of a run: open receivable items of the company, per entry,
        with the entry's current dunning level (positive residual: invoices to
        remind; negative: credit notes and unreconciled payments)."""
        company = self.company_id
        key = str(company.id)
        conditions = [SQL("TRUE")]
        if self.partner_ids:
            conditions.append(SQL("cp.id = ANY(%s)", self.partner_ids.ids))
        if self.salesperson_id:
            conditions.append(SQL("cp.user_id = %s", self.salesperson_id.id))
        conditions += [
            SQL("NOT (%s)", condition)
            for condition in self._dunning_exclusion_sql(company, self.date)
        ]
        return SQL(
            """
            SELECT m.id, cp.id, MIN(COALESCE(aml.date_maturity, aml.date)),
                   SUM(aml.amount_residual), m.credit_dunning_level_id,
                   m.credit_dunning_date
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN account_move m ON m.id = aml.move_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND NOT aml.reconciled
               AND aml.amount_residual != 0
               AND aml.company_id = %(company)s
               AND (aml.amount_residual < 0
                    OR COALESCE(aml.date_maturity, aml.date) <= %(horizon)s)
               AND (m.credit_dunning_date IS NULL OR m.credit_dunning_date < %(date)s)
               AND COALESCE((cp.credit_no_dunning ->> %(key)s)::boolean, FALSE)
                   IS NOT TRUE
               AND NOT EXISTS (
                   SELECT 1 FROM credit_dunning_line l
                     JOIN credit_dunning_run r ON r.id = l.run_id
                    WHERE l.partner_id = cp.id AND l.company_id = %(company)s
                      AND r.id != %(run)s AND r.state != 'cancel'
                      AND (l.date = %(date)s OR l.state = 'draft'))
               AND %(conditions)s
             GROUP BY m.id, cp.id
            """,
            company=company.id,
            key=key,
            horizon=horizon,
            date=self.date,
            run=self.id,
            conditions=SQL(" AND ").join(conditions),
        )

    def _generate_lines(self):
        """Write the run's lines (one per customer) and items (one per invoice).

        An invoice moves one level per run: to the level after its current one,
        when the delay of that level has passed (counted from the due date or
        from the previous level's date), never twice on the same day. A courtesy
        level (negative delay) applies only before the due date. A customer's
        invoices due for a level count only when they reach the level's minimum;
        a customer whose credit notes and unreconciled payments cover them is
        left out. Excluded: customers flagged *no dunning*, customers already in
        a run of that date or in a run not yet sent, and the items of
        :meth:`_dunning_exclusion_sql`.
        """
        self.ensure_one()
        self.env.flush_all()
        self.env.execute_query(
            SQL("DELETE FROM credit_dunning_line WHERE run_id = %s", self.id)
        )
        self.env.invalidate_all()
        company = self.company_id
        date = self.date
        Level_ = self.env["credit.dunning.level"].sudo()
        all_levels = Level_.search([("company_id", "=", company.id)])
        courtesy = max([-lvl.delay_days for lvl in all_levels] + [0])
        rows = self.env.execute_query(
            self._candidate_query(date + timedelta(days=courtesy))
        )
        if not rows:
            return
        partners = self.env["res.partner"].browse({row[1] for row in rows})
        policies = self.env["credit.dunning.policy"]._policies_for(partners, company)
        if self.policy_id:
            policies = {k: v for k, v in policies.items() if v == self.policy_id}
        if self.automatic:
            policies = {k: v for k, v in policies.items() if v.automatic}
        levels = defaultdict(list)
        sequence_of = {}
        for lvl in all_levels.sorted(lambda lv: (lv.sequence, lv.id)):
            levels[lvl.policy_id.id].append(
                Level(
                    lvl.id, lvl.sequence, lvl.delay_days, lvl.delay_base, lvl.min_amount
                )  # fmt: skip
            )
            sequence_of[lvl.id] = lvl.sequence
        # level per invoice
        items = defaultdict(list)  # partner -> [(move, level, prev, due, residual)]
        credits = defaultdict(float)
        for move_id, partner_id, due, residual, current, last_date in rows:
            policy = policies.get(partner_id)
            if not policy:
                continue
            if residual < 0:
                credits[partner_id] += residual
                continue
            level = _next_level(
                levels[policy.id], sequence_of.get(current), due, last_date, date
            )
            if level:
                items[partner_id].append((move_id, level, current, due, residual))
        # per customer: minimum per level, credits covering the balance
        lines, item_values = [], []
        for partner_id, partner_items in items.items():
            line = _customer_line(
                partner_items, credits[partner_id], policies[partner_id], date
            )
            if line:
                lines.append((partner_id, *line[0]))
                item_values.extend((partner_id, *item) for item in line[1])
        if lines:
            self._insert_lines(lines, item_values)

    def _insert_lines(self, lines, item_values):
        """Two ``INSERT``s for the whole run (lines, then their items)."""
        self.ensure_one()
        level_ids = {line[2] for line in lines}
        channels = {
            lvl.id: (
                lvl.channel_email,
                lvl.channel_letter,
                lvl.channel_phone,
                lvl.sequence,
            )
            for lvl in self.env["credit.dunning.level"].sudo().browse(level_ids)
        }
        columns = list(zip(*lines, strict=True))
        line_ids = dict(
            self.env.execute_query(
                SQL(
                    """
                INSERT INTO credit_dunning_line (
                    run_id, company_id, date, state, partner_id, policy_id, level_id,
                    amount_due, amount_credit, days_overdue, indemnity_amount,
                    interest_amount, send_email, send_letter, make_call,
                    letter_state, call_state, cash_at_stake, level_sequence,
                    create_uid, write_uid, create_date, write_date)
                SELECT %(run)s, %(company)s, %(date)s, 'draft', v.partner_id,
                       v.policy_id, v.level_id, v.amount, v.credit, v.days,
                       v.indemnity, v.interest, c.email, c.letter, c.phone,
                       'none', 'none',
                       v.amount * GREATEST(v.days, 1) * (%(risk)s), c.sequence,
                       %(uid)s, %(uid)s, now() at time zone 'UTC',
                       now() at time zone 'UTC'
                  FROM unnest(%(partner)s::int[], %(policy)s::int[], %(level)s::int[],
                              %(amount)s::numeric[], %(credit)s::numeric[],
                              %(days)s::int[], %(indemnity)s::numeric[],
                              %(interest)s::numeric[])
                       AS v(partner_id, policy_id, level_id, amount, credit, days,
                            indemnity, interest)
                  JOIN unnest(%(c_level)s::int[], %(c_email)s::bool[],
                              %(c_letter)s::bool[], %(c_phone)s::bool[],
                              %(c_sequence)s::int[])
                       AS c(level_id, email, letter, phone, sequence)
                    ON c.level_id = v.level_id
             RETURNING partner_id, id
                """,
                    run=self.id,
                    company=self.company_id.id,
                    date=self.date,
                    uid=self.env.uid,
                    risk=self._dunning_risk_sql(self.company_id),
                    partner=list(columns[0]),
                    policy=list(columns[1]),
                    level=list(columns[2]),
                    amount=list(columns[3]),
                    credit=list(columns[4]),
                    days=list(columns[5]),
                    indemnity=list(columns[6]),
                    interest=list(columns[7]),
                    c_level=list(channels),
                    c_email=[c[0] for c in channels.values()],
                    c_letter=[c[1] for c in channels.values()],
                    c_phone=[c[2] for c in channels.values()],
                    c_sequence=[c[3] for c in channels.values()],
                )
            )
        )
        columns = list(zip(*item_values, strict=True))
        self.env.execute_query(
            SQL(
                """
            INSERT INTO credit_dunning_item (
                line_id, date, state, move_id, level_id, level_sequence,
                previous_level_id, date_maturity, amount_residual, days_overdue)
            SELECT v.line_id, %(date)s, 'draft', v.move_id, v.level_id, v.sequence,
                   v.previous_level_id, v.due, v.residual, v.days
              FROM unnest(%(line)s::int[], %(move)s::int[],
                          %(level)s::int[], %(previous)s::int[], %(due)s::date[],
                          %(residual)s::numeric[], %(days)s::int[],
                          %(sequence)s::int[])
                   AS v(line_id, move_id, level_id, previous_level_id,
                        due, residual, days, sequence)
                """,
                date=self.date,
                line=[line_ids[partner_id] for partner_id in columns[0]],
                move=list(columns[1]),
                level=list(columns[2]),
                previous=list(columns[3]),
                due=list(columns[4]),
                residual=list(columns[5]),
                days=list(columns[6]),
                sequence=list(columns[7]),
            )
        )
        self.env.invalidate_all()

    # ------------------------------------------------------------------ scheduled
    @api.model
    def _cron_run(self):
        """Daily: for each company with automatic policies, a run that sends the
        emails of customers whose level uses email only (letters and calls wait for
        a controller). Skipped, and the controllers told, when the bank is stale."""
        policies = (
            self.env["credit.dunning.policy"].sudo().search([("automatic", "=", True)])
        )
        in_cron = bool(self.env.context.get("cron_id"))
        runs = self.browse()
        unfinished = self._cron_unfinished_runs(policies.company_id)
        for company in policies.company_id:
            # a job stopped today between two committed batches is picked up
            run = unfinished.filtered(lambda r, c=company: r.company_id == c)[:1]
            if not run:
                run = (
                    self.sudo()
                    .with_company(company)
                    .create(
                        {
                            "company_id": company.id,
                            "automatic": True,
                            "responsible_id": False,
                        }
                    )
                )
                run._generate_lines()
            if not run.line_ids:
                run.unlink()  # nobody to remind today: no empty run in the history
                continue
            runs |= run
            if run.bank_stale:
                run._notify_stale_bank()
                continue
            to_send = run.line_ids.filtered(
                lambda line: line.state == "draft"
                and not (line.send_letter or line.make_call)
            )
            for start in range(0, len(to_send), BATCH_SIZE):
                to_send[start : start + BATCH_SIZE]._process()
                if in_cron:
                    self.env["ir.cron"]._commit_progress(
                        len(to_send[start : start + BATCH_SIZE])
                    )
            if all(line.state != "draft" for line in run.line_ids):
                run.state = "done"
        return runs

    def _today(self):
        return fields.Date.context_today(self)

    @api.model
    def _cron_unfinished_runs(self, companies):
        """The scheduled runs that a stopped job left unfinished (a crash between
        two committed batches): their emails not sent block their customers out
        of every later run. A run of an earlier day is superseded: its unsent
        email-only lines are dropped (the run itself when nothing is left, as a
        stale bank's run nobody confirmed), and today's run reminds those customers
        with today's figures; a run of today is returned, to be picked up. Lines that
        wait for a controller (letters, calls) are left as they are.

        :return: today's unfinished scheduled runs
        """
        today = self._today()
        runs = self.sudo().search(
            [
                ("automatic", "=", True),
                ("state", "=", "draft"),
                ("company_id", "in", companies.ids),
            ]
        )
        unsent = runs.line_ids.filtered(
            lambda line: line.state == "draft"
            and not (line.send_letter or line.make_call)
        )
        earlier = unsent.run_id.filtered(lambda r: r.date < today)
        todays = unsent.run_id - earlier
        unsent.filtered(lambda line: line.run_id in earlier).unlink()
        # a run left with nothing (a stale bank's run nobody confirmed) goes, as an
        # empty run of the day does; one with reminders sent is closed
        earlier.filtered(lambda r: not r.line_ids).unlink()
        for run in earlier.exists():
            if all(line.state != "draft" for line in run.line_ids):
                run.state = "done"
        return todays

    def _notify_stale_bank(self):
        self.ensure_one()
        controllers = (
            self.env.ref("credit_management.group_credit_controller")
            .sudo()
            .all_user_ids.filtered(lambda user: self.company_id in user.company_ids)
        )
        body = (
            self.env._(
                "Scheduled dunning not sent: bank statements are older than %(days)s "
                "days. Import and reconcile them, then confirm this run today: "
                "tomorrow's scheduled run replaces it.",
                days=self.company_id.credit_dunning_bank_max_age,
            )
            + Markup("<br/>")
            + (self.bank_status or escape(""))
        )
        self.message_post(
            body=body,
            partner_ids=controllers.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
