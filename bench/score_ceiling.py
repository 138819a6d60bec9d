#!/usr/bin/env python3
"""How far can any score beat the late share on score_history's generator?

Usage: ``.venv/bin/python bench/score_ceiling.py [--seeds 20] [--customers 400]
[--months 24]`` (``make score-ceiling``; a minute, no database)

Simulates, in plain Python, the process ``bench/score_history.py`` writes into
Odoo: the same profiles, individual noise, monthly invoice rates, payment terms and
payment delays (``propensity`` is imported from it). For each seed and each date of
the backtest (12 and 6 months ago) it ranks the invoices issued after the date by

* the late share of the customer's invoices of the 12 months before the date (the
  add-on's best single factor), computed from what is known at the date: invoices
  paid by then, and unpaid ones already more than 5 days past due (late);
* **the best score possible from the history**: the customer's expected propensity
  over the months after the date given everything known at the date (each known
  outcome and each late payment's delay), under the generator's own model: the
  exact Bayesian posterior over profile x noise, on a grid. No score built from the
  payment history can rank better on average, because none knows more;
* the true propensity (what the generator draws from, which no score can know).

and prints the AUCs and the differences (the same ``auc`` as the add-on's backtest;
late = paid more than 5 days late). Where the best possible score is no better than
the late share, no calibration of the add-on's factors can beat it either.
"""

import argparse
import math
import random
import statistics
import sys
from datetime import date, timedelta

import benchlib
import generate
from score_history import PROFILES, propensity

TODAY = date(2026, 1, 1)  # the simulation's own today; only the distances matter
LATE_AFTER_DAYS = 5  # the add-on's LATE_AFTER_DAYS
NOISE_GRID = 40


def simulate(seed, customers, months):
    """``[{profile, noise, invoices: [(date, due, late, delay)]}]`` drawn as
    score_history's generator draws them."""
    rng = random.Random(seed)
    names = [name for name, __, __ in PROFILES]
    shares = [share for __, share, __ in PROFILES]
    terms = [days for days, __ in generate.TERMS]
    term_weights = [weight for __, weight in generate.TERMS]
    start = TODAY - timedelta(days=int(months * 30.4))
    result = []
    for __ in range(customers):
        customer = {
            "profile": rng.choices(names, shares)[0],
            "noise": rng.lognormvariate(0, 0.35),
            "term": rng.choices(terms, term_weights)[0],
            "invoices": [],
        }
        rate = min(3.0, 0.5 + 0.7 * rng.lognormvariate(0, 0.9))
        month = start
        while month < TODAY:
            for __ in range(int(rate) + (rng.random() < rate - int(rate))):
                day = month + timedelta(days=rng.randint(0, 29))
                if day > TODAY:
                    continue
                p = propensity(
                    customer["profile"], customer["noise"], (TODAY - day).days / 30.4
                )
                late = rng.random() < p
                if late:
                    delay = rng.randint(6, 15 + int(60 * customer["noise"]))
                else:
                    delay = rng.randint(-10, 3)
                due = day + timedelta(days=customer["term"])
                customer["invoices"].append((day, due, late, delay))
            month += timedelta(days=30)
        result.append(customer)
    return result


def known_at(customer, as_of):
    """``[(invoice date, late, delay or None)]`` known at ``as_of``: paid by then
    (outcome and delay), or unpaid and more than 5 days past due (late, delay not
    known yet)."""
    known = []
    for day, due, late, delay in customer["invoices"]:
        if day >= as_of:
            continue
        paid = max(day, due + timedelta(days=delay))
        if paid <= as_of:
            known.append((day, late, delay if late else None))
        elif (as_of - due).days > LATE_AFTER_DAYS:
            known.append((day, True, None))
    return known


def hypotheses():
    """Prior over (profile, noise): the profile shares x an equal-mass grid of
    the noise's log-normal distribution."""
    normal = statistics.NormalDist(0, 0.35)
    noises = [
        math.exp(normal.inv_cdf((i + 0.5) / NOISE_GRID)) for i in range(NOISE_GRID)
    ]
    return [
        (profile, noise, share / NOISE_GRID)
        for profile, share, __ in PROFILES
        for noise in noises
    ]


def best_possible(known, as_of, future_ages, prior):
    """Posterior expectation of the customer's mean propensity over the months
    after ``as_of`` (``future_ages``: months before today), given ``known``."""
    ages = [(TODAY - day).days / 30.4 for day, __, __ in known]
    logs, futures = [], []
    for profile, noise, weight in prior:
        log = math.log(weight)
        longest = 15 + int(60 * noise)
        for age, (__, late, delay) in zip(ages, known, strict=True):
            p = propensity(profile, noise, age)
            log += math.log(p if late else 1 - p)
            if delay is not None:  # a late delay is uniform on 6..longest
                # (beyond: the noise is above the grid's last point, not impossible)
                log -= math.log(longest - 5) + (0 if delay <= longest else 10)
        logs.append(log)
        futures.append(
            sum(propensity(profile, noise, age) for age in future_ages)
            / len(future_ages)
        )
    top = max(logs)
    posterior = [math.exp(log - top) for log in logs]
    return sum(p * f for p, f in zip(posterior, futures, strict=True)) / sum(posterior)


def measure(seed, customers, months, months_back, prior, auc):
    """AUCs of the three rankings as of ``months_back`` months ago."""
    as_of = TODAY - timedelta(days=int(months_back * 30.4))
    window = as_of - timedelta(days=365)
    future_ages = [months_back - 0.5 - i for i in range(months_back)]
    rows = []
    for customer in simulate(seed, customers, months):
        after = [inv for inv in customer["invoices"] if inv[0] >= as_of]
        if not after:
            continue
        known = known_at(customer, as_of)
        recent = [late for day, late, __ in known if day >= window]
        truth = sum(
            propensity(
                customer["profile"], customer["noise"], (TODAY - inv[0]).days / 30.4
            )
            for inv in after
        ) / len(after)
        late_count = sum(1 for inv in after if inv[2])
        rows.append(
            (
                sum(recent) / len(recent) if recent else None,
                best_possible(known, as_of, future_ages, prior),
                truth,
                late_count,
                len(after) - late_count,
            )
        )
    known_shares = [row[0] for row in rows if row[0] is not None]
    fill = sum(known_shares) / len(known_shares)  # no history: the average
    return tuple(
        auc(((fill if row[i] is None else row[i]), row[3], row[4]) for row in rows)
        for i in range(3)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    benchlib.init_odoo()
    from odoo.addons.credit_management.models.credit_score_model import (  # noqa: PLC0415
        auc,
    )

    prior = hypotheses()
    print(
        f"{args.seeds} seeds x {args.customers} customers x {args.months} months "
        "(score_history's process, simulated)\n"
    )
    print(
        "| as of | late share (12 months) | best possible score | "
        "best minus late share: mean (min to max) | seeds where best is behind | "
        "true propensity |"
    )
    print("| --- | --: | --: | --: | --: | --: |")
    for months_back in (12, 6):
        results = [
            measure(seed, args.customers, args.months, months_back, prior, auc)
            for seed in range(1, args.seeds + 1)
        ]
        share, best, truth = (statistics.mean(r[i] for r in results) for i in range(3))
        leads = [r[1] - r[0] for r in results]
        print(
            f"| {months_back} months ago | {share:.3f} | {best:.3f} | "
            f"{statistics.mean(leads):+.3f} ({min(leads):+.3f} to {max(leads):+.3f}) | "
            f"{sum(lead < 0 for lead in leads)} of {len(leads)} | "
            f"{truth:.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
