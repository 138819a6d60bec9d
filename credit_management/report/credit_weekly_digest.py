# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.fields import Domain
from odoo.tools import format_amount, format_date

from ..models.credit_dispute import OPEN_STATES

TOP_CUSTOMERS = 5


class CreditWeeklyDigest(models.AbstractModel):
    """The Monday e-mail: each sales-team leader gets the figures of its team's
    customers, each credit manager those of the whole company, in its own language:
    overdue and its largest customers, the DSO of the month against last month's,
    the orders blocked during the week and the releases granted, the open disputes
    (amount, past their deadline, opened during the week)."""

    _name = "credit.weekly.digest"
    _description = "Credit Weekly Digest"

    @api.model
    def _cron_send(self, companies=None):
        self = self.sudo()  # noqa: PLW0642 - a system job reading every team
        companies = companies or self.env["res.company"].search([])
        mails = self.env["mail.mail"]
        for company in companies:
            for user, team in self._recipients(company):
                mails |= self._queue(user, company, team)
        return mails

    @api.model
    def _recipients(self, company):
        """[(user, team or empty recordset for the whole company)]"""
        recipients = []
        teams = self.env["crm.team"].search(
            [("company_id", "in", (company.id, False)), ("user_id", "!=", False)]
        )
        for team in teams:
            recipients.append((team.user_id, team))
        managers = self.env.ref("credit_management.group_credit_manager").all_user_ids
        for user in managers:
            if user.share or not user.active or user._is_superuser():
                continue
            if company in user.company_ids:
                recipients.append((user, self.env["crm.team"]))
        return [
            (user, team)
            for user, team in recipients
            if user.email and company in user.company_ids
        ]

    @api.model
    def _values(self, company, team):
        def amount(value):
            return format_amount(self.env, value, company.currency_id)

        today = fields.Date.context_today(self)
        week_ago = today - timedelta(days=7)
        salespeople = (
            self.env["res.users"].search([("sale_team_id", "=", team.id)])
            if team
            else None
        )
        scope = Domain("company_id", "=", company.id)
        if salespeople is not None:
            scope &= Domain("partner_id.user_id", "in", salespeople.ids)
        exposure = self.env["credit.exposure"]
        overdue_rows = exposure.search(
            scope & Domain("overdue_amount", ">", 0), order="overdue_amount desc, id"
        )
        # DSO: the month so far against the month before (snapshots)
        dimension, key = ("team", team.id) if team else ("company", company.id)
        kpis = (
            self.env["credit.kpi.snapshot"]._kpis(company, dimension, today, 2).get(key)
        )
        dso_now = kpis[0][1]["dso_countback"] if kpis else 0.0
        dso_before = kpis[1][1]["dso_countback"] if kpis else 0.0
        log_scope = Domain("company_id", "=", company.id) & Domain(
            "date", ">=", fields.Datetime.to_datetime(week_ago)
        )
        if salespeople is not None:
            log_scope &= Domain("salesperson_id", "in", salespeople.ids)
        blocked, released = {}, {}
        for log in self.env["credit.block.log"].search(log_scope):
            key = log.order_id.id or log.order_name  # one row per reason
            blocked[key] = log.amount
            if log.released:
                released[key] = log.amount
        dispute_scope = Domain("company_id", "=", company.id) & Domain(
            "state", "in", OPEN_STATES
        )
        if salespeople is not None:
            dispute_scope &= Domain("partner_id.user_id", "in", salespeople.ids)
        disputes = self.env["credit.dispute"].search(dispute_scope)
        disputes_late = disputes.filtered(
            lambda d: d.date_deadline and d.date_deadline < today
        )
        disputes_new = disputes.filtered(lambda d: d.date >= week_ago)
        dso, dso_before = round(dso_now), round(dso_before)
        return {
            "title": self.env._(
                "Credit digest of %(scope)s", scope=team.name or company.name
            ),
            "subtitle": self.env._(
                "Week ending %(date)s", date=format_date(self.env, today)
            ),
            "overdue": sum(overdue_rows.mapped("overdue_amount")),
            "overdue_text": self.env._(
                "%(amount)s (%(count)s customers)",
                amount=amount(sum(overdue_rows.mapped("overdue_amount"))),
                count=len(overdue_rows),
            ),
            "dso": dso,
            "dso_text": self.env._(
                "%(days)s days (last month: %(before)s, change: %(change)s)",
                days=dso,
                before=dso_before,
                change=f"{dso - dso_before:+d}",
            ),
            "blocked_count": len(blocked),
            "blocked_text": self.env._(
                "%(count)s blocked (%(amount)s), %(released)s released",
                count=len(blocked),
                amount=amount(sum(blocked.values())),
                released=len(released),
            ),
            "dispute_count": len(disputes),
            "dispute_text": self.env._(
                "%(count)s open (%(amount)s), %(late)s past deadline, %(new)s "
                "opened this week",
                count=len(disputes),
                amount=amount(sum(disputes.mapped("amount_disputed"))),
                late=len(disputes_late),
                new=len(disputes_new),
            ),
            "top_overdue": [
                (
                    row.partner_id.display_name,
                    amount(row.overdue_amount),
                    self.env._("%(days)s days", days=row.overdue_days),
                )
                for row in overdue_rows[:TOP_CUSTOMERS]
            ],
        }

    @api.model
    def _queue(self, user, company, team):
        """Queue the digest of ``team`` (or the company) to ``user``, rendered in the
        user's language."""
        lang = user.lang or self.env.lang
        digest = self.with_context(lang=lang).with_company(company)
        values = digest._values(company, team)
        body = digest.env["ir.qweb"]._render(
            "credit_management.credit_weekly_digest_mail", values
        )
        subject = digest.env._(
            "Credit weekly digest: %(scope)s", scope=team.name or company.name
        )
        return self.env["mail.mail"].create(
            {
                "subject": subject,
                "body_html": body,
                "email_from": company.email_formatted or self.env.user.email_formatted,
                "recipient_ids": [Command.link(user.partner_id.id)],
                "auto_delete": True,
            }
        )
