"""Leaderboard speed: scoring one submission with the quick and the full suite.

Goals (issue 5): the full suite (trained exploiter included) in <= 5 minutes on 2 CPU cores, the
quick suite in <= 30 s. Measures a memory-one submission and a baseline checkpoint (torch in the
workers), each in a fresh database (no tournament). Prints a table and writes JSON.

Run:  python benchmarks/leaderboard_speed.py [--quick-only]
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import tempfile
import time
from pathlib import Path

from leaderboard import cli
from leaderboard.storage import Database

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = {
    "memory-one (tit_for_tat.json)": ROOT / "examples" / "submissions" / "tit_for_tat.json",
    "checkpoint (baseline_gru.pt)": ROOT / "examples" / "submissions" / "baseline_gru.pt",
}


def time_submission(source: Path, quick: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp, Database(Path(tmp) / "lb.sqlite") as db:
        start = time.perf_counter()
        status = cli.submit(db, str(source), "bench", quick=quick, out=io.StringIO())
        seconds = time.perf_counter() - start
    if status:
        raise RuntimeError(f"scoring {source} failed")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick-only", action="store_true", help="skip the full suite")
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "leaderboard_speed.json"
    )
    args = parser.parse_args(argv)
    rows = []
    print(f"{'submission':<32}{'suite':>8}{'seconds':>10}   goal")
    for name, source in SUBMISSIONS.items():
        for quick in (True,) if args.quick_only else (True, False):
            seconds = time_submission(source, quick)
            goal = 30 if quick else 300
            rows.append({"submission": name, "quick": quick, "seconds": seconds, "goal": goal})
            print(f"{name:<32}{'quick' if quick else 'full':>8}{seconds:>10.1f}   <= {goal} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "leaderboard_speed",
                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "machine": {"python": platform.python_version(), "platform": platform.platform()},
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
