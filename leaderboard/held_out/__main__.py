"""``python -m leaderboard.held_out``: write or check the held-out population."""

from leaderboard.held_out import main

raise SystemExit(main())
