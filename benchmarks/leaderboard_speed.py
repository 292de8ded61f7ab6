"""Leaderboard speed: scoring one submission with the quick and the full suite.

Goals (issue 5): the full suite (trained exploiter included) in <= 5 minutes on 2 CPU cores, the
quick suite in <= 30 s. Measures a memory-one submission and a baseline checkpoint (torch in the
workers), each in a fresh database (no tournament). Prints a table and writes JSON.

The jail's cost (issue 24; goal: <= 20% slower): the quick suite with and without the bubblewrap
jail, side by side, alternating, the median of ``--repeats`` runs each.

Run:  python benchmarks/leaderboard_speed.py [--quick-only]
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from leaderboard import cli
from leaderboard.sandbox import Limits, jail_available
from leaderboard.storage import Database

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = {
    "memory-one (tit_for_tat.json)": ROOT / "examples" / "submissions" / "tit_for_tat.json",
    "checkpoint (baseline_gru.pt)": ROOT / "examples" / "submissions" / "baseline_gru.pt",
}


def time_submission(source: Path, quick: bool, jail: bool = True) -> float:
    """Seconds to score ``source`` in a fresh database, with or without the jail."""
    with tempfile.TemporaryDirectory() as tmp, Database(Path(tmp) / "lb.sqlite") as db:
        start = time.perf_counter()
        status = cli.submit(
            db, str(source), "bench", quick=quick, limits=Limits(jail=jail), out=io.StringIO()
        )
        seconds = time.perf_counter() - start
    if status:
        raise RuntimeError(f"scoring {source} failed")
    return seconds


def jail_cost(repeats: int) -> list[dict]:
    """The quick suite with and without the jail, alternating; medians of ``repeats`` runs."""
    rows = []
    for name, source in SUBMISSIONS.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(repeats):
            for jail in (False, True):
                times[jail].append(time_submission(source, True, jail))
        plain, jailed = statistics.median(times[False]), statistics.median(times[True])
        rows.append(
            {
                "submission": name,
                "quick": True,
                "seconds_without_jail": plain,
                "seconds_with_jail": jailed,
                "slowdown": jailed / plain - 1,
                "repeats": repeats,
                "goal_slowdown": 0.2,
            }
        )
        print(
            f"{name:<32}{'quick':>8}{plain:>10.2f}{jailed:>10.2f}{jailed / plain - 1:>+10.1%}"
            "   <= +20%"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Time the suites (and the jail's cost), print a table and write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick-only", action="store_true", help="skip the full suite")
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs per jail setting for the jail's cost"
    )
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "leaderboard_speed.json"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1; got {args.repeats}")
    if not jail_available():
        parser.error("bubblewrap (bwrap) is missing: apt-get install bubblewrap")
    rows = []
    print(f"{'submission':<32}{'suite':>8}{'seconds':>10}   goal (jailed)")
    for name, source in SUBMISSIONS.items():
        for quick in (True,) if args.quick_only else (True, False):
            seconds = time_submission(source, quick)
            goal = 30 if quick else 300
            rows.append(
                {"submission": name, "quick": quick, "jail": True, "seconds": seconds, "goal": goal}
            )
            print(f"{name:<32}{'quick' if quick else 'full':>8}{seconds:>10.1f}   <= {goal} s")
    print(f"\n{'submission':<32}{'suite':>8}{'no jail':>10}{'jail':>10}{'cost':>10}   goal")
    cost = jail_cost(args.repeats)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "leaderboard_speed",
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "machine": {"python": platform.python_version(), "platform": platform.platform()},
                "rows": rows,
                "jail_cost": cost,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
