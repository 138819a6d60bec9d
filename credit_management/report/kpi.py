# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Credit KPIs of one group of customers for one month, from monthly figures.

``months`` is the group's history, newest first, each a dict with the month-end
figures of :class:`CreditKpiSnapshot` summed over the group plus ``days`` (the length
of the period: the whole month, or the days elapsed in the current month).
"""

STANDARD_MONTHS = 3


def dso_countback(months):
    """Countback DSO: the days of sales, walking back from the last month, that the
    receivable at the end of the last month represents. A month whose sales do not
    cover what remains counts in full; the month that does counts pro rata. When the
    history runs out, the result is a lower bound (all the months available)."""
    remaining = months[0]["receivable"] if months else 0.0
    if remaining <= 0:
        return 0.0
    days = 0.0
    for month in months:
        sales = month["sales"]
        if sales > 0 and remaining <= sales:
            return days + remaining / sales * month["days"]
        days += month["days"]
        remaining -= max(sales, 0.0)
    return days


def _window(months):
    window = months[:STANDARD_MONTHS]
    return sum(m["sales"] for m in window), sum(m["days"] for m in window)


def dso_standard(months):
    """Standard DSO: receivable at the end / sales of the last three months × their
    days."""
    sales, days = _window(months)
    if not months or sales <= 0:
        return 0.0
    return max(months[0]["receivable"], 0.0) / sales * days


def dso_best(months):
    """Best possible DSO: the receivable not yet due / sales of the last three months
    × their days (what DSO would be if every customer paid on its due date)."""
    sales, days = _window(months)
    if not months or sales <= 0:
        return 0.0
    return max(months[0]["not_due"], 0.0) / sales * days


def dso_contractual(months):
    """Contractual DSO: payment terms (due date - invoice date) of the invoices of the
    last three months, weighted by their amounts."""
    window = months[:STANDARD_MONTHS]
    invoiced = sum(m["invoiced"] for m in window)
    if invoiced <= 0:
        return 0.0
    return sum(m["invoiced_term_days"] for m in window) / invoiced


def cei(month):
    """Collection effectiveness index of one month, in %: what was collected out of
    what could be collected (begin + sales - end) / (begin + sales - end not due)."""
    collectible = month["receivable_begin"] + month["sales"] - month["not_due"]
    if collectible <= 0:
        return 0.0
    collected = month["receivable_begin"] + month["sales"] - month["receivable"]
    return collected / collectible * 100.0


def overdue_share(month):
    """Overdue / receivable at the end of the month, in %."""
    if month["receivable"] <= 0:
        return 0.0
    return month["overdue"] / month["receivable"] * 100.0


def kpis(months):
    """Every KPI of the newest month of ``months`` (newest first)."""
    countback = dso_countback(months)
    best = dso_best(months)
    standard = dso_standard(months)
    return {
        "dso_countback": countback,
        "dso_standard": standard,
        "dso_best": best,
        "dso_contractual": dso_contractual(months),
        "days_beyond_terms": standard - best,
        "cei": cei(months[0]),
        "overdue_share": overdue_share(months[0]),
    }
