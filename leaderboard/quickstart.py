"""The main job: train an in-context agent, evaluate it, and enter it on the leaderboard.

``python -m leaderboard.quickstart`` runs :mod:`baselines.quickstart` (a few minutes of training
on the CPU, then the evaluation table), seeds the leaderboard with the reference entries if it is
empty, submits the freshly trained agent with the quick suite, and prints the leaderboard.
The database is ``--db`` (default: ``$COOP_LEADERBOARD_DB``, else ``leaderboard.sqlite``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from baselines import quickstart
from leaderboard import cli
from leaderboard.ranking import table
from leaderboard.storage import Database


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate, submit, show. Returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="training budget")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", type=Path, default=None, help="leaderboard database")
    parser.add_argument("--no-progress", action="store_true")
    args = parser.parse_args(argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path("runs") / "quickstart" / stamp
    extra = ["--no-progress"] if args.no_progress else []
    status = quickstart.main(
        ["--minutes", str(args.minutes), "--seed", str(args.seed), "--out", str(out), *extra]
    )
    if status:
        return status
    with Database(args.db) as db:
        if not table(db):
            print("\nseeding the leaderboard with the reference entries (quick suite)")
            for name, source in cli.reference_entries():
                cli.submit(
                    db,
                    source,
                    name,
                    quick=True,
                    reference=True,
                    out=None if not args.no_progress else _Quiet(),
                )
        print(f"\nsubmitting the trained agent as quickstart_{stamp} (quick suite)")
        cli.submit(
            db,
            str(out / "agent_0.pt"),
            f"quickstart_{stamp}",
            quick=True,
            out=None if not args.no_progress else _Quiet(),
        )
        print()
        cli.show(db)
        print(f"render the page with: coop-leaderboard --db {db.path} render --out site")
    return 0


class _Quiet:
    """A text sink (no progress bar, no messages)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


if __name__ == "__main__":
    raise SystemExit(main())
