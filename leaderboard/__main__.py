"""``python -m leaderboard``: the leaderboard command line (see :mod:`leaderboard.cli`)."""

from leaderboard.cli import main

raise SystemExit(main())
