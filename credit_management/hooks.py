# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


def post_init_hook(env):
    """Installing on a database with history: compute every customer's exposure
    and the monthly KPI snapshots."""
    env["credit.exposure"].sudo()._refresh()
    # ... and every customer's risk score (the nightly job keeps them current)
    env["credit.score"].sudo()._refresh()
    # the KPI history of the last 13 closed months, so that the first DSO report
    # or dashboard does not compute it
    env["credit.kpi.snapshot"].sudo()._cron_take_snapshots()
