# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Receivable items as they stood on a past date: the one definition behind the aged
balance, the monthly KPI snapshots and the overdue report."""

from odoo.tools import SQL

AGE_BUCKETS = [
    ("not_due", None, 0),
    ("days_1_30", 1, 30),
    ("days_31_60", 31, 60),
    ("days_61_90", 61, 90),
    ("days_91_120", 91, 120),
    ("days_over_120", 121, None),
]


def receivable_items_as_of(as_of, company_id):
    """SQL selecting every posted receivable item of ``company_id`` dated on or before
    ``as_of``, with its residual on that date in company currency.

    The residual is the item's balance less the reconciliations whose both sides were
    dated on or before ``as_of`` (``account_partial_reconcile.max_date``): today's
    ``amount_residual`` would count payments and credit notes booked later. Columns:
    ``id, partner_id`` (the commercial partner), ``company_id, move_id, date,
    date_due, balance, residual``.
    """
    return SQL(
        """
        SELECT aml.id, p.commercial_partner_id AS partner_id, aml.company_id,
               aml.move_id, aml.date, COALESCE(aml.date_maturity, aml.date) AS date_due,
               aml.balance, aml.balance - COALESCE(rec.amount, 0) AS residual
          FROM account_move_line aml
          JOIN account_account acc ON acc.id = aml.account_id
          JOIN res_partner p ON p.id = aml.partner_id
          LEFT JOIN (
                SELECT line_id, SUM(amount) AS amount
                  FROM (SELECT debit_move_id AS line_id, amount
                          FROM account_partial_reconcile
                         WHERE max_date <= %(as_of)s AND company_id = %(company)s
                        UNION ALL
                        SELECT credit_move_id, -amount
                          FROM account_partial_reconcile
                         WHERE max_date <= %(as_of)s AND company_id = %(company)s
                       ) matched
                 GROUP BY line_id
               ) rec ON rec.line_id = aml.id
         WHERE acc.account_type = 'asset_receivable'
           AND aml.parent_state = 'posted'
           AND aml.date <= %(as_of)s
           AND aml.company_id = %(company)s
        """,
        as_of=as_of,
        company=company_id,
    )


def age_bucket_columns(as_of, residual="residual", date_due="date_due"):
    """``SUM(...) FILTER`` columns, one per bucket of AGE_BUCKETS, in that order."""
    columns = []
    for __, low, high in AGE_BUCKETS:
        age = SQL("(%s::date - %s)", as_of, SQL.identifier(date_due))
        if low is None:
            cond = SQL("%s <= 0", age)
        elif high is None:
            cond = SQL("%s >= %s", age, low)
        else:
            cond = SQL("%s BETWEEN %s AND %s", age, low, high)
        columns.append(
            SQL(
                "COALESCE(SUM(%s) FILTER (WHERE %s), 0)", SQL.identifier(residual), cond
            )
        )
    return SQL(", ").join(columns)


def replace_lines(wizard, model, vals_list):
    """Replace the report lines of ``wizard`` (a transient model whose lines point
    to it by ``wizard_id``) with ``vals_list`` in one ``DELETE`` and one ``INSERT``:
    through the ORM, creating and deleting a thousand lines cost most of a report's
    time on a large database. The lines hold plain stored values only (no compute,
    no constraint)."""
    model.flush_model()
    model.env.execute_query(
        SQL(
            "DELETE FROM %s WHERE wizard_id = %s",
            SQL.identifier(model._table),
            wizard.id,
        )
    )
    if vals_list:
        _insert(model, vals_list)
    wizard.invalidate_recordset(["line_ids"])
    model.invalidate_model()


def _insert(model, vals_list):
    names = list(vals_list[0])
    columns = SQL(", ").join(
        SQL.identifier(name)
        for name in [*names, "create_uid", "create_date", "write_uid", "write_date"]
    )
    uid = model.env.uid
    values = SQL(", ").join(
        SQL(
            "(%s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')",
            SQL(", ").join(
                SQL("%s", None if vals[name] is False else vals[name]) for name in names
            ),
            uid,
            uid,
        )
        for vals in vals_list
    )
    model.env.execute_query(
        SQL(
            "INSERT INTO %s (%s) VALUES %s",
            SQL.identifier(model._table),
            columns,
            values,
        )
    )
