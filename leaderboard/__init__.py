"""The leaderboard: scores submitted agents on cooperation and exploitability.

``coop-leaderboard submit PATH --name NAME`` evaluates a submission (a ``make_agent()`` Python
file, a baseline checkpoint, an SB3 model, a memory-one vector, or an Axelrod strategy) on the
versioned suite (:mod:`leaderboard.suite`) in sandboxed worker processes, and stores the results
in SQLite; ``show``, ``export`` and ``render`` present them. Nothing else imports this package.
"""

from leaderboard.suite import SCENARIOS, SUITE_VERSION

__all__ = ["SCENARIOS", "SUITE_VERSION"]
