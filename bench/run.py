#!/usr/bin/env python3
"""Time the benchmark scenarios on plain Odoo and on Odoo with credit_management.

Usage: ``.venv/bin/python bench/run.py --size s|l [--reps N] [--scenario NAME ...]``

1. The base database ``credit_bench_<size>`` (made by ``generate.py``) is copied
   with ``createdb -T`` into one database per contender, filestore included, so
   that records keep their ids: ``credit_bench_<size>_plain`` as is, and
   ``credit_bench_<size>_cm`` where ``credit_management`` is then installed. If the
   add-on does not install, the reason is shown and plain Odoo runs alone.
2. In this one process, a registry is opened per contender. Each scenario runs a
   warm-up repetition per contender (not counted: it fills the registry's
   caches), then ``--reps`` repetitions interleaved contender by contender, the
   order alternating (plain, cm; cm, plain; ...) so that drifts of the machine
   hit both alike. A repetition uses a fresh cursor and transaction: the
   scenario's setup picks its records, the record cache is cleared, the
   scenario runs and is flushed under the timer, and the transaction is rolled
   back (never committed).
3. Per scenario: median wall time and SQL query count per contender, and the
   paired ratio credit_management / plain, the median of the per-repetition
   ratios. The Markdown table is printed and written to
   ``bench/results/<size>-<timestamp>.md``.
"""

import argparse
import gc
import inspect
import os
import platform
import statistics
import sys
import time
import traceback
from dataclasses import dataclass, field

import benchlib
from benchlib import log

CM = "credit_management"
DEFAULT_REPS = {"s": 5, "l": 3}


@dataclass
class Contender:
    name: str
    db: str
    has_cm: bool
    registry: object = None


@dataclass
class Sample:
    seconds: float
    queries: int
    refused: int
    items: int


@dataclass
class Outcome:
    """All samples of one scenario, per contender name."""

    samples: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)


# --------------------------------------------------------------------- databases


def prepare_databases(size, reuse, prefix=None):
    """Copy the base database per contender; install the add-on in its copy.

    Returns the contenders that are ready and, if the add-on could not be
    installed, why.
    """
    base = benchlib.base_db(size)
    if not benchlib.db_exists(base) or not benchlib.base_is_current(base, size):
        raise SystemExit(
            f"{base} is missing, incomplete or generated on another day (its data"
            f" is dated from that day): run `make bench-data BENCH_SIZE={size}`"
        )
    prefix = prefix or base
    plain = Contender("plain", f"{prefix}_plain", False)
    cm = Contender(CM, f"{prefix}_cm", True)
    for contender in (plain, cm):
        if reuse and benchlib.db_exists(contender.db):
            log(f"reusing {contender.db}")
            continue
        log(f"copying {base} to {contender.db}")
        benchlib.copy_db(base, contender.db)
    if reuse and benchlib.module_state(cm.db, CM) == "installed":
        return [plain, cm], None
    log(f"installing {CM} in {cm.db}")
    started = time.perf_counter()
    proc = benchlib.install_addon(cm.db, CM)
    state = benchlib.module_state(cm.db, CM)
    if proc.returncode == 0 and state == "installed":
        log(f"{CM} installed in {time.perf_counter() - started:.0f}s")
        return [plain, cm], None
    output = (proc.stdout + proc.stderr).strip().splitlines()
    errors = [line for line in output if " ERROR " in line or " CRITICAL " in line]
    reason = f"`odoo-bin -i {CM}` exited with {proc.returncode}, module state {state!r}"
    detail = "\n".join((errors or output)[-15:])
    return [plain], f"{reason}\n{detail}"


# --------------------------------------------------------------------- timing

# the context a web request carries (the web client sends the user's language and
# time zone): without a time zone, the first date "as seen by the user" reads the
# user's record, which a request has already loaded
REQUEST_CONTEXT = {"lang": "en_US", "tz": "Europe/Paris"}


def time_once(odoo, contender, scen):
    """One repetition of ``scen`` on ``contender``, in a rolled-back transaction."""
    from scenarios import Run  # noqa: PLC0415

    cr = contender.registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(REQUEST_CONTEXT))
        run = Run()
        if scen.setup:
            run.records = scen.setup(env)
        env.flush_all()
        env.invalidate_all()
        gc.collect()
        queries = cr.sql_log_count
        start = time.perf_counter()
        steps = scen.func(env, run)
        if inspect.isgenerator(steps):
            for __ in steps:
                pass
        env.flush_all()
        seconds = time.perf_counter() - start
        queries = cr.sql_log_count - queries
        items = len(run.records) if run.records is not None else 0
        return Sample(seconds, queries, run.refused, items)
    finally:
        cr.rollback()
        cr.close()


def time_lockstep(odoo, players, scen, rep):
    """One repetition of a step-wise scenario (a generator function, yielding after
    each record) on every contender at once, in lockstep: record 1 on each
    contender, then record 2, and so on, the contender going first alternating.
    Each contender's time is the sum of its steps, so that the machine's changes
    of speed, which on a shared virtual machine last seconds, hit both alike."""
    from scenarios import Run  # noqa: PLC0415

    state = {}
    try:
        for contender in players:
            cr = contender.registry.cursor()
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(REQUEST_CONTEXT))
            run = Run()
            state[contender.name] = (cr, env, run)
            if scen.setup:
                run.records = scen.setup(env)
            env.flush_all()
            env.invalidate_all()
        gc.collect()
        steps = {name: scen.func(env, run) for name, (cr, env, run) in state.items()}
        seconds = dict.fromkeys(state, 0.0)
        queries = dict.fromkeys(state, 0)
        live = list(players)
        step = rep
        while live:
            order = live if step % 2 == 0 else live[::-1]
            for contender in order:
                cr, env, __ = state[contender.name]
                count = cr.sql_log_count
                start = time.perf_counter()
                try:
                    next(steps[contender.name])
                except StopIteration:
                    env.flush_all()
                    live.remove(contender)
                seconds[contender.name] += time.perf_counter() - start
                queries[contender.name] += cr.sql_log_count - count
            step += 1
        return {
            name: Sample(
                seconds[name],
                queries[name],
                run.refused,
                len(run.records) if run.records is not None else 0,
            )
            for name, (__, __, run) in state.items()
        }
    finally:
        for cr, __, __ in state.values():
            cr.rollback()
            cr.close()


def run_scenario(odoo, scen, contenders, reps, warmup):
    """Warm-up, then ``reps`` interleaved repetitions; failures are recorded."""
    outcome = Outcome()
    players = [c for c in contenders if c.has_cm or not scen.cm_only]
    for contender in players:
        outcome.samples[contender.name] = []
    if inspect.isgeneratorfunction(scen.func) and len(players) > 1:
        for rep in range(-warmup, reps):
            try:
                samples = time_lockstep(odoo, players, scen, rep)
            except Exception as exc:  # noqa: BLE001 - reported, the rest goes on
                message = " ".join(str(exc).split())
                for contender in players:
                    outcome.errors[contender.name] = f"{type(exc).__name__}: {message}"
                log(f"  {scen.name} failed:")
                traceback.print_exc(limit=-4)
                break
            if rep >= 0:
                for name, sample in samples.items():
                    outcome.samples[name].append(sample)
        return outcome
    for rep in range(-warmup, reps):
        order = players if rep % 2 == 0 else players[::-1]
        for contender in order:
            if contender.name in outcome.errors:
                continue
            try:
                sample = time_once(odoo, contender, scen)
            except Exception as exc:  # noqa: BLE001 - reported, the rest goes on
                message = " ".join(str(exc).split())
                outcome.errors[contender.name] = f"{type(exc).__name__}: {message}"
                log(f"  {scen.name} failed on {contender.name}:")
                traceback.print_exc(limit=-4)
                continue
            if rep >= 0:
                outcome.samples[contender.name].append(sample)
    return outcome


# --------------------------------------------------------------------- report


def _num(value, digits=0):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _median(samples, attr):
    values = [getattr(s, attr) for s in samples]
    return statistics.median(values) if values else None


def _refusals(samples):
    if not samples:
        return "-"
    refused = max(s.refused for s in samples)
    return f"{refused}/{samples[0].items}" if refused else "0"


def paired_ratios(plain, cm):
    """Per-repetition ratios cm/plain (repetition i of one against i of other)."""
    return [c.seconds / p.seconds for p, c in zip(plain, cm, strict=False)]


def report(outcomes, scenarios, contenders, meta):
    """The Markdown report: comparison table, cm-only table, notes."""
    names = [c.name for c in contenders]
    has_cm = CM in names
    lines = [
        f"# credit_management benchmark, size {meta['size']}",
        "",
        f"{meta['date']} · {meta['reps']} repetitions (+{meta['warmup']} warm-up) · "
        f"Odoo {meta['odoo']} · Python {meta['python']} · {meta['cpus']} CPUs · "
        f"base database {meta['base']}",
        "",
    ]
    if meta.get("install_error"):
        lines += [
            f"**{CM} could not be installed: plain Odoo only.**",
            "",
            "```",
            meta["install_error"],
            "```",
            "",
        ]
    lines += [
        "| scenario | plain ms | cm ms | ratio cm/plain | ratio min-max "
        "| plain queries | cm queries | refused plain / cm |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    cm_only_rows = []
    notes = []
    for scen in scenarios:
        outcome = outcomes[scen.name]
        for name, error in outcome.errors.items():
            notes.append(f"- `{scen.name}` failed on {name}: {error}")
        if scen.cm_only:
            samples = outcome.samples.get(CM) or []
            cm_only_rows.append(
                f"| {scen.name} | {_ms(samples)} "
                f"| {_num(_median(samples, 'queries'))} | {_refusals(samples)} |"
            )
            continue
        plain = outcome.samples.get("plain") or []
        cm = outcome.samples.get(CM) or []
        ratios = paired_ratios(plain, cm) if plain and cm else []
        row = [
            scen.name,
            _ms(plain),
            _ms(cm),
            _num(statistics.median(ratios), 2) if ratios else "-",
            f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else "-",
            _num(_median(plain, "queries")),
            _num(_median(cm, "queries")),
            f"{_refusals(plain)} / {_refusals(cm) if has_cm else '-'}",
        ]
        lines.append("| " + " | ".join(row) + " |")
    if cm_only_rows:
        lines += [
            "",
            f"Scenarios that need {CM} (absolute numbers):",
            "",
            "| scenario | ms | queries | refused |",
            "|---|--:|--:|--:|",
            *cm_only_rows,
        ]
    lines += [
        "",
        "Median over the repetitions. Ratio: median of the per-repetition ratios "
        "cm/plain (1.00 = as fast as plain Odoo, 1.10 = 10% slower). Queries: SQL "
        "statements sent by the scenario, flush included.",
        "",
        "Scenarios:",
        "",
        *[f"- `{s.name}`: {s.doc}" for s in scenarios],
    ]
    if notes:
        lines += ["", "Failures:", "", *notes]
    return "\n".join(lines) + "\n"


def _ms(samples):
    median = _median(samples, "seconds")
    return _num(median * 1000, 1) if median is not None else "-"


# --------------------------------------------------------------------- main


def parse_args(names):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("s", "l"), default="s")
    parser.add_argument(
        "--reps", type=int, help="repetitions per contender (default: s 5, l 3)"
    )
    parser.add_argument(
        "--warmup", type=int, default=1, help="uncounted repetitions (default 1)"
    )
    parser.add_argument(
        "--scenario",
        action="extend",
        nargs="+",
        metavar="NAME",
        help=f"scenarios to run (default: all): {', '.join(names)}",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep existing contender databases instead of copying the base again "
        "(safe: repetitions are rolled back)",
    )
    parser.add_argument(
        "--db-prefix",
        help="name the contender databases <prefix>_plain and <prefix>_cm "
        "(default: the base database's name), e.g. to run beside another checkout",
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    args = parser.parse_args()
    unknown = set(args.scenario or ()) - set(names)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    if args.reps is None:
        args.reps = DEFAULT_REPS[args.size]
    if args.reps < 1 or args.warmup < 0:
        parser.error("--reps must be >= 1 and --warmup >= 0")
    return args


def main():
    odoo = benchlib.init_odoo()
    from scenarios import SCENARIOS  # noqa: PLC0415

    args = parse_args(list(SCENARIOS))
    if args.list:
        for scen in SCENARIOS.values():
            flag = " [cm only]" if scen.cm_only else ""
            print(f"{scen.name}{flag}: {scen.doc}")
        return
    selected = [SCENARIOS[n] for n in args.scenario or SCENARIOS]
    with benchlib.size_lock(args.size):
        failed = benchmark(odoo, args, selected)
    sys.exit(1 if failed else 0)


def benchmark(odoo, args, selected):
    """Prepare the databases, time ``selected``, report; True if any failed."""
    contenders, install_error = prepare_databases(args.size, args.reuse, args.db_prefix)
    if install_error:
        log(f"{CM} could not be installed, running plain Odoo only:\n{install_error}")
    for contender in contenders:
        contender.registry = odoo.modules.registry.Registry(contender.db)

    outcomes = {}
    for scen in selected:
        log(f"{scen.name}: {args.warmup} warm-up + {args.reps} repetitions")
        outcome = run_scenario(odoo, scen, contenders, args.reps, args.warmup)
        outcomes[scen.name] = outcome
        for name, samples in outcome.samples.items():
            if samples:
                times = ", ".join(f"{s.seconds * 1000:.0f}" for s in samples)
                log(
                    f"  {name:>17}: {_ms(samples)} ms ({times}), "
                    f"{_num(_median(samples, 'queries'))} queries"
                )

    meta = {
        "size": args.size,
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "reps": args.reps,
        "warmup": args.warmup,
        "odoo": odoo.release.version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "base": benchlib.base_db(args.size),
        "install_error": install_error,
    }
    text = report(outcomes, selected, contenders, meta)
    benchlib.RESULTS_DIR.mkdir(exist_ok=True)
    path = benchlib.RESULTS_DIR / f"{args.size}-{time.strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(text)
    print()
    print(text)
    log(f"written to {path.relative_to(benchlib.ROOT)}")
    return any(outcome.errors for outcome in outcomes.values())


if __name__ == "__main__":
    main()
