"""A reference entry of the coin_game suite, ``coin_game_reciprocator``.

Own coin only until the other takes its coin, then greedy for 3 rounds.
Submitted by ``coop-leaderboard seed-references --game coin_game``.
"""

from leaderboard.game_suites import reference_agent


def make_agent():
    """The entry point the leaderboard calls."""
    return reference_agent("coin_game", "coin_reciprocator")
